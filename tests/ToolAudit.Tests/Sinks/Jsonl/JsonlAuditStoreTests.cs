using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>Writing: day files, rollover, concurrent writers, gap markers, recovery after a torn line.</summary>
public sealed class JsonlAuditStoreTests
{
    private static readonly DateOnly March4 = new(2025, 3, 4);
    private static readonly DateOnly March5 = new(2025, 3, 5);

    [Fact]
    public async Task WriteAsync_EntriesEitherSideOfUtcMidnight_LandInTwoDayFiles()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 23, 59, 59, 500, TimeSpan.Zero));
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store, timeProvider: clock);

        recorder.Record(Calls.Typical(sequence: 1));
        recorder.Record(Calls.Typical(sequence: 2));
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Record(Calls.Typical(sequence: 3));
        await recorder.FlushAsync();

        AuditFiles.All(folder.Path).Should().Equal(store.GetFilePath("alice", March4), store.GetFilePath("alice", March5));
        Sequences(store.GetFilePath("alice", March4)).Should().Equal(1, 2);
        Sequences(store.GetFilePath("alice", March5)).Should().Equal(3);
        AuditFiles.Lines(store.GetFilePath("alice", March5)).Single().Should().Contain("\"ts\":\"2025-03-05T00:00:00.500+00:00\"");
    }

    [Fact]
    public async Task WriteAsync_EntriesEitherSideOfMidnightInDayTimeZone_LandInTheZonesDayFiles()
    {
        using var folder = new TempFolder();

        // 18:59:59.5 UTC is 23:59:59.5 at UTC+5: one second later it is the next day there, still the same day in UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 18, 59, 59, 500, TimeSpan.Zero));
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TestTimeZones.PlusFive });
        await using var recorder = new AuditRecorder(store, timeProvider: clock);

        recorder.Record(Calls.Typical(sequence: 1));
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Record(Calls.Typical(sequence: 2));
        await recorder.FlushAsync();

        AuditFiles.All(folder.Path).Should().Equal(store.GetFilePath("alice", March4), store.GetFilePath("alice", March5));
        Sequences(store.GetFilePath("alice", March4)).Should().Equal(1);
        Sequences(store.GetFilePath("alice", March5)).Should().Equal(2);

        // The timestamps stay UTC in the file; only the file's day follows the zone.
        AuditFiles.Lines(store.GetFilePath("alice", March5)).Single().Should().Contain("\"ts\":\"2025-03-04T19:00:00.500+00:00\"");
        (await store.ReadDayAsync("alice", March5, TestTimeZones.PlusFive)).Select(e => e.Seq()).Should().Equal(2);
        (await store.ReadDayAsync("alice", March4)).Select(e => e.Seq()).Should().Equal(1, 2);
    }

    [Fact]
    public async Task WriteAsync_EveryBatch_EndsEachEntryWithOneNewlineAndKeepsTheFileReadable()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var start = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

        await store.WriteAsync([Entries.At(start, sequence: 0), Entries.At(start.AddSeconds(1), sequence: 1)], default);
        await store.WriteAsync([Entries.At(start.AddSeconds(2), sequence: 2)], default);

        // Files stay open between batches, yet every batch is in the file when WriteAsync returns.
        var bytes = File.ReadAllBytes(store.GetFilePath("alice", March4));
        bytes.Count(b => b == (byte)'\n').Should().Be(3);
        bytes[^1].Should().Be((byte)'\n');
        Sequences(store.GetFilePath("alice", March4)).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task WriteAsync_FileWithTornLastLine_StartsTheNewEntryOnItsOwnLine()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl");
        const string Good = """{"ts":"2025-03-04T09:00:00.000+00:00","user":"alice","tool":"old","status":"ok","result_chars":0}""";
        const string Torn = """{"ts":"2025-03-04T09:30:00.000+00:00","user":"alice","tool":"torn","sta""";
        AuditFiles.Write(path, Good + "\n" + Torn);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero), sequence: 7)], default);

        var lines = AuditFiles.Lines(path);
        lines.Should().HaveCount(3);
        lines[0].Should().Be(Good);
        lines[1].Should().Be(Torn);
        JsonDocument.Parse(lines[2]).RootElement.GetProperty("args").GetProperty("seq").GetInt32().Should().Be(7);

        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(2);
        stats.SkippedLines.Should().Be(1, "the torn fragment is now a corrupt middle line");
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Tool).Should().Equal("read_file", "old");
    }

    [Fact]
    public async Task WriteAsync_TwoStoresAppendingToTheSameDayFile_NeverInterleaveLines()
    {
        using var folder = new TempFolder();
        const int batches = 200;
        const int perBatch = 10;

        // Two instances have two file descriptors on the same file, each opened with O_APPEND: the same situation as
        // two processes. Long lines make each batch span several pages, where a non-atomic append would tear.
        using var first = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        using var second = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var padding = new string('x', 2_000);
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        using var go = new Barrier(2);

        Task Writer(JsonlAuditStore store, string tool) => Task.Factory.StartNew(
            () =>
            {
                go.SignalAndWait();
                for (var b = 0; b < batches; b++)
                {
                    var batch = Enumerable.Range(0, perBatch)
                        .Select(i => Entries.At(at, tool: tool, sequence: (b * perBatch) + i) with { ResultSnippet = padding })
                        .ToList();
                    store.WriteAsync(batch, default).AsTask().GetAwaiter().GetResult();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await Task.WhenAll(Writer(first, "first"), Writer(second, "second"));

        // A store that opens the file while the other's write is half visible takes it for a torn line and ends it with
        // a newline first: at most a blank line, which readers skip. What must never happen is a line cut or mixed.
        var lines = AuditFiles.Lines(first.GetFilePath("alice", March4)).Where(line => line.Length > 0).ToList();
        lines.Count.Should().Be(2 * batches * perBatch, "every line of both writers is whole");
        var seen = new Dictionary<string, List<int>> { ["first"] = new(), ["second"] = new() };
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            json.RootElement.GetProperty("result_snippet").GetString().Should().Be(padding);
            seen[json.RootElement.GetProperty("tool").GetString()!].Add(json.RootElement.GetProperty("args").GetProperty("seq").GetInt32());
        }

        // Each writer's lines are all there, once, in the order that writer wrote them.
        seen["first"].Should().Equal(Enumerable.Range(0, batches * perBatch));
        seen["second"].Should().Equal(Enumerable.Range(0, batches * perBatch));
    }

    [Fact]
    public async Task WriteGapsAsync_RecorderDroppingWhileTheStoreStalls_WritesAGapLineWithTheExactCount()
    {
        using var folder = new TempFolder();
        var t0 = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(t0);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var gated = new GatedGapSink(store);
        var options = new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest };
        await using var recorder = new AuditRecorder(gated, options, clock);

        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync(); // the sink stage holds entry 0 inside the stalled store
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();           // the writer holds entry 1 as the next batch, and parks
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Record(Calls.Typical(sequence: 2)); // fills the one-slot queue
        for (var i = 3; i < 13; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            recorder.Record(Calls.Typical(sequence: i)); // dropped
        }

        recorder.Counters.Dropped.Should().Be(10);
        gated.Open();
        await recorder.FlushAsync();

        var lines = AuditFiles.Lines(store.GetFilePath("alice", March4));
        lines.Should().HaveCount(4);
        lines[1].Should().Be("""{"_gap":{"user":"alice","dropped":10,"since":"2025-03-04T10:00:02.000+00:00","until":"2025-03-04T10:00:11.000+00:00"}}""");

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Seq()).Should().Equal(2, 1, 0);
        (await store.CountAsync(new AuditQuery())).Should().Be(3);
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(3);
        stats.Dropped.Should().Be(10);
        stats.SkippedLines.Should().Be(0, "a gap line is not a bad line");
        (await store.GetStatsAsync(new AuditQuery { Since = t0.AddSeconds(12) })).Dropped.Should().Be(0, "the gap lies before the range");
    }

    [Fact]
    public async Task WriteAsync_BatchRejectedForABadEntry_WritesNoneOfItsEntriesLater()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        AuditEntry[] rejected = [Entries.At(at, sequence: 1), Entries.At(at, sequence: 2), Entries.At(at, sequence: 3) with { User = string.Empty }];

        var write = async () => await store.WriteAsync(rejected, default);
        await write.Should().ThrowAsync<ArgumentException>();
        await store.WriteAsync([Entries.At(at, sequence: 4)], default);

        // The recorder counts a rejected batch as failed: none of it may turn up in the trail afterwards.
        Sequences(store.GetFilePath("alice", March4)).Should().Equal(4);
    }

    [Fact]
    public async Task WriteAsync_MoreDayFilesThanMaxOpenFiles_WritesEveryLineToItsFile()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 1 });
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        string[] users = ["alice", "bob", "carol"];

        for (var batch = 0; batch < 4; batch++)
        {
            await store.WriteAsync(users.Select((u, i) => Entries.At(at.AddDays(batch % 2), user: u, sequence: (batch * 10) + i)).ToList(), default);
        }

        AuditFiles.All(folder.Path).Should().HaveCount(6);
        Sequences(store.GetFilePath("bob", March4)).Should().Equal(1, 21);
        Sequences(store.GetFilePath("bob", March5)).Should().Equal(11, 31);
        (await store.CountAsync(new AuditQuery())).Should().Be(12);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WriteAsync_OneBatchForMoreFilesThanMaxOpenFiles_NeverHoldsMoreThanMaxOpenFilesOpen()
    {
        // One batch for many users (a busy multi-tenant host): each day file is done once its lines are written, so
        // the store need never hold more than MaxOpenFiles of them open, whatever the batch's size.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 2 });
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        var users = Enumerable.Range(0, 20).Select(i => $"user{i}").ToList();
        var mostOpen = 0;
        store.DayFileOpenedHook = _ => mostOpen = Math.Max(mostOpen, AuditFiles.OpenDayFiles(folder.Path));

        await store.WriteAsync(users.Select((u, i) => Entries.At(at, user: u, sequence: i)).ToList(), default);

        mostOpen.Should().BeLessThanOrEqualTo(2, "MaxOpenFiles bounds the day files held open at once, the one being opened included");
        AuditFiles.OpenDayFiles(folder.Path).Should().BeLessThanOrEqualTo(2);
        for (var i = 0; i < users.Count; i++)
        {
            Sequences(store.GetFilePath(users[i], March4)).Should().Equal(i);
        }
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("alice", -1)]
    public async Task WriteGapsAsync_GapNoReaderCouldTake_ThrowsArgumentExceptionAndWritesNothing(string? user, long dropped)
    {
        // Such a marker would be written where no reader takes it: an empty name's folder is no one's, and a negative
        // count makes the line corrupt. Like WriteAsync, the whole list is checked before anything is written.
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root });
        var since = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        AuditGap[] gaps = [new AuditGap("bob", 3, since, since), new AuditGap(user!, dropped, since, since)];

        var write = async () => await store.WriteGapsAsync(gaps, default);
        var writeNull = async () => await store.WriteGapsAsync([gaps[0], null!], default);

        await write.Should().ThrowAsync<ArgumentException>();
        await writeNull.Should().ThrowAsync<ArgumentNullException>();
        Directory.Exists(root).Should().BeFalse("nothing of a refused list is written");
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_ThrowsObjectDisposedExceptionButReadsStillWork()
    {
        using var folder = new TempFolder();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero))], default);

        store.Dispose();
        var write = async () => await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 11, 0, 0, TimeSpan.Zero))], default);

        await write.Should().ThrowAsync<ObjectDisposedException>();
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
    }

    [Fact]
    public async Task RecordDurableAsync_StoreDisposedUnderTheRecorder_ThrowsNamingTheStoreAndCountsFailed()
    {
        using var folder = new TempFolder();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store, timeProvider: new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero)));
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 1));

        store.Dispose();
        var durable = async () => await recorder.RecordDurableAsync(Calls.Typical(sequence: 2));

        (await durable.Should().ThrowAsync<AuditWriteException>()).Which.FailedSinks.Should().Equal(nameof(JsonlAuditStore));
        recorder.Counters.Should().Be(new AuditCounters(2, 1, 0, 1, 0));
        Sequences(store.GetFilePath("alice", March4)).Should().Equal(1);
    }

    [Fact]
    public async Task Record_ManySmallBatchesThroughBothWriterStages_KeepsEveryFileInCallOrder()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var options = new ToolAuditOptions { MaxBatchSize = 3, QueueCapacity = 16, OverflowWaitTimeout = Timeout.InfiniteTimeSpan };
        var recorder = new AuditRecorder(store, options, new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero)));
        string[] users = ["alice", "bob", "carol"];

        for (var i = 0; i < 3_000; i++)
        {
            recorder.Record(Calls.Typical(users[i % 3], sequence: i));
        }

        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(3_000, 3_000, 0, 0, 0));
        for (var u = 0; u < users.Length; u++)
        {
            Sequences(store.GetFilePath(users[u], March4)).Should().Equal(Enumerable.Range(0, 1_000).Select(k => (k * 3) + u));
        }
    }

    [Fact]
    public async Task WriteAsync_RootEndingInASeparator_WritesBelowItAndReadsBack()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path + Path.DirectorySeparatorChar });

        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 9, 0, 0, TimeSpan.Zero))], CancellationToken.None);

        store.Root.Should().Be(folder.Path);
        AuditFiles.All(folder.Path).Should().Equal(Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl"));
        (await store.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Should().ContainSingle();
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingTheOption()
    {
        var create = () => new JsonlAuditStore(new JsonlAuditOptions { Root = " ", MaxOpenFiles = 0 });

        create.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Root").And.Contain("MaxOpenFiles");
    }

    private static IEnumerable<int> Sequences(string path) =>
        AuditFiles.Lines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("args").GetProperty("seq").GetInt32()).ToList();
}
