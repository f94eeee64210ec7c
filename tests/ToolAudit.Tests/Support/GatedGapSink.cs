namespace ToolAudit.Tests.Support;

/// <summary>
/// Wraps a gap sink (such as <see cref="JsonlAuditStore"/>) and stalls its entry writes until the test opens the
/// gate; gap markers pass straight through. Tells the test when a write has started.
/// </summary>
public sealed class GatedGapSink(IAuditGapSink inner) : IAuditGapSink
{
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly SemaphoreSlim _started = new(0);

    public Task WaitForWriteStartedAsync() => _started.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(
        static t =>
        {
            if (!t.Result)
            {
                throw new TimeoutException("The writer never called the sink.");
            }
        },
        TaskScheduler.Default);

    public void Open() => _gate.Set();

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        _started.Release();
        _gate.Wait(cancellationToken);
        return inner.WriteAsync(batch, cancellationToken);
    }

    public ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken) =>
        inner.WriteGapsAsync(gaps, cancellationToken);
}
