using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// A writer stage that stops on an unexpected error (a bug, exhausted memory; not a sink's failure) must not leave
/// anything pending in silence: what is unwritten is counted as failed, nobody waits forever, later calls are counted
/// and logged. The error is injected through the recorder's test hooks, which run on the writer and sink threads.
/// </summary>
public sealed class WriterFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WriterStageThrows_UnwrittenCallsAreCountedFailedAndLaterCallsAreRejectedAndLogged()
    {
        var sink = new CollectingSink();
        var logger = new FakeLogger<AuditRecorder>();
        await using var recorder = new AuditRecorder(sink, logger: logger);
        for (var i = 0; i < 3; i++)
        {
            recorder.Record(new ToolCall("alice", $"before{i}", null, AuditStatus.Ok));
        }

        await recorder.FlushAsync();
        using var fault = new InjectedFault();
        recorder.BeforePrepareHook = fault.Run;

        // The writer takes the first call and stops in the hook; the next ones wait in the queue.
        recorder.Record(new ToolCall("alice", "held", null, AuditStatus.Ok));
        await fault.WaitUntilEnteredAsync();
        for (var i = 0; i < 4; i++)
        {
            recorder.Record(new ToolCall("alice", $"queued{i}", null, AuditStatus.Ok));
        }

        var durable = recorder.RecordDurableAsync(new ToolCall("alice", "durable", null, AuditStatus.Ok)).AsTask();
        fault.Throw();

        await FluentActions.Awaiting(() => durable.WaitAsync(Patience)).Should().ThrowAsync<AuditWriteException>();
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 9, Written: 3, Dropped: 0, Failed: 6, Pending: 0));
        sink.Entries.Select(e => e.Tool).Should().Equal("before0", "before1", "before2");

        var later = () => recorder.Record(new ToolCall("alice", "later", null, AuditStatus.Ok));
        later.Should().NotThrow("a tool call never fails for the audit's sake");
        var laterDurable = () => recorder.RecordDurableAsync(new ToolCall("alice", "later-durable", null, AuditStatus.Ok)).AsTask();
        await laterDurable.Should().ThrowAsync<AuditWriteException>();
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 10, Written: 3, Dropped: 0, Failed: 7, Pending: 0));

        var logs = logger.Collector.GetSnapshot();
        logs.Should().ContainSingle(l => l.Level == LogLevel.Critical).Which.Exception.Should().BeSameAs(fault.Exception);
        logs.Should().ContainSingle(l => l.Level == LogLevel.Error && l.Message.Contains("later", StringComparison.Ordinal));
        await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
    }

    [Fact]
    public async Task SinkStageThrows_BatchesOutOfTheQueueAndTheQueueAreCountedFailedAndDisposeFinishes()
    {
        var sink = new CollectingSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { MaxBatchSize = 2 });
        recorder.Record(new ToolCall("alice", "before", null, AuditStatus.Ok));
        await recorder.FlushAsync();
        using var fault = new InjectedFault();
        recorder.BeforeWriteHook = fault.Run;

        // The sink thread stops in the hook with the first batch; the writer prepares the next and then waits for a
        // free batch the sink thread will never give back; the rest waits in the queue.
        recorder.Record(new ToolCall("alice", "held", null, AuditStatus.Ok));
        await fault.WaitUntilEnteredAsync();
        var durable = recorder.RecordDurableAsync(new ToolCall("alice", "durable", null, AuditStatus.Ok)).AsTask();
        for (var i = 0; i < 6; i++)
        {
            recorder.Record(new ToolCall("alice", $"queued{i}", null, AuditStatus.Ok));
        }

        fault.Throw();

        await FluentActions.Awaiting(() => durable.WaitAsync(Patience)).Should().ThrowAsync<AuditWriteException>();
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 9, Written: 1, Dropped: 0, Failed: 8, Pending: 0));
        await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 9, Written: 1, Dropped: 0, Failed: 8, Pending: 0));
        sink.Entries.Select(e => e.Tool).Should().Equal("before");
    }

    [Fact]
    public async Task WriterStageThrows_BatchTheSinkIsWritingIsStillWrittenAndCountedWritten()
    {
        var sink = new GatedSink();
        await using var recorder = new AuditRecorder(sink, new ToolAuditOptions { MaxBatchSize = 1 });

        // The sink thread is inside the sink with the first batch when the writer thread fails on the second.
        var first = recorder.RecordDurableAsync(new ToolCall("alice", "first", null, AuditStatus.Ok)).AsTask();
        await sink.WaitForWriteStartedAsync();
        using var fault = new InjectedFault();
        recorder.BeforePrepareHook = fault.Run;
        var held = recorder.RecordDurableAsync(new ToolCall("alice", "held", null, AuditStatus.Ok)).AsTask();
        await fault.WaitUntilEnteredAsync();
        recorder.Record(new ToolCall("alice", "queued", null, AuditStatus.Ok));
        fault.Throw();

        // What the writer held and what was queued can no longer be written: failed, and said so at once.
        await FluentActions.Awaiting(() => held.WaitAsync(Patience)).Should().ThrowAsync<AuditWriteException>();
        first.IsCompleted.Should().BeFalse("the first entry is still being written, so its outcome is not known yet");
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 0, Dropped: 0, Failed: 2, Pending: 1));

        // The batch the sink was writing reaches it, and is on record: counted written, its caller told so.
        sink.Open();
        await first.WaitAsync(Patience);
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 1, Dropped: 0, Failed: 2, Pending: 0));
        sink.Written.Select(e => e.Tool).Should().Equal("first");
        await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 1, Dropped: 0, Failed: 2, Pending: 0));
    }

    [Fact]
    public async Task WriterStageThrows_CallerBlockedOnAFullQueueIsReleasedAndItsCallCounted()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink, new ToolAuditOptions
        {
            QueueCapacity = 2,
            OverflowMode = AuditOverflowMode.Wait,
            OverflowWaitTimeout = Timeout.InfiniteTimeSpan,
        });
        using var fault = new InjectedFault();
        recorder.BeforePrepareHook = fault.Run;
        recorder.Record(new ToolCall("alice", "held", null, AuditStatus.Ok));
        await fault.WaitUntilEnteredAsync();
        recorder.Record(new ToolCall("alice", "queued0", null, AuditStatus.Ok));
        recorder.Record(new ToolCall("alice", "queued1", null, AuditStatus.Ok));

        // The queue is full: this caller blocks (with no timeout) until there is room.
        var blocked = Task.Factory.StartNew(
            () => recorder.Record(new ToolCall("alice", "blocked", null, AuditStatus.Ok)),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        while (recorder.Counters.Accepted < 4)
        {
            await Task.Yield();
        }

        blocked.IsCompleted.Should().BeFalse("the queue is full and the writer is stopped in the hook");
        fault.Throw();

        await blocked.WaitAsync(Patience);
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 0, Dropped: 0, Failed: 4, Pending: 0));
    }

    [Fact]
    public async Task WriterStageThrows_APendingFlushWaitsForTheBatchTheSinkIsStillWriting()
    {
        var sink = new GatedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { MaxBatchSize = 1 });
        using var fault = new InjectedFault();
        try
        {
            recorder.Record(new ToolCall("alice", "first", null, AuditStatus.Ok));
            await sink.WaitForWriteStartedAsync();
            recorder.BeforePrepareHook = fault.Run;
            recorder.Record(new ToolCall("alice", "held", null, AuditStatus.Ok));
            await fault.WaitUntilEnteredAsync();
            var flush = recorder.FlushAsync().AsTask();

            fault.Throw();

            // The fault is handled once the held call is counted failed.
            var handled = new SpinWait();
            var deadline = DateTime.UtcNow + Patience;
            while (recorder.Counters.Failed < 1 && DateTime.UtcNow < deadline)
            {
                handled.SpinOnce();
            }

            recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 0, Dropped: 0, Failed: 1, Pending: 1));
            flush.IsCompleted.Should().BeFalse("the first call, recorded before the flush, is still being written");
            sink.Open();
            await flush.WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        }
        finally
        {
            sink.Open();
            await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task ShutdownGivesUpOnAHungSinkWhileTheWriterHoldsABatch_NothingIsPendingAfterDisposeAndNothingCountedTwice()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var sink = new GatedSink(honourCancellation: false);
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { MaxBatchSize = 1, ShutdownTimeout = TimeSpan.FromSeconds(5) }, clock);
        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim(false);
        var runs = 0;
        try
        {
            recorder.Record(new ToolCall("alice", "in-the-sink", null, AuditStatus.Ok));
            await sink.WaitForWriteStartedAsync();
            recorder.BeforePrepareHook = () =>
            {
                if (Interlocked.Increment(ref runs) == 1)
                {
                    entered.Release();
                    release.Wait(Patience);
                }
            };
            recorder.Record(new ToolCall("alice", "held-by-the-writer", null, AuditStatus.Ok));
            (await entered.WaitAsync(Patience)).Should().BeTrue();

            var dispose = recorder.DisposeAsync().AsTask();
            clock.Advance(TimeSpan.FromSeconds(5));
            await dispose.WaitAsync(Patience);

            recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 0, Dropped: 0, Failed: 2, Pending: 0), "the batch the writer held was out of the queue: given up and counted");
            release.Set();
            sink.Open();
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 0, Dropped: 0, Failed: 2, Pending: 0));
        }
        finally
        {
            release.Set();
            sink.Open();
        }
    }

    [Fact]
    public async Task WaitingForRoomFailsUnexpectedly_RecordDoesNotThrowAndTheCallIsCountedFailedAndLogged()
    {
        var gated = new GatedSink();
        var logger = new FakeLogger<AuditRecorder>();
        var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1 }, new BrokenTimerClock(), logger);
        try
        {
            recorder.Record(new ToolCall("alice", "first", null, AuditStatus.Ok));
            await gated.WaitForWriteStartedAsync();
            recorder.Record(new ToolCall("alice", "second", null, AuditStatus.Ok));
            recorder.WaitForEmptyQueue();
            recorder.Record(new ToolCall("alice", "third", null, AuditStatus.Ok));

            // The queue is full: this call waits for room, and the wait (its timer) fails.
            var record = () => recorder.Record(new ToolCall("alice", "fourth", null, AuditStatus.Ok));

            record.Should().NotThrow("a tool call never fails for the audit's sake");
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 0, Dropped: 0, Failed: 1, Pending: 3));
            logger.Collector.GetSnapshot().Should().ContainSingle(l => l.Id.Id == 11).Which.Exception.Should().BeOfType<InvalidOperationException>();
            gated.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 3, Dropped: 0, Failed: 1, Pending: 0));
        }
        finally
        {
            gated.Open();
            await recorder.DisposeAsync().AsTask().WaitAsync(Patience);
        }
    }

    /// <summary>A clock whose first timer (the overflow wait's) cannot be created: a broken dependency, on purpose.</summary>
    private sealed class BrokenTimerClock : TimeProvider
    {
        private int _timers;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Interlocked.Increment(ref _timers) == 1
                ? throw new InvalidOperationException("No timers today.")
                : System.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>A hook that stops its thread until the test lets it throw.</summary>
    private sealed class InjectedFault : IDisposable
    {
        private readonly SemaphoreSlim _entered = new(0);
        private readonly ManualResetEventSlim _go = new(false);
        private int _runs;

        public InvalidOperationException Exception { get; } = new("A bug in a writer stage.");

        public void Run()
        {
            if (Interlocked.Increment(ref _runs) > 1)
            {
                return;
            }

            _entered.Release();
            _go.Wait(Patience);
            throw Exception;
        }

        public async Task WaitUntilEnteredAsync()
        {
            if (!await _entered.WaitAsync(Patience))
            {
                throw new TimeoutException("The hook never ran.");
            }
        }

        public void Throw() => _go.Set();

        public void Dispose()
        {
            _go.Set();
            _entered.Dispose();
            _go.Dispose();
        }
    }
}
