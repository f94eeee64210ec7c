using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// Who gets the queue's room: a call waiting for room is admitted only when the calls ahead of it leave the queue (or
/// leave without reaching it), never because a call that came after it left; the queue never holds more than
/// <see cref="ToolAuditOptions.QueueCapacity"/>; and a call whose wait runs out is dropped.
/// </summary>
/// <remarks>
/// Each test stalls the sink on its first batch and lets the writer take the second and park (both batches are then
/// out of the queue), so that the queue alone holds what comes next, and moves the writer on one step at a time.
/// </remarks>
public sealed class QueueAdmissionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Record_LaterCallLeavesUnqueuedWhileItWaits_StillWaitsAndIsDroppedWhenItsWaitRunsOut()
    {
        var clock = new FakeTimeProvider();
        var sink = new SteppedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 8, OverflowWaitTimeout = TimeSpan.FromSeconds(2) }, clock);
        try
        {
            await FillQueueAsync(recorder, sink);
            var waiting = StartThread(() => recorder.Record(Calls.Typical(sequence: 3)));
            recorder.WaitForWaitingProducers(1);

            // A call that came after the waiting one leaves without being queued: the queue is as full as before.
            using var cancel = new CancellationTokenSource();
            var later = recorder.RecordDurableAsync(Calls.Typical(sequence: 4), cancel.Token).AsTask();
            later.IsCompleted.Should().BeFalse("the queue is full");
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => later.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();

            clock.Advance(TimeSpan.FromSeconds(2));
            waiting.Join(Patience).Should().BeTrue("its wait has run out");
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 5, Written: 0, Dropped: 1, Failed: 1, Pending: 3), "the waiting call found no room before its wait ran out");

            sink.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 5, Written: 3, Dropped: 1, Failed: 1, Pending: 0));
            sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2);
            sink.BatchSizes.Should().OnlyContain(size => size <= 1, "the queue never holds more than its capacity");
        }
        finally
        {
            sink.Open();
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task Record_RoomFreedAfterALaterCallLeftUnqueued_OnlyTheFirstWaiterIsQueuedAndTheQueueNeverOverflows()
    {
        var clock = new FakeTimeProvider();
        var sink = new SteppedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 8, OverflowWaitTimeout = TimeSpan.FromSeconds(2) }, clock);
        try
        {
            await FillQueueAsync(recorder, sink);
            var first = StartThread(() => recorder.Record(Calls.Typical(sequence: 3)));
            recorder.WaitForWaitingProducers(1);
            clock.Advance(TimeSpan.FromSeconds(1));
            var second = StartThread(() => recorder.Record(Calls.Typical(sequence: 4)));
            recorder.WaitForWaitingProducers(2);

            using var cancel = new CancellationTokenSource();
            var later = recorder.RecordDurableAsync(Calls.Typical(sequence: 5), cancel.Token).AsTask();
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => later.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();

            // One write: the writer takes entry 2 off the queue, which frees one place, and wakes both waiters.
            sink.Step();
            first.Join(Patience).Should().BeTrue("the first waiter gets the one free place");

            // The second one's wait runs out (it began a second after the first's).
            clock.Advance(TimeSpan.FromSeconds(2));
            second.Join(Patience).Should().BeTrue();
            recorder.Counters.Dropped.Should().Be(1, "the second waiter never had room");

            sink.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 6, Written: 4, Dropped: 1, Failed: 1, Pending: 0));
            sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 3);
            sink.BatchSizes.Should().OnlyContain(size => size <= 1, "the queue never holds more than its capacity");
        }
        finally
        {
            sink.Open();
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task RecordDurableAsync_EarlierCallLeavesUnqueuedWhenItsRoomWasFree_IsWokenAndQueued()
    {
        var time = new InterceptingTimeProvider();
        var sink = new SteppedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 8, OverflowWaitTimeout = TimeSpan.FromMinutes(1) }, time);
        using var parked = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        try
        {
            await FillQueueAsync(recorder, sink);

            // The earlier call finds the queue full and stops where its wait begins (reading the clock); there its
            // clock fails, so it leaves without being queued.
            var earlier = StartThread(() =>
            {
                time.InterceptNextTimestamp(Environment.CurrentManagedThreadId, () =>
                {
                    parked.Set();
                    release.Wait(Patience);
                    throw new InvalidOperationException("The clock failed.");
                });
                recorder.Record(Calls.Typical(sequence: 3));
            });
            parked.Wait(Patience).Should().BeTrue();

            // The writer empties the queue: the one place is the earlier call's, so the later one waits.
            sink.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            var later = recorder.RecordDurableAsync(Calls.Typical(sequence: 4)).AsTask();
            later.IsCompleted.Should().BeFalse("the earlier call is ahead of it");

            // The earlier call leaves: its place, the only room there is, must go to the later call now, not when
            // the writer next takes something off the (empty) queue.
            release.Set();
            earlier.Join(Patience).Should().BeTrue();
            await later.WaitAsync(TimeSpan.FromSeconds(10));

            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 5, Written: 4, Dropped: 0, Failed: 1, Pending: 0));
            sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 4);
        }
        finally
        {
            release.Set();
            sink.Open();
            await recorder.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(AuditOverflowMode.Wait)]
    [InlineData(AuditOverflowMode.DropNewest)]
    public async Task Record_ManyCallersWaitingDroppingAndCancelling_QueueNeverExceedsCapacityAndCountersAreExact(AuditOverflowMode mode)
    {
        const int capacity = 4;
        const int perCaller = 3_000;
        var sink = new BatchSizeSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = capacity, MaxBatchSize = 256, OverflowMode = mode, OverflowWaitTimeout = TimeSpan.FromMilliseconds(1) });
        var cancelled = 0;
        try
        {
            // Plain calls that wait (or drop), and durable calls whose caller gives up at once or soon: calls leave
            // unqueued all the time, ahead of waiting calls and behind them.
            var plain = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
            {
                for (var i = 0; i < perCaller; i++)
                {
                    recorder.Record(Calls.Typical(sequence: (p * perCaller) + i));
                }
            }));
            var durable = Enumerable.Range(2, 2).Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < perCaller; i++)
                {
                    using var cancel = new CancellationTokenSource();
                    var call = recorder.RecordDurableAsync(Calls.Typical(sequence: (p * perCaller) + i), cancel.Token).AsTask();
                    if (i % 2 == 0)
                    {
                        await cancel.CancelAsync();
                    }

                    try
                    {
                        await call;
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref cancelled);
                    }
                }
            }));
            await Task.WhenAll(plain.Concat(durable)).WaitAsync(TimeSpan.FromMinutes(2));
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        }
        finally
        {
            await recorder.DisposeAsync();
        }

        var counters = recorder.Counters;
        counters.ShouldHoldIdentity();
        counters.Accepted.Should().Be(4 * perCaller);
        counters.Pending.Should().Be(0);
        counters.Written.Should().Be(sink.Entries);
        sink.BatchSizes.Max().Should().BeLessThanOrEqualTo(capacity, "the queue never holds more than its capacity");

        // A cancelled durable call was either refused before it was queued (failed) or written after all (its wait
        // for the write was what got cancelled).
        counters.Failed.Should().BeLessThanOrEqualTo(cancelled);
    }

    /// <summary>A sink that takes a little time per batch, counts entries and keeps the size of every batch.</summary>
    private sealed class BatchSizeSink : IAuditSink
    {
        private readonly object _lock = new();
        private readonly List<int> _batchSizes = new();

        public long Entries { get; private set; }

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

        public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
        {
            // Slower than the callers, so that the queue is full most of the time.
            Thread.SpinWait(20_000);
            lock (_lock)
            {
                _batchSizes.Add(batch.Count);
                Entries += batch.Count;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Entry 0 stalls in the sink, the writer holds entry 1 as its next batch and parks, and entry 2 takes the
    /// queue's one place.
    /// </summary>
    private static async Task FillQueueAsync(AuditRecorder recorder, SteppedSink sink)
    {
        recorder.Record(Calls.Typical(sequence: 0));
        await sink.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();
        recorder.Record(Calls.Typical(sequence: 2));
    }

    private static Thread StartThread(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        return thread;
    }
}
