namespace ToolAudit.Tests.Support;

/// <summary>A quick sink that keeps what it gets and completes <see cref="FirstWrite"/> when the first batch arrives.</summary>
public sealed class SignallingSink : IAuditSink
{
    private readonly object _lock = new();
    private readonly List<AuditEntry> _entries = new();
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first batch has been stored.</summary>
    public Task FirstWrite => _firstWrite.Task;

    public IReadOnlyList<AuditEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return _entries.ToList();
            }
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _entries.AddRange(batch);
        }

        _firstWrite.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
