namespace ToolAudit.Tests.Support;

/// <summary>A quick sink that keeps what it gets and completes <see cref="FirstWrite"/> when the first batch arrives.</summary>
public sealed class SignallingSink : IAuditSink
{
    private readonly object _lock = new();
    private readonly List<AuditEntry> _entries = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _countWaiters = new();
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

    /// <summary>Completes once at least <paramref name="count"/> entries have been stored.</summary>
    public Task Written(int count)
    {
        lock (_lock)
        {
            if (_entries.Count >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _countWaiters.Add((count, waiter));
            return waiter.Task;
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _entries.AddRange(batch);
            foreach (var (count, waiter) in _countWaiters.Where(w => w.Count <= _entries.Count).ToList())
            {
                waiter.TrySetResult();
                _countWaiters.Remove((count, waiter));
            }
        }

        _firstWrite.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
