using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// Races of queue admission pinned at exact points: a call that leaves unqueued ahead of a waiter while the writer
/// frees a place at the same time.
/// </summary>
public sealed class QueueAdmissionRaceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The leaving call reads the writer's count, then (before it counts itself for the waiter) the writer takes a call
    /// and wakes the waiter, which still finds no room (the leaver is not counted yet). Only both together give the
    /// waiter its place: the leaving call must see that, or nothing ever wakes the waiter.
    /// </summary>
    [Fact]
    public async Task Record_CallAheadLeavesUnqueuedWhileWriterFreesAPlace_WaiterIsWoken()
    {
        var time = new ThreadHookTimeProvider();
        var sink = new SteppedSink();

        // The fake clock never moves: the waiter's wait cannot run out, so only a wake-up lets it in.
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 8, OverflowWaitTimeout = TimeSpan.FromMinutes(10) }, time);
        var gate = recorder.RoomWaiters.Gate;
        var go = 0;
        using var parked = new ManualResetEventSlim();
        using var rechecked = new ManualResetEventSlim();
        try
        {
            await FillQueueAsync(recorder, sink);
            Dequeued(recorder).Should().Be(2);

            // The call ahead (ticket 4) finds the queue full; where its wait begins, its clock fails, so it leaves
            // unqueued without having registered.
            var ahead = new Thread(() => recorder.Record(Calls.Typical(sequence: 3))) { IsBackground = true };
            time.Hook(ahead.ManagedThreadId, _ =>
            {
                parked.Set();
                while (Volatile.Read(ref go) == 0)
                {
                    Thread.Yield();
                }

                throw new InvalidOperationException("The clock failed.");
            });
            ahead.Start();
            parked.Wait(Patience).Should().BeTrue();

            // The waiter (ticket 5): its fourth timestamp read is its look at the queue after the writer's wake-up
            // (wait start, alarm, first look, look after the wake-up).
            var waiter = new Thread(() => recorder.Record(Calls.Typical(sequence: 4))) { IsBackground = true };
            time.Hook(waiter.ManagedThreadId, count =>
            {
                if (count == 4)
                {
                    rechecked.Set();
                }
            });
            waiter.Start();
            recorder.WaitForWaitingProducers(1);

            Monitor.Enter(gate);
            try
            {
                // The call ahead leaves: counts itself not queued, reads the writer's count (2), and stops at the
                // waiters' lock, held here.
                Volatile.Write(ref go, 1);
                SpinUntil(() => NotQueued(recorder) == 1 && (ahead.ThreadState & ThreadState.WaitSleepJoin) != 0, "the call ahead never stopped at the waiters' lock");

                // The writer takes entry 2 (one place free) and wakes the waiter, which looks and finds none: the
                // call ahead is not counted for it yet.
                sink.Step();
                rechecked.Wait(Patience).Should().BeTrue("the writer's wake-up makes the waiter look again");
                Dequeued(recorder).Should().Be(3);
            }
            finally
            {
                Monitor.Exit(gate);
            }

            ahead.Join(Patience).Should().BeTrue();

            // Now both places are free for it: ticket 5 - 3 taken - 1 left ahead = 1 <= capacity.
            waiter.Join(TimeSpan.FromSeconds(10)).Should().BeTrue("the waiter has room and must be woken, not left asleep until its wait runs out");
            sink.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(Patience);
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 5, Written: 4, Dropped: 0, Failed: 1, Pending: 0));
            sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 4);
        }
        finally
        {
            Volatile.Write(ref go, 1);
            sink.Open();
            await recorder.DisposeAsync();
        }
    }

    /// <summary>
    /// Shutdown comes while a durable call waits for room, between its look at whether the recorder stopped and its
    /// taking the room signal: the signal shutdown completes is the one before. The sink hangs, so the writer frees no
    /// place that would signal again; shutdown gives up on it and drains the queue. The durable call must still be
    /// told the recorder is shut down, not wait forever.
    /// </summary>
    [Fact]
    public async Task RecordDurableAsync_ShutdownBetweenStopCheckAndSignal_CallerIsRefusedNotLeftWaiting()
    {
        var clock = new FakeTimeProvider();
        var sink = new SteppedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 8, ShutdownTimeout = TimeSpan.FromSeconds(5) }, clock);
        Task? disposing = null;
        try
        {
            await FillQueueAsync(recorder, sink);
            recorder.BeforeRoomSignalTakenHook = () =>
            {
                recorder.BeforeRoomSignalTakenHook = null;

                // Runs synchronously up to its wait for the writer: the recorder is shutting down and has signalled.
                disposing = recorder.DisposeAsync().AsTask();
            };

            var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: 3)).AsTask();
            disposing.Should().NotBeNull("the durable call found the queue full and began to wait");

            // The sink hangs: shutdown gives up on it, counts the rest as failed and drains the queue.
            SpinUntil(() => { clock.Advance(TimeSpan.FromSeconds(1)); return disposing!.IsCompleted; }, "shutdown never gave up on the sink");
            await disposing!.WaitAsync(Patience);

            await FluentActions.Awaiting(() => durable.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<ObjectDisposedException>("the recorder shut down while the call waited");
            recorder.Counters.ShouldHoldIdentity();
            recorder.Counters.Pending.Should().Be(0);
        }
        finally
        {
            recorder.BeforeRoomSignalTakenHook = null;
            sink.Open();
            await recorder.DisposeAsync();
        }
    }

    private static long Dequeued(AuditRecorder recorder) => recorder.Dequeued;

    private static long NotQueued(AuditRecorder recorder) => recorder.NotQueued;

    private static void SpinUntil(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(because);
            }

            Thread.Yield();
        }
    }

    /// <summary>Entry 0 stalls in the sink, the writer holds entry 1 and parks, entry 2 takes the queue's one place.</summary>
    internal static async Task FillQueueAsync(AuditRecorder recorder, SteppedSink sink)
    {
        recorder.Record(Calls.Typical(sequence: 0));
        await sink.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();
        recorder.Record(Calls.Typical(sequence: 2));
    }

    /// <summary>A fake clock that runs a hook of the test on every timestamp read of a given thread, with that thread's read count.</summary>
    internal sealed class ThreadHookTimeProvider : TimeProvider
    {
        private readonly ConcurrentDictionary<int, Action<int>> _hooks = new();
        private readonly ConcurrentDictionary<int, int> _counts = new();

        public FakeTimeProvider Clock { get; } = new();

        public override long TimestampFrequency => Clock.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

        public void Hook(int threadId, Action<int> hook) => _hooks[threadId] = hook;

        public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

        public override long GetTimestamp()
        {
            var id = Environment.CurrentManagedThreadId;
            if (_hooks.TryGetValue(id, out var hook))
            {
                hook(_counts.AddOrUpdate(id, 1, (_, c) => c + 1));
            }

            return Clock.GetTimestamp();
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Clock.CreateTimer(callback, state, dueTime, period);
    }
}
