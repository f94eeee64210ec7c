using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

public sealed class AuditRecorderTests
{
    [Theory]
    [InlineData(null, "tool")]
    [InlineData("", "tool")]
    [InlineData("alice", null)]
    [InlineData("alice", "")]
    public async Task Record_NullOrEmptyUserOrTool_ThrowsArgumentExceptionAndCountsNothing(string? user, string? tool)
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        var record = () => recorder.Record(new ToolCall(user!, tool!, null, AuditStatus.Ok));
        var durable = async () => await recorder.RecordDurableAsync(new ToolCall(user!, tool!, null, AuditStatus.Ok));

        record.Should().Throw<ArgumentException>();
        await durable.Should().ThrowAsync<ArgumentException>();
        recorder.Counters.Should().Be(default(AuditCounters));
    }

    [Theory]
    [InlineData(null, "tool", 0, "user")]
    [InlineData("", "tool", 0, "user")]
    [InlineData("(a lone surrogate)", "tool", 0, "user")]
    [InlineData("alice", null, 0, "tool")]
    [InlineData("alice", "", 0, "tool")]
    [InlineData("alice", "tool", 3, "status")]
    public async Task RecordInOneLine_BadArgument_ThrowsNamingTheArgumentPassedAndCountsNothing(string? user, string? tool, int status, string parameter)
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        user = user == "(a lone surrogate)" ? "al" + (char)0xD800 + "ice" : user;
        var record = () => recorder.Record(user!, tool!, null, (AuditStatus)status);

        record.Should().ThrowExactly<ArgumentException>().WithParameterName(parameter);
        recorder.Counters.Should().Be(default(AuditCounters));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public async Task Record_UndefinedStatus_ThrowsArgumentExceptionNamingItAndCountsNothing(int status)
    {
        // No store could keep it (the files have no word for it): refused at the call, like an empty tool, rather than
        // accepted and then lost in the writer, or kept by one store of a composite and not by the other.
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        var call = new ToolCall("alice", "tool", null, (AuditStatus)status);

        var record = () => recorder.Record(call);
        var durable = async () => await recorder.RecordDurableAsync(call);

        record.Should().Throw<ArgumentException>().WithMessage("*status*");
        (await durable.Should().ThrowAsync<ArgumentException>()).WithMessage("*status*");
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(default(AuditCounters));
        sink.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Record_WithoutFlush_IsWrittenAfterIdleAndWhileTheWriterNaps()
    {
        var sink = new SignallingSink();
        await using var recorder = new AuditRecorder(sink);

        // The first call finds the writer asleep; the second comes while it naps after the first batch. Neither
        // flushes: both must reach the sink on the writer's own account.
        recorder.Record(new ToolCall("alice", "first", null, AuditStatus.Ok));
        await sink.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));
        recorder.Record(new ToolCall("alice", "second", null, AuditStatus.Ok));
        await sink.Written(2).WaitAsync(TimeSpan.FromSeconds(30));

        sink.Entries.Select(e => e.Tool).Should().Equal("first", "second");

        // The sink has both; the recorder counts a batch once the sink returns, so wait for that before reading.
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(new AuditCounters(2, 2, 0, 0, 0));
    }

    [Fact]
    public async Task Record_InsideContextAndActivity_CapturesThemAtCallTime()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        using var activity = new Activity("agent-turn").SetIdFormat(ActivityIdFormat.W3C).Start();

        using (ToolAuditContext.Begin(engine: "openai", model: "gpt-4o", user: "alice", sessionId: "s-1", taskId: "t-1"))
        {
            recorder.Record(new ToolCall("alice", "search", null, AuditStatus.Ok, "hit") { CallId = "call_1", Confirmed = true, Duration = TimeSpan.FromMilliseconds(12.5) });
        }

        // Changing the context after the call must not change the entry.
        ToolAuditContext.Set("other", "other");
        await recorder.FlushAsync();

        var entry = sink.Entries.Should().ContainSingle().Subject;
        entry.Should().BeEquivalentTo(new
        {
            User = "alice",
            Tool = "search",
            Engine = "openai",
            Model = "gpt-4o",
            SessionId = "s-1",
            TaskId = "t-1",
            CallId = "call_1",
            Confirmed = true,
            DurationMs = 12.5,
            ResultChars = 3,
            ResultSnippet = "hit",
            TraceId = activity.TraceId.ToHexString(),
            SpanId = activity.SpanId.ToHexString(),
        });
        entry.Id.Should().MatchRegex("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    }

    [Fact]
    public async Task Record_CallValuesSet_OverrideTheContext()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        using (ToolAuditContext.Begin(engine: "openai", model: "gpt-4o", sessionId: "ctx-session"))
        {
            recorder.Record(new ToolCall("bob", "search", null, AuditStatus.Ok) { Engine = "azure", Model = "o3", SessionId = "call-session" });
        }

        await recorder.FlushAsync();
        sink.Entries.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Engine = "azure", Model = "o3", SessionId = "call-session" });
    }

    [Fact]
    public async Task Record_WithException_WritesTypeAndMessageAsError()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        recorder.Record(new ToolCall("bob", "fetch", null, AuditStatus.Error) { Exception = new InvalidOperationException("boom") });
        recorder.Record(new ToolCall("bob", "delete", null, AuditStatus.Denied) { Error = "refused by policy", Exception = new InvalidOperationException("ignored") });
        await recorder.FlushAsync();

        sink.Entries.Select(e => e.Error).Should().Equal("System.InvalidOperationException: boom", "refused by policy");
    }

    [Fact]
    public async Task Record_IdsOfOneRecorder_AreUniqueAndIncreaseInWriteOrder()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        for (var i = 0; i < 10_000; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        await recorder.FlushAsync();
        var ids = sink.Entries.Select(e => e.Id!).ToList();
        ids.Should().OnlyHaveUniqueItems();
        ids.Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public async Task WriterThread_CreatedInsideContextAndActivity_DoesNotInheritThem()
    {
        var sink = new CollectingSink();
        AuditRecorder recorder;
        using (ToolAuditContext.Begin(engine: "leaky", user: "creator"))
        using (new Activity("creator").Start())
        {
            recorder = new AuditRecorder(sink);
        }

        await using (recorder)
        {
            using (ToolAuditContext.Begin(engine: "caller-engine"))
            using (new Activity("caller").Start())
            {
                recorder.Record(Calls.Typical());
            }

            await recorder.FlushAsync();
        }

        sink.ContextSeenByWriter.Should().Be(AuditContext.Empty);
        sink.ActivitySeenByWriter.Should().BeNull();
        sink.Entries.Should().ContainSingle().Which.Engine.Should().Be("caller-engine");
    }

    [Fact]
    public async Task Record_SinkThrowsOnEveryTenthBatch_OtherSinksCompleteAndCountersExact()
    {
        var throwing = new ThrowingSink(everyNthBatch: 10);
        var complete = new CollectingSink();
        // Producers outrun the writer and wait for room; with no wait limit, a slow moment of a busy test machine
        // cannot turn into drops: this test is about failures, and the counters must come out exact.
        var recorder = new AuditRecorder(new CompositeAuditSink(throwing, complete), new ToolAuditOptions { MaxBatchSize = 7, OverflowWaitTimeout = Timeout.InfiniteTimeSpan });

        const int total = 20_000;
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < total / 4; i++)
            {
                recorder.Record(Calls.Typical(sequence: (p * total / 4) + i));
            }
        })).ToArray();
        await Task.WhenAll(producers);
        await recorder.DisposeAsync();

        var counters = recorder.Counters;
        counters.ShouldHoldIdentity();
        throwing.Rejected.Should().BeGreaterThan(0);
        counters.Should().Be(new AuditCounters(total, total - throwing.Rejected, 0, throwing.Rejected, 0));
        complete.Entries.Should().HaveCount(total);
        complete.Entries.Select(e => e.Args!["seq"].GetInt32()).Should().OnlyHaveUniqueItems();
        throwing.Kept.Should().HaveCount((int)(total - throwing.Rejected));
    }

    [Fact]
    public async Task Record_WaitModeQueueFull_BlocksThenResumesWithoutLossWhenTheSinkMoves()
    {
        var sink = new GatedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 4, MaxBatchSize = 1, OverflowWaitTimeout = Timeout.InfiniteTimeSpan });

        recorder.Record(Calls.Typical(sequence: 0));
        await sink.WaitForWriteStartedAsync();      // the sink stage holds entry 0 inside the stalled sink
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();               // the writer holds entry 1 as the next batch, and parks
        for (var i = 2; i <= 5; i++)
        {
            recorder.Record(Calls.Typical(sequence: i)); // fills the queue
        }

        var blocked = new Thread(() => recorder.Record(Calls.Typical(sequence: 6)));
        blocked.Start();
        recorder.WaitForWaitingProducers(1);
        blocked.IsAlive.Should().BeTrue("the queue is full, so Record waits for room");
        recorder.Counters.Should().Be(new AuditCounters(7, 0, 0, 0, 7));

        sink.Open();
        blocked.Join();
        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(7, 7, 0, 0, 0));
        sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public async Task Record_PoolThreadWaitsLong_GoesOnWaitingOnATaskAndLosesNothing()
    {
        var sink = new GatedSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowWaitTimeout = Timeout.InfiniteTimeSpan });

        recorder.Record(Calls.Typical(sequence: 0));
        await sink.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();
        recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot

        // A caller on a pool thread: after a short wait on the monitor it waits in a way the pool can see.
        var pooled = Task.Run(() => recorder.Record(Calls.Typical(sequence: 3)));
        var spinner = new SpinWait();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.PoolHandOvers == 0)
        {
            pooled.IsCompleted.Should().BeFalse("the queue is still full");
            DateTime.UtcNow.Should().BeBefore(deadline, "the pooled caller must hand over within its short monitor wait");
            spinner.SpinOnce();
        }

        pooled.IsCompleted.Should().BeFalse();
        recorder.Counters.Should().Be(new AuditCounters(4, 0, 0, 0, 4));

        sink.Open();
        await pooled;
        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(4, 4, 0, 0, 0));
        sink.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task Record_WaitModeTimesOut_DropsCountsAndLaterCallsDropAtOnceUntilRoom()
    {
        var clock = new FakeTimeProvider();
        var gated = new GatedSink();
        var gaps = new CollectingSink();
        var options = new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowWaitTimeout = TimeSpan.FromSeconds(2) };
        var recorder = new AuditRecorder(new CompositeAuditSink(gated, gaps), options, clock);

        recorder.Record(Calls.Typical("alice", sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical("alice", sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        recorder.Record(Calls.Typical("alice", sequence: 2)); // the one queue slot

        var waiting = new Thread(() => recorder.Record(Calls.Typical("bob", sequence: 3)));
        waiting.Start();
        recorder.WaitForWaitingProducers(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        waiting.IsAlive.Should().BeTrue("half the timeout has passed");
        clock.Advance(TimeSpan.FromSeconds(1));
        waiting.Join();

        // Now overflowing: this call must not wait at all (it would hang the test if it did).
        recorder.Record(Calls.Typical("bob", sequence: 4));
        recorder.Counters.Should().Be(new AuditCounters(5, 0, 2, 0, 3));

        gated.Open();
        await recorder.FlushAsync();
        recorder.Record(Calls.Typical("alice", sequence: 5)); // room again: queued, not dropped
        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(6, 4, 2, 0, 0));
        gated.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 5);
        gaps.Gaps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { User = "bob", Dropped = 2L });
    }

    [Fact]
    public async Task Record_DropNotedAfterShutdownWroteTheLastGaps_IsCountedRefusedNotDroppedWithoutAMarker()
    {
        // A caller found the queue full, then shutdown finished (the writer wrote its last gap markers) before it noted
        // its drop: counted as dropped, it would be a drop the trail never tells.
        var store = new InMemoryAuditStore(100);
        var gated = new GatedGapSink(store);
        var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest });
        try
        {
            using var held = await HeldDrop.StartAsync(recorder, gated);
            gated.Open();
            await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            held.Release().Should().BeTrue();
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 3, Dropped: 0, Failed: 1, Pending: 0));
            store.Dropped.Should().Be(recorder.Counters.Dropped, "every drop counted is in the trail");
        }
        finally
        {
            gated.Open();
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task Record_DropNewestQueueFull_NeverWaitsAndCountsDropsExactly()
    {
        var gated = new GatedSink();
        var gaps = new CollectingSink();
        var recorder = new AuditRecorder(new CompositeAuditSink(gated, gaps), new ToolAuditOptions { QueueCapacity = 3, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest });

        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical("bob", sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        for (var i = 2; i <= 1_001; i++)
        {
            recorder.Record(Calls.Typical(i % 2 == 0 ? "alice" : "bob", sequence: i));
        }

        var counters = recorder.Counters;
        counters.Should().Be(new AuditCounters(1_002, 0, 997, 0, 5));

        gated.Open();
        await recorder.DisposeAsync();
        recorder.Counters.Should().Be(new AuditCounters(1_002, 5, 997, 0, 0));
        gated.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2, 3, 4);
        gaps.Gaps.Sum(g => g.Dropped).Should().Be(997);
        gaps.Gaps.Select(g => g.User).Should().BeEquivalentTo("alice", "bob");
    }

    [Fact]
    public async Task RecordDurableAsync_SinkWrites_CompletesOnlyAfterTheEntryIsWritten()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated);

        var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: 42)).AsTask();
        await gated.WaitForWriteStartedAsync();
        durable.IsCompleted.Should().BeFalse("the sink has not written it yet");

        gated.Open();
        await durable;
        gated.Written.Should().ContainSingle().Which.Args!["seq"].GetInt32().Should().Be(42);
        recorder.Counters.Written.Should().Be(1);
    }

    [Fact]
    public async Task RecordDurableAsync_SinkFails_ThrowsAuditWriteExceptionNamingTheSink()
    {
        var failing = new ThrowingSink(everyNthBatch: 1);
        var fine = new CollectingSink();
        await using var recorder = new AuditRecorder(new CompositeAuditSink(fine, failing));

        var act = async () => await recorder.RecordDurableAsync(Calls.Typical());

        (await act.Should().ThrowAsync<AuditWriteException>()).Which.FailedSinks.Should().Equal(nameof(ThrowingSink));
        fine.Entries.Should().ContainSingle();
        recorder.Counters.Should().Be(new AuditCounters(1, 0, 0, 1, 0));
    }

    [Fact]
    public async Task RecordDurableAsync_QueueFull_WaitsForRoomInsteadOfDropping()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest });

        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot
        var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: 3)).AsTask();
        durable.IsCompleted.Should().BeFalse();
        recorder.Counters.Dropped.Should().Be(0, "a durable call waits for room, whatever the overflow mode");

        gated.Open();
        await durable;
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(new AuditCounters(4, 4, 0, 0, 0));
    }

    [Fact]
    public async Task RecordDurableAsync_CancelledWhileWaitingForRoom_ThrowsIsCountedFailedAndNeverWritten()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1 });
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot
        using var cancel = new CancellationTokenSource();
        var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: 3), cancel.Token).AsTask();
        durable.IsCompleted.Should().BeFalse("the queue is full");

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => durable).Should().ThrowAsync<OperationCanceledException>();
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 0, Dropped: 0, Failed: 1, Pending: 3));
        gated.Open();
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 3, Dropped: 0, Failed: 1, Pending: 0));
        gated.Written.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task FlushAsync_AfterRecords_ReturnsWhenAllAreWritten()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink, new ToolAuditOptions { MaxBatchSize = 3 });

        for (var i = 0; i < 1_000; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        await recorder.FlushAsync();
        sink.Entries.Should().HaveCount(1_000);
        recorder.Counters.Should().Be(new AuditCounters(1_000, 1_000, 0, 0, 0));
    }

    [Fact]
    public async Task FlushAsync_NothingRecorded_CompletesAtOnce()
    {
        await using var recorder = new AuditRecorder(new CollectingSink());
        recorder.FlushAsync().IsCompleted.Should().BeTrue();
    }

    [Fact]
    public async Task DisposeAsync_SinkHangs_GivesUpAfterShutdownTimeoutAndCountsTheRestAsFailed()
    {
        var clock = new FakeTimeProvider();
        var hung = new GatedSink(honourCancellation: false);
        var recorder = new AuditRecorder(hung, new ToolAuditOptions { MaxBatchSize = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) }, clock);

        recorder.Record(Calls.Typical(sequence: 0));
        await hung.WaitForWriteStartedAsync();
        var durable = recorder.RecordDurableAsync(Calls.Typical(sequence: 1)).AsTask();
        for (var i = 2; i < 10; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        var dispose = recorder.DisposeAsync().AsTask();
        dispose.IsCompleted.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(5));
        await dispose;

        recorder.Counters.Should().Be(new AuditCounters(10, 0, 0, 10, 0));
        await durable.Invoking(d => d).Should().ThrowAsync<AuditWriteException>();

        // The sink wakes up later: nothing is counted twice.
        hung.Open();
        recorder.Counters.Should().Be(new AuditCounters(10, 0, 0, 10, 0));
    }

    [Fact]
    public async Task Record_AfterDispose_IsCountedAsFailedAndNeverThrows()
    {
        var sink = new CollectingSink();
        var recorder = new AuditRecorder(sink);
        recorder.Record(Calls.Typical());
        await recorder.DisposeAsync();
        await recorder.DisposeAsync(); // twice is fine

        recorder.Invoking(r => r.Record(Calls.Typical())).Should().NotThrow();
        await recorder.Invoking(r => r.RecordDurableAsync(Calls.Typical()).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        recorder.Counters.Should().Be(new AuditCounters(2, 1, 0, 1, 0));
        sink.Entries.Should().ContainSingle();
    }

    [Fact]
    public async Task DisposeAsync_ManyQueued_DrainsEverything()
    {
        var sink = new CollectingSink();
        var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = 100_000, MaxBatchSize = 10 });
        for (var i = 0; i < 50_000; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        await recorder.DisposeAsync();
        sink.Entries.Select(e => e.Args!["seq"].GetInt32()).Should().Equal(Enumerable.Range(0, 50_000));
        recorder.Counters.Should().Be(new AuditCounters(50_000, 50_000, 0, 0, 0));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheOption()
    {
        var act = () => new AuditRecorder(new CollectingSink(), new ToolAuditOptions { QueueCapacity = 0, MaxBatchSize = -1 });
        act.Should().Throw<ArgumentException>().WithMessage("*QueueCapacity*").WithMessage("*MaxBatchSize*");
    }
}
