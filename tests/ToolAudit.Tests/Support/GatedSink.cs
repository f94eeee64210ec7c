namespace ToolAudit.Tests.Support;

/// <summary>
/// A sink that stalls every write until the test opens its gate, and tells the test when a write has started:
/// the way to fill the recorder's queue deterministically.
/// </summary>
public sealed class GatedSink : IAuditSink
{
    private readonly object _lock = new();
    private readonly List<AuditEntry> _written = new();
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly SemaphoreSlim _started = new(0);
    private readonly bool _honourCancellation;

    public GatedSink(bool honourCancellation = true) => _honourCancellation = honourCancellation;

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

    /// <summary>Waits until a write has started (the writer is now stalled inside the sink).</summary>
    public Task WaitForWriteStartedAsync() => _started.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(t =>
    {
        if (!t.Result)
        {
            throw new TimeoutException("The writer never called the sink.");
        }
    }, TaskScheduler.Default);

    public void Open() => _gate.Set();

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        _started.Release();
        if (_honourCancellation)
        {
            _gate.Wait(cancellationToken);
        }
        else
        {
            _gate.Wait();
        }

        lock (_lock)
        {
            _written.AddRange(batch);
        }

        return ValueTask.CompletedTask;
    }
}
