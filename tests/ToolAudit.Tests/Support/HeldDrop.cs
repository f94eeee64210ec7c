namespace ToolAudit.Tests.Support;

/// <summary>
/// A caller stopped inside its drop: the recorder's one-slot queue is full (its gated sink holds the first call, the
/// writer the second, the queue the third), and a fourth call, on a thread of its own, has found no room and waits in
/// <c>BeforeDropHook</c> until released, before the drop is noted.
/// </summary>
public sealed class HeldDrop : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _dropping = new();
    private readonly ManualResetEventSlim _release = new();
    private readonly Thread _dropper;

    private HeldDrop(AuditRecorder recorder)
    {
        recorder.BeforeDropHook = () =>
        {
            _dropping.Set();
            _release.Wait(Patience);
        };
        _dropper = new Thread(() => recorder.Record(Calls.Typical(sequence: 3)));
    }

    /// <summary>Fills the queue of <paramref name="recorder"/> (QueueCapacity 1, MaxBatchSize 1, DropNewest) and holds the fourth call in its drop.</summary>
    /// <param name="recorder">The recorder, writing to <paramref name="gated"/>.</param>
    /// <param name="gated">Its sink, not opened yet.</param>
    /// <returns>The held drop; dispose it to release the caller.</returns>
    public static async Task<HeldDrop> StartAsync(AuditRecorder recorder, GatedGapSink gated)
    {
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot: the queue is full

        var held = new HeldDrop(recorder);
        held._dropper.Start();
        if (!held._dropping.Wait(Patience))
        {
            held.Dispose();
            throw new TimeoutException("The fourth call never reached its drop.");
        }

        return held;
    }

    /// <summary>Lets the caller note its drop, and waits until its call returns.</summary>
    /// <returns>Whether it returned in time.</returns>
    public bool Release()
    {
        _release.Set();
        return _dropper.Join(Patience);
    }

    public void Dispose()
    {
        _release.Set();
        if (!_dropper.IsAlive || _dropper.Join(Patience))
        {
            // Only once the caller is out of its wait: disposing the event under it would throw on its thread.
            _dropping.Dispose();
            _release.Dispose();
        }
    }
}
