using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Composite;

public sealed class CompositeAuditSinkTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsync_OneSinkThrows_OthersGetTheWholeBatchAndTheFailureNamesTheSink()
    {
        var before = new CollectingSink();
        var failing = new ThrowingSink(everyNthBatch: 1);
        var after = new CollectingSink();
        var composite = new CompositeAuditSink(before, failing, after);
        var batch = Batch(5);

        var write = async () => await composite.WriteAsync(batch, default);

        var error = (await write.Should().ThrowAsync<AuditWriteException>()).Which;
        error.FailedSinks.Should().Equal("ThrowingSink");
        error.Message.Should().Contain("ThrowingSink");
        error.InnerException.Should().BeOfType<IOException>();
        before.Entries.Should().Equal(batch);
        after.Entries.Should().Equal(batch);
    }

    [Fact]
    public async Task WriteAsync_SeveralSinksFail_NamesEachInOrderAndKeepsEveryFailure()
    {
        var good = new CollectingSink();
        var composite = new CompositeAuditSink(new ThrowingSink(1), good, new FaultingSink());

        var write = async () => await composite.WriteAsync(Batch(2), default);

        var error = (await write.Should().ThrowAsync<AuditWriteException>()).Which;
        error.FailedSinks.Should().Equal("ThrowingSink", "FaultingSink");
        error.InnerException.Should().BeOfType<AggregateException>()
            .Which.InnerExceptions.Select(e => e.GetType()).Should().Equal(typeof(IOException), typeof(TimeoutException));
        good.Entries.Should().HaveCount(2);
    }

    [Fact]
    public async Task RecordDurableAsync_OneSinkOfACompositeThrows_ThrowsAuditWriteExceptionNamingItAndTheOthersHaveTheEntry()
    {
        var first = new CollectingSink();
        var second = new InMemoryAuditStore(10);
        await using var recorder = new AuditRecorder(new CompositeAuditSink(first, new ThrowingSink(1), second));

        var durable = async () => await recorder.RecordDurableAsync(Calls.Typical());

        var error = (await durable.Should().ThrowAsync<AuditWriteException>()).Which;
        error.FailedSinks.Should().Equal("ThrowingSink");
        first.Entries.Should().ContainSingle();
        second.Count.Should().Be(1);
        recorder.Counters.Should().Be(new AuditCounters(1, 0, 0, 1, 0));
    }

    [Fact]
    public async Task WriteAsync_LastSinkThrowsAtOnceAndAnEarlierOneLater_FailuresAreInTheOrderOfTheirNames()
    {
        // The last sink runs on the caller's thread and throws before the earlier one (on the pool) has failed: the
        // inner failures must still pair up with the names, sink by sink.
        var composite = new CompositeAuditSink(new FaultingSink(), new ThrowingSink(1));

        var write = async () => await composite.WriteAsync(Batch(2), default);

        var error = (await write.Should().ThrowAsync<AuditWriteException>()).Which;
        error.FailedSinks.Should().Equal("FaultingSink", "ThrowingSink");
        error.InnerException.Should().BeOfType<AggregateException>()
            .Which.InnerExceptions.Select(e => e.GetType()).Should().Equal(typeof(TimeoutException), typeof(IOException));
    }

    [Fact]
    public async Task WriteAsync_AsynchronousSlowSink_DoesNotDelayTheOthersWriteOfTheSameBatch()
    {
        var slow = new AsyncGatedSink();
        var quick = new SignallingSink();
        var composite = new CompositeAuditSink(slow, quick);
        var batch = Batch(3);

        var write = composite.WriteAsync(batch, default).AsTask();

        // The slow sink is still waiting, yet the quick one already has the batch.
        await slow.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        await quick.FirstWrite.WaitAsync(TimeSpan.FromSeconds(10));
        quick.Entries.Should().Equal(batch);
        write.IsCompleted.Should().BeFalse("the composite completes when every sink is done");

        slow.Open();
        await write;
        slow.Written.Should().Equal(batch);
    }

    [Fact]
    public async Task WriteAsync_SlowSinkThatBlocksItsThread_DoesNotDelayTheOthersWriteOfTheSameBatch()
    {
        // Sinks doing synchronous I/O (a file, a database driver without async) block inside WriteAsync; the one
        // placed first must not hold back the others.
        var slow = new GatedSink();
        var quick = new SignallingSink();
        var composite = new CompositeAuditSink(slow, quick);
        var batch = Batch(3);
        var write = Task.Run(() => composite.WriteAsync(batch, default).AsTask());
        try
        {
            await slow.WaitForWriteStartedAsync();

            // Bounded so that a regression fails instead of hanging; when it works, the event has already happened.
            var quickGotTheBatch = await quick.FirstWrite.WaitAsync(TimeSpan.FromSeconds(10))
                .ContinueWith(static t => t.IsCompletedSuccessfully, TaskScheduler.Default);

            quickGotTheBatch.Should().BeTrue("the quick sink must get the batch while the slow one is still blocked");
            quick.Entries.Should().Equal(batch);
            write.IsCompleted.Should().BeFalse();
        }
        finally
        {
            slow.Open();
            await write;
        }

        slow.Written.Should().Equal(batch);
    }

    [Fact]
    public async Task WriteGapsAsync_MixedSinks_PassesGapsOnlyToGapSinks()
    {
        var gapSink = new CollectingSink();
        var plain = new SignallingSink();
        var composite = new CompositeAuditSink(plain, gapSink);
        AuditGap[] gaps = [new AuditGap("alice", 3, At, At.AddSeconds(1))];

        await composite.WriteGapsAsync(gaps, default);

        gapSink.Gaps.Should().Equal(gaps);
        plain.Entries.Should().BeEmpty();
    }

    [Fact]
    public void Constructor_NoSinksOrANullSink_Throws()
    {
        var empty = () => new CompositeAuditSink();
        var withNull = () => new CompositeAuditSink(new CollectingSink(), null!);

        empty.Should().Throw<ArgumentException>();
        withNull.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void ToString_Always_NamesItsSinksInOrder()
    {
        var composite = new CompositeAuditSink(new CollectingSink(), new InMemoryAuditStore(1));

        composite.ToString().Should().Be("Composite(CollectingSink, InMemoryAuditStore)");
        composite.Sinks.Should().HaveCount(2);
    }

    private static List<AuditEntry> Batch(int count) =>
        Enumerable.Range(0, count).Select(i => Entries.At(At.AddSeconds(i), sequence: i)).ToList();

    /// <summary>A sink whose write fails asynchronously (a faulted task rather than a throw).</summary>
    private sealed class FaultingSink : IAuditSink
    {
        public async ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new TimeoutException("remote sink timed out");
        }
    }
}
