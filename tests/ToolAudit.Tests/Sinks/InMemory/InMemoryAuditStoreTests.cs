using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.InMemory;

/// <summary>The ring buffer: capacity, recent, subscribers, export, clear; plus the store contract.</summary>
public sealed class InMemoryAuditStoreTests : AuditStoreContractTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_CapacityBelowOne_ThrowsArgumentOutOfRangeException(int capacity)
    {
        var create = () => new InMemoryAuditStore(capacity);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task WriteAsync_MoreThanCapacity_EvictsTheOldestFirst()
    {
        var store = new InMemoryAuditStore(3);

        await store.WriteAsync(Batch(0, 2), default);
        await store.WriteAsync(Batch(2, 3), default);

        store.Capacity.Should().Be(3);
        store.Count.Should().Be(3);
        store.Recent(10).Select(e => e.Seq()).Should().Equal(4, 3, 2);
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Seq()).Should().Equal(4, 3, 2);
        (await store.CountAsync(new AuditQuery())).Should().Be(3);
    }

    [Fact]
    public async Task WriteAsync_BatchHoldingANullEntry_ThrowsAndStoresNothingOfIt()
    {
        var store = new InMemoryAuditStore(4);
        var entries = Batch(0, 3);
        var seen = new List<int>();
        using var subscription = store.Subscribe(e => seen.Add(e.Seq()));
        List<AuditEntry> batch = [entries[0], null!, entries[2]];

        var write = async () => await store.WriteAsync(batch, default);

        await write.Should().ThrowAsync<ArgumentNullException>();
        store.Count.Should().Be(0, "a batch the store refuses is refused whole, not stored in part");
        seen.Should().BeEmpty();
    }

    [Fact]
    public async Task WriteAsync_OneBatchLargerThanCapacity_KeepsItsNewestEntries()
    {
        var store = new InMemoryAuditStore(4);

        await store.WriteAsync(Batch(0, 10), default);

        store.Count.Should().Be(4);
        store.Recent(4).Select(e => e.Seq()).Should().Equal(9, 8, 7, 6);
    }

    [Fact]
    public async Task Recent_SeveralCounts_ReturnsThatManyNewestFirst()
    {
        var store = new InMemoryAuditStore(100);
        await store.WriteAsync(Batch(0, 5), default);

        store.Recent(2).Select(e => e.Seq()).Should().Equal(4, 3);
        store.Recent(0).Should().BeEmpty();
        store.Recent(50).Select(e => e.Seq()).Should().Equal(4, 3, 2, 1, 0);
        store.Invoking(s => s.Recent(-1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Subscribe_UntilDisposed_ReceivesEveryStoredEntryInOrder()
    {
        var store = new InMemoryAuditStore(2);
        var first = new List<int>();
        var second = new List<int>();
        var subscription = store.Subscribe(e => first.Add(e.Seq()));
        using var other = store.Subscribe(e => second.Add(e.Seq()));

        await store.WriteAsync(Batch(0, 3), default);
        subscription.Dispose();
        await store.WriteAsync(Batch(3, 2), default);
        subscription.Dispose();

        first.Should().Equal(0, 1, 2);
        second.Should().Equal(new[] { 0, 1, 2, 3, 4 }, "subscribers see entries even when the ring has evicted them since");
    }

    [Fact]
    public async Task Subscribe_SubscriberThrows_StoreAndOtherSubscribersCarryOn()
    {
        var store = new InMemoryAuditStore(100);
        var before = new List<int>();
        var after = new List<int>();
        using var a = store.Subscribe(e => before.Add(e.Seq()));
        using var boom = store.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var b = store.Subscribe(e => after.Add(e.Seq()));

        var write = async () => await store.WriteAsync(Batch(0, 3), default);

        await write.Should().NotThrowAsync();
        store.Count.Should().Be(3);
        before.Should().Equal(0, 1, 2);
        after.Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task Subscribe_SubscriberThrowsUnderARecorder_EveryEntryIsStillCountedWritten()
    {
        var store = new InMemoryAuditStore(100);
        var seen = 0;
        using var boom = store.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var counter = store.Subscribe(_ => Interlocked.Increment(ref seen));
        await using var recorder = new AuditRecorder(store);

        for (var i = 0; i < 10; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        await recorder.FlushAsync();

        recorder.Counters.Should().Be(new AuditCounters(10, 10, 0, 0, 0));
        store.Count.Should().Be(10);
        seen.Should().Be(10);
    }

    [Fact]
    public async Task ExportJson_AfterEviction_IsAnArrayOfTheKeptEntriesOldestFirstInLineShape()
    {
        var store = new InMemoryAuditStore(3);
        await store.WriteAsync(Batch(0, 5), default);

        using var json = JsonDocument.Parse(store.ExportJson());

        json.RootElement.ValueKind.Should().Be(JsonValueKind.Array);
        var items = json.RootElement.EnumerateArray().ToList();
        items.Select(i => i.GetProperty("args").GetProperty("seq").GetInt32()).Should().Equal(2, 3, 4);
        items[0].EnumerateObject().Select(p => p.Name).Should().Equal("id", "ts", "user", "tool", "args", "status", "result_chars", "result_snippet");
        items[0].GetProperty("ts").GetString().Should().Be("2025-03-03T00:02:00.000+00:00");
        items[0].GetProperty("status").GetString().Should().Be("ok");
        new InMemoryAuditStore(1).ExportJson().Should().Be("[]");
    }

    [Fact]
    public async Task Clear_StoreWithEntriesAndGaps_EmptiesItButKeepsSubscribers()
    {
        var store = new InMemoryAuditStore(10);
        var seen = new List<int>();
        using var subscription = store.Subscribe(e => seen.Add(e.Seq()));
        await store.WriteAsync(Batch(0, 3), default);
        await store.WriteGapsAsync([new AuditGap("alice", 4, Start, Start)], default);

        store.Clear();

        store.Count.Should().Be(0);
        store.Recent(10).Should().BeEmpty();
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().BeEmpty();
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(0);
        stats.Dropped.Should().Be(0);
        (await store.GetUsersAsync().ToListAsync()).Should().BeEmpty();

        await store.WriteAsync(Batch(3, 1), default);
        store.Recent(10).Select(e => e.Seq()).Should().Equal(3);
        seen.Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task WriteGapsAsync_RecorderDroppingWhileTheStoreStalls_ReportsTheExactDropCount()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new InMemoryAuditStore(100);
        var gated = new GatedGapSink(store);
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest }, clock);

        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
        recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot
        for (var i = 3; i < 10; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        gated.Open();
        await recorder.FlushAsync();

        store.Dropped.Should().Be(7);
        store.Count.Should().Be(3);
        var stats = await store.GetStatsAsync(new AuditQuery { User = "alice" });
        stats.Total.Should().Be(3);
        stats.Dropped.Should().Be(7);
        (await store.GetStatsAsync(new AuditQuery { User = "bob" })).Dropped.Should().Be(0);
    }

    [Fact]
    public async Task Dropped_MarkersWhoseDropsAddUpPastLongMaxValue_SaturatesAndComesBackExactlyAsTheyAreEvictedOrPurged()
    {
        // A custom sink's markers can carry any count: their sum must neither wrap nor throw.
        var at = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        var store = new InMemoryAuditStore(2);
        await store.WriteGapsAsync([new AuditGap("alice", long.MaxValue, at, at), new AuditGap("bob", long.MaxValue, at.AddHours(1), at.AddHours(1))], CancellationToken.None);

        store.Dropped.Should().Be(long.MaxValue);
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(long.MaxValue);

        await store.WriteGapsAsync([new AuditGap("carol", 5, at.AddHours(2), at.AddHours(2))], CancellationToken.None);
        store.Dropped.Should().Be(long.MaxValue, "alice's marker went, bob's is still there");

        await store.PurgeAsync(at.AddMinutes(90));
        store.Dropped.Should().Be(5, "only carol's marker is left");
    }

    [Fact]
    public async Task FlushAsync_DropNotedAfterTheLastBatchWasWritten_WritesItsGapMarker()
    {
        // A caller found the queue full, but before it noted its drop the writer had written everything: no later
        // batch carries the drop's gap marker, yet the flush after it must leave the drop on record.
        var clock = new FakeTimeProvider(Start);
        var store = new InMemoryAuditStore(100);
        var gated = new GatedGapSink(store);
        var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest }, clock);
        try
        {
            using var held = await HeldDrop.StartAsync(recorder, gated);
            gated.Open();
            await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            held.Release().Should().BeTrue();
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 3, Dropped: 1, Failed: 0, Pending: 0));

            await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            store.Dropped.Should().Be(1, "the flush after the drop writes its gap marker");
            (await store.GetStatsAsync(new AuditQuery { User = "alice" })).Dropped.Should().Be(1);
        }
        finally
        {
            gated.Open();
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dropped_AfterPurgeAndClear_IsWhatTheStoredGapMarkersHoldAsTheStatsSay()
    {
        var store = new InMemoryAuditStore(10);
        await store.WriteGapsAsync([new AuditGap("alice", 4, Start, Start.AddSeconds(1)), new AuditGap("bob", 3, Start.AddMinutes(10), Start.AddMinutes(11))], default);
        store.Dropped.Should().Be(7);

        await store.PurgeAsync(Start.AddMinutes(5));

        store.Dropped.Should().Be(3, "the purge took alice's gap marker");
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(store.Dropped);

        store.Clear();

        store.Dropped.Should().Be(0, "Clear removes every gap marker");
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(0);

        await store.WriteGapsAsync([new AuditGap("carol", 2, Start.AddMinutes(20), Start.AddMinutes(20))], default);
        store.Dropped.Should().Be(2);
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(2);
    }

    [Fact]
    public async Task WriteGapsAsync_MoreMarkersThanCapacity_KeepsTheNewestCapacityMarkersAndCountsOnlyThem()
    {
        // Drops that go on for hours write a marker per user per batch: the store must stay bounded like its ring.
        var store = new InMemoryAuditStore(3);
        for (var i = 1; i <= 10; i++)
        {
            await store.WriteGapsAsync([new AuditGap("alice", i, Start.AddMinutes(i), Start.AddMinutes(i))], default);
        }

        await store.WriteGapsAsync([new AuditGap("bob", 100, Start.AddMinutes(11), Start.AddMinutes(11)), new AuditGap("bob", 200, Start.AddMinutes(12), Start.AddMinutes(12))], default);

        store.Dropped.Should().Be(10 + 100 + 200, "the three newest markers are kept");
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(store.Dropped);
        (await store.GetStatsAsync(new AuditQuery { User = "alice" })).Dropped.Should().Be(10);
        (await store.GetStatsAsync(new AuditQuery { Until = Start.AddMinutes(10) })).Dropped.Should().Be(0, "alice's older markers were evicted");
    }

    [Fact]
    public async Task PurgeAsync_CutOff_RemovesExactlyTheOlderEntries()
    {
        var store = new InMemoryAuditStore(100);
        await store.WriteAsync(Batch(0, 10), default); // one a minute from Start

        var purged = await store.PurgeAsync(Start.AddMinutes(4));

        purged.Should().Be(4);
        store.Recent(100).Select(e => e.Seq()).Should().Equal(9, 8, 7, 6, 5, 4);
        (await store.PurgeAsync(Start)).Should().Be(0);
    }

    protected override IAuditStore CreateStore() => new InMemoryAuditStore(10_000);

    private static List<AuditEntry> Batch(int from, int count) =>
        Enumerable.Range(from, count).Select(i => Entries.At(Start.AddMinutes(i), sequence: i)).ToList();
}
