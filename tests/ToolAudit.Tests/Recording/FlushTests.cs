using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// <c>FlushAsync</c> returns when everything recorded before it is written or failed: not sooner because calls made
/// after it were dropped or refused, which an outcome count alone would let stand in for the earlier ones.
/// </summary>
public sealed class FlushTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FlushAsync_CallsAfterItAreDropped_StillWaitsForTheCallsBeforeIt()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest });
        await FillAsync(recorder, gated);

        var flush = recorder.FlushAsync().AsTask();
        for (var i = 3; i < 6; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        recorder.Counters.Dropped.Should().Be(3, "the queue is full: the calls after the flush are dropped");
        flush.IsCompleted.Should().BeFalse("none of the three calls before the flush is written yet");
        gated.Open();
        await flush.WaitAsync(Patience);
        gated.Written.Select(e => e.Seq()).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task FlushAsync_DurableCallsAfterItAreCancelled_StillWaitsForTheCallsBeforeIt()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1 });
        await FillAsync(recorder, gated);

        var flush = recorder.FlushAsync().AsTask();
        for (var i = 3; i < 6; i++)
        {
            using var cancel = new CancellationTokenSource();
            var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: i), cancel.Token).AsTask();
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => durable.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        }

        recorder.Counters.Failed.Should().Be(3);
        flush.IsCompleted.Should().BeFalse("none of the three calls before the flush is written yet");
        gated.Open();
        await flush.WaitAsync(Patience);
        gated.Written.Select(e => e.Seq()).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task FlushAsync_WhileOtherThreadsRecordCallsThatAreDropped_NeverReturnsBeforeTheEarlierCalls()
    {
        var gated = new GatedSink();
        var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest });
        using var stop = new CancellationTokenSource();
        var threads = new List<Thread>();
        try
        {
            await FillAsync(recorder, gated);
            for (var t = 0; t < 2; t++)
            {
                threads.Add(new Thread(() =>
                {
                    var call = Calls.Typical(sequence: 99);
                    while (!stop.IsCancellationRequested)
                    {
                        recorder.Record(call); // dropped: the queue stays full
                    }
                }) { IsBackground = true });
            }

            threads.ForEach(t => t.Start());
            while (recorder.Counters.Dropped < 1_000)
            {
                Thread.Yield();
            }

            // Each flush covers the three calls the stalled sink holds: none may return while drops race with it.
            for (var i = 0; i < 20_000; i++)
            {
                recorder.FlushAsync().IsCompleted.Should().BeFalse($"flush {i} returned while the three earlier calls are unwritten");
            }
        }
        finally
        {
            stop.Cancel();
            threads.ForEach(t => t.Join(Patience));
            gated.Open();
            await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task FlushAsync_ManyFlushesBetweenCalls_EachReturnsOnceItsCallsAreWritten()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { MaxBatchSize = 4 });
        var flushes = new List<(int Before, Task Flush)>();
        for (var i = 0; i < 20; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
            if (i % 3 == 0)
            {
                flushes.Add((i + 1, recorder.FlushAsync().AsTask()));
            }
        }

        await gated.WaitForWriteStartedAsync();
        flushes.Should().OnlyContain(f => !f.Flush.IsCompleted, "the sink has written nothing yet");
        gated.Open();
        foreach (var (before, flush) in flushes)
        {
            await flush.WaitAsync(Patience);
            gated.Written.Count.Should().BeGreaterThanOrEqualTo(before, "a flush returns after the calls made before it");
        }

        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        gated.Written.Select(e => e.Seq()).Should().Equal(Enumerable.Range(0, 20));
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 20, Written: 20, Dropped: 0, Failed: 0, Pending: 0));
    }

    [Fact]
    public async Task FlushAsync_WhileTheSinkHangsAtShutdown_ReturnsWhenShutdownGivesUp()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var gated = new GatedSink(honourCancellation: false);
        var recorder = new AuditRecorder(gated, new ToolAuditOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) }, clock);
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        var flush = recorder.FlushAsync().AsTask();

        var dispose = recorder.DisposeAsync().AsTask();
        flush.IsCompleted.Should().BeFalse("the sink hangs");
        clock.Advance(TimeSpan.FromSeconds(5));
        await dispose.WaitAsync(Patience);

        await flush.WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 0, Dropped: 0, Failed: 2, Pending: 0));
        gated.Open();
    }

    [Fact]
    public async Task FlushAsync_DuringShutdownThenACallIsRefused_StillWaitsForTheCallBeforeIt()
    {
        // Shutting down, the queue is closed, so the flush cannot queue its marker: the refusal of a call made after
        // it must not stand in for the call before it that the sink is still writing.
        var gated = new GatedSink();
        var recorder = new AuditRecorder(gated);
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        var dispose = recorder.DisposeAsync().AsTask();

        var flush = recorder.FlushAsync().AsTask();
        recorder.Record(Calls.Typical(sequence: 1));

        recorder.Counters.Failed.Should().Be(1, "the call after the flush came after shutdown began");
        flush.IsCompleted.Should().BeFalse("the call before the flush is still being written");
        gated.Open();
        await flush.WaitAsync(Patience);
        gated.Written.Select(e => e.Seq()).Should().Equal(0);
        await dispose.WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
    }

    /// <summary>Call 0 in the stalled sink, call 1 held by the writer, call 2 in the queue's one slot: the queue is full.</summary>
    private static async Task FillAsync(AuditRecorder recorder, GatedSink gated)
    {
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();
        recorder.Record(Calls.Typical(sequence: 2));
    }
}
