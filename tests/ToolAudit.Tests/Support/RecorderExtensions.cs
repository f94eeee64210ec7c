namespace ToolAudit.Tests.Support;

public static class RecorderExtensions
{
    /// <summary>Spins (no sleeping) until <paramref name="count"/> callers wait for room in the queue.</summary>
    public static void WaitForWaitingProducers(this AuditRecorder recorder, int count)
    {
        var spinner = new SpinWait();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.WaitingProducers < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} producers never waited for room.");
            }

            spinner.SpinOnce();
        }
    }

    public static void ShouldHoldIdentity(this AuditCounters counters) =>
        counters.Accepted.Should().Be(counters.Written + counters.Dropped + counters.Failed + counters.Pending);
}
