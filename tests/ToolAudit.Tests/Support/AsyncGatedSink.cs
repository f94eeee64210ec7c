namespace ToolAudit.Tests.Support;

/// <summary>
/// A slow sink that is properly asynchronous: its write awaits a gate the test opens, without blocking a thread.
/// </summary>
public sealed class AsyncGatedSink : IAuditSink
{
    private readonly object _lock = new();
    private readonly List<AuditEntry> _written = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<AuditEntry> Written
    {
        get
        {
            lock (_lock)
            {
                return _written.ToList();
            }
        }
    }

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Started => _started.Task.IsCompleted;

    /// <summary>Completes when a write has started (the composite may start sinks on the thread pool).</summary>
    public Task WriteStarted => _started.Task;

    public void Open() => _gate.TrySetResult();

    public async ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        var copy = batch.ToList();
        await _gate.Task.WaitAsync(cancellationToken);
        lock (_lock)
        {
            _written.AddRange(copy);
        }
    }
}
