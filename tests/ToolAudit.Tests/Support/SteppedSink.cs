namespace ToolAudit.Tests.Support;

/// <summary>
/// A sink that lets writes through one at a time: each write waits for a step the test allows (or for the sink to be
/// opened for good), and tells the test when it has started. Keeps what it wrote and the size of every batch, so a
/// test can check how many calls the queue held when the writer took them.
/// </summary>
public sealed class SteppedSink : IAuditSink
{
    private readonly object _lock = new();
    private readonly List<AuditEntry> _written = new();
    private readonly List<int> _batchSizes = new();
    private readonly SemaphoreSlim _steps = new(0);
    private readonly SemaphoreSlim _started = new(0);
    private readonly CancellationTokenSource _opened = new();

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

    /// <summary>The size of every batch written, in order.</summary>
    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (_lock)
            {
                return _batchSizes.ToList();
            }
        }
    }

    /// <summary>Waits until one more write has started (the sink stage is now stalled inside it).</summary>
    public async Task WaitForWriteStartedAsync()
    {
        if (!await _started.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The writer never called the sink.");
        }
    }

    /// <summary>Lets one stalled (or the next) write through.</summary>
    public void Step() => _steps.Release();

    /// <summary>Lets every write through from now on.</summary>
    public void Open() => _opened.Cancel();

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        _started.Release();
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _opened.Token);
            _steps.Wait(either.Token);
        }
        catch (OperationCanceledException) when (_opened.IsCancellationRequested)
        {
            // Opened for good.
        }

        lock (_lock)
        {
            _written.AddRange(batch);
            _batchSizes.Add(batch.Count);
        }

        return ValueTask.CompletedTask;
    }
}
