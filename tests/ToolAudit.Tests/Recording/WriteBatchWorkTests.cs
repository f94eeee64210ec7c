using ToolAudit.Recording;

namespace ToolAudit.Tests.Recording;

/// <summary>The writer claims a batch from the front while the sink thread may take over its tail: every call once.</summary>
public sealed class WriteBatchWorkTests
{
    [Fact]
    public void TryClaimFront_Alone_ClaimsEveryCallOnceInOrder()
    {
        var work = Batch(1000);

        var claimed = ClaimAllFront(work);

        claimed.Should().Equal(Enumerable.Range(0, 1000));
    }

    [Fact]
    public void TryTakeTail_AfterSomeFrontClaims_TakesTheLastTwoThirdsOfTheRestOnceAndTheFrontStopsThere()
    {
        var work = Batch(1000);
        work.TryClaimFront(out var firstStart, out var firstEnd).Should().BeTrue();

        work.TryTakeTail(out var tailStart, out var tailEnd).Should().BeTrue();
        work.TryTakeTail(out _, out _).Should().BeFalse("the tail is taken once per batch");

        tailEnd.Should().Be(1000);
        tailStart.Should().Be(firstEnd + ((1000 - firstEnd) / 3));
        var front = Enumerable.Range(firstStart, firstEnd - firstStart).Concat(ClaimAllFront(work)).ToList();
        front.Concat(Enumerable.Range(tailStart, tailEnd - tailStart)).Should().Equal(Enumerable.Range(0, 1000));
    }

    [Fact]
    public void TryTakeTail_WhenLittleIsLeft_DeclinesAndTheFrontTakesItAll()
    {
        var work = Batch(40);

        work.TryTakeTail(out _, out _).Should().BeFalse();
        ClaimAllFront(work).Should().Equal(Enumerable.Range(0, 40));
    }

    [Fact]
    public void TryTakeTail_BeforeClaimsOpenOrAfterReset_Declines()
    {
        var work = new WriteBatchWork(16);
        work.Calls.AddRange(Enumerable.Range(0, 500).Select(_ => Captured()));
        work.TryTakeTail(out _, out _).Should().BeFalse("claims are not open yet");

        work.OpenClaims();
        work.Reset();
        work.TryTakeTail(out _, out _).Should().BeFalse();
        work.TryClaimFront(out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Claims_FromTwoThreadsAtOnce_CoverEveryCallExactlyOnce()
    {
        for (var round = 0; round < 200; round++)
        {
            var work = Batch(4096);
            var owner = new int[4096];
            using var start = new Barrier(2);
            var writer = new Thread(() =>
            {
                start.SignalAndWait();
                while (work.TryClaimFront(out var from, out var to))
                {
                    for (var i = from; i < to; i++)
                    {
                        Interlocked.Increment(ref owner[i]);
                    }
                }
            });
            writer.Start();
            start.SignalAndWait();
            if (work.TryTakeTail(out var tailFrom, out var tailTo))
            {
                for (var i = tailFrom; i < tailTo; i++)
                {
                    Interlocked.Increment(ref owner[i]);
                }
            }

            writer.Join();
            owner.Should().AllSatisfy(count => count.Should().Be(1), $"round {round}");
        }
    }

    private static WriteBatchWork Batch(int count)
    {
        var work = new WriteBatchWork(16);
        work.Calls.AddRange(Enumerable.Range(0, count).Select(_ => Captured()));
        work.IdSequencesToFill().Length.Should().Be(count);
        work.OpenClaims();
        return work;
    }

    private static List<int> ClaimAllFront(WriteBatchWork work)
    {
        var claimed = new List<int>();
        while (work.TryClaimFront(out var start, out var end))
        {
            claimed.AddRange(Enumerable.Range(start, end - start));
        }

        return claimed;
    }

    private static CapturedCall Captured() => new() { Call = new ToolCall("alice", "tool", null, AuditStatus.Ok), UtcTicks = 0 };
}
