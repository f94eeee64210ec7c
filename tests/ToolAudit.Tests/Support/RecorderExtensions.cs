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

    /// <summary>
    /// Spins (no sleeping) until the writer has taken everything out of the queue. With the sink stalled on one batch,
    /// the writer takes the next call as its second batch and parks: from then on the queue alone holds what comes.
    /// </summary>
    public static void WaitForEmptyQueue(this AuditRecorder recorder)
    {
        var spinner = new SpinWait();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.QueueLength > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The writer never emptied the queue ({recorder.QueueLength} left).");
            }

            spinner.SpinOnce();
        }
    }

    public static void ShouldHoldIdentity(this AuditCounters counters) =>
        counters.Accepted.Should().Be(counters.Written + counters.Dropped + counters.Failed + counters.Pending);
}
