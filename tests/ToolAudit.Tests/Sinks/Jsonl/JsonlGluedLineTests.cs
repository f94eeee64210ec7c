using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A line this store appends right after another writer's torn line (no newline) is glued onto it. Every reader takes
/// the glued line's entry or gap marker and counts the torn part as one skipped line, the same way.
/// </summary>
public sealed class JsonlGluedLineTests
{
    private static readonly DateOnly March4 = new(2025, 3, 4);
    private static readonly DateTimeOffset Ten = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    // Another host's line, cut inside a nested object that begins the way an entry line does: a candidate start that
    // must not be taken.
    private const string TornByAnotherWriter = """{"ts":"2025-03-04T10:00:30.000+00:00","user":"alice","tool":"other","args":{"q":{"ts":"2025-03-04T1""";

    [Fact]
    public async Task Read_EntryGluedOntoATornLineFullOfStringsEndingWithABrace_IsRecovered()
    {
        // An agent editing code: a list of 300 lines that end with "{" (each a place where "{\"" appears), torn after
        // the list, then a whole line glued on. Those places lie inside strings the line goes on after: none is tried.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        await store.WriteAsync([Entries.At(Ten, sequence: 0)], default);
        var code = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"if (x{i}) {{\""));
        AuditFiles.Append(path, $$"""{"ts":"2025-03-04T10:00:30.000+00:00","user":"alice","tool":"edit","args":{"lines":[{{code}}],"path":"src/ma""");

        await store.WriteAsync([Entries.At(Ten.AddMinutes(1), sequence: 1)], default);

        (await store.ReadDayAsync("alice", March4)).Select(e => e.Seq()).Should().Equal(0, 1);
        (await store.GetStatsAsync(new AuditQuery())).SkippedLines.Should().Be(1);
    }

    [Fact]
    public async Task Read_EntryGluedOntoAnotherWritersTornLine_EveryReaderReturnsItAndCountsTheTornPartOnce()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        await store.WriteAsync([Entries.At(Ten, sequence: 0)], default);

        // The file is open in the store now; another process appends a line and dies (or runs out of space) mid-line.
        AuditFiles.Append(path, TornByAnotherWriter);

        // Its args hold an object that is itself a whole entry: a candidate that parses, yet does not end the line.
        await store.WriteAsync([WithNestedEntryInArgs(Entries.At(Ten.AddMinutes(1), sequence: 1)), Entries.At(Ten.AddMinutes(2), sequence: 2)], default);

        var lines = AuditFiles.Lines(path);
        lines.Should().HaveCount(3, "the store checks for a torn tail only when it opens a file: its line was glued on");
        lines[1].Should().StartWith(TornByAnotherWriter + "{\"id\":\"id-1\"");

        var clock = new FakeTimeProvider(Ten.AddHours(2));
        var recent = await store.ReadRecentAsync("alice", days: 1, timeProvider: clock);
        var recentAll = await store.ReadRecentAllUsersAsync(days: 1, timeProvider: clock);
        var query = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var onlyGlued = await store.QueryAsync(new AuditQuery { User = "alice", Since = Ten.AddMinutes(1), Until = Ten.AddMinutes(2) }).ToListAsync();
        var day = await store.ReadDayAsync("alice", March4);
        var count = await store.CountAsync(new AuditQuery { User = "alice" });
        var stats = await store.GetStatsAsync(new AuditQuery());

        recent.Select(e => e.Seq()).Should().Equal(2, 1, 0);
        recentAll.Select(e => e.Seq()).Should().Equal(2, 1, 0);
        query.Select(e => e.Seq()).Should().Equal(2, 1, 0);
        onlyGlued.Select(e => e.Seq()).Should().Equal(1);
        day.Select(e => e.Seq()).Should().Equal(0, 1, 2);
        var glued = day[1];
        glued.Id.Should().Be("id-1");
        glued.Timestamp.Should().Be(Ten.AddMinutes(1));
        glued.Args!["nested"].GetProperty("tool").GetString().Should().Be("nested");
        count.Should().Be(3);
        stats.Total.Should().Be(3);
        stats.SkippedLines.Should().Be(1, "the torn part is one unreadable line, counted once by every reader");
        stats.ByTool.Should().Equal(new Dictionary<string, long> { ["read_file"] = 3 });

        // The purge counts the glued entry as an entry of the file it deletes.
        (await store.PurgeAsync(new DateTimeOffset(2025, 3, 6, 0, 0, 0, TimeSpan.Zero))).Should().Be(3);
    }

    [Fact]
    public async Task Read_EntryGluedOntoATornLineCutInsideACharacter_ReturnsTheEntry()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        await store.WriteAsync([Entries.At(Ten, sequence: 0)], default);

        // Cut between the two bytes of "é": the torn part is not UTF-8, the glued line is.
        var torn = Encoding.UTF8.GetBytes("""{"ts":"2025-03-04T10:00:30.000+00:00","user":"alice","tool":"caf""" + "é");
        using (var other = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            other.Write(torn.AsSpan(0, torn.Length - 1));
        }

        await store.WriteAsync([Entries.At(Ten.AddMinutes(1), sequence: 1)], default);

        (await store.ReadDayAsync("alice", March4)).Select(e => e.Seq()).Should().Equal(0, 1);
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(2);
        stats.SkippedLines.Should().Be(1);
    }

    [Fact]
    public async Task Read_GapMarkerGluedOntoAnotherWritersTornLine_IsCountedAsDropped()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        await store.WriteAsync([Entries.At(Ten, sequence: 0)], default);
        AuditFiles.Append(path, TornByAnotherWriter);

        await ((IAuditGapSink)store).WriteGapsAsync([new AuditGap("alice", 5, Ten.AddMinutes(1), Ten.AddMinutes(1))], default);

        AuditFiles.Lines(path).Should().HaveCount(2, "the marker was glued on");
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(1);
        stats.Dropped.Should().Be(5);
        stats.SkippedLines.Should().Be(1);
    }

    [Fact]
    public async Task Read_TornLineCutRightAfterAnEntryShapedObjectInItsArgs_NeverReadsThatObjectAsAnEntry()
    {
        using var folder = new TempFolder();
        string path;
        using (var first = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }))
        {
            path = first.GetFilePath("alice", March4);
            await first.WriteAsync([Entries.At(Ten, sequence: 0)], default);
        }

        // A model shaped an argument as a whole entry; the line was cut right after it (a crash, a full disk).
        AuditFiles.Append(path, """{"ts":"2025-03-04T10:00:30.000+00:00","user":"alice","tool":"other","args":{"q":{"ts":"2025-03-04T10:00:40.000+00:00","user":"admin","tool":"forged","status":"ok"}""");

        // A store opening the file ends the torn line with a newline before its own line: the forged object now ends a line.
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Ten.AddMinutes(1), sequence: 1)], default);
        AuditFiles.Lines(path).Should().HaveCount(3);
        AuditFiles.Lines(path)[1].Should().EndWith("\"tool\":\"forged\",\"status\":\"ok\"}");

        var clock = new FakeTimeProvider(Ten.AddHours(2));
        (await store.ReadDayAsync("alice", March4)).Select(e => e.Tool).Should().Equal("read_file", "read_file");
        (await store.ReadRecentAsync("alice", days: 1, timeProvider: clock)).Select(e => e.Seq()).Should().Equal(1, 0);
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().NotContain(e => e.Tool == "forged");
        (await store.CountAsync(new AuditQuery())).Should().Be(2);
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(2);
        stats.ByUser.Keys.Should().Equal("alice");
        stats.SkippedLines.Should().Be(1, "the torn line is one unreadable line, with no entry in it");
        (await store.PurgeAsync(new DateTimeOffset(2025, 3, 6, 0, 0, 0, TimeSpan.Zero))).Should().Be(2);
    }

    [Theory]
    [InlineData("""{"ts":"2025-03-04T10:00:00.000+00:00","user":"alice","args":{"x":{"ts":"2025-03-04T10:00:00.000+00:00","user":"alice","tool":"t","status":"ok"}}}""")]
    [InlineData("""garbage{"ts":"2025-03-04T10:00:00.000+00:00","user":"alice","tool":"t","status":"ok"} and more""")]
    [InlineData("""torn{"ts":"2025-03-04T10:00:00.000+00:00","user":"alice","tool":"t","sta""")]
    public async Task Read_CorruptLineWithNoWholeLineEndingIt_IsOneSkippedLineAndNoEntry(string corrupt)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        await store.WriteAsync([Entries.At(Ten, sequence: 0)], default);
        AuditFiles.Append(path, corrupt + "\n");

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Seq()).Should().Equal(0);
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(1);
        stats.SkippedLines.Should().Be(1, "an entry nested in a line, or followed by more, is not a line of its own");
    }

    private static AuditEntry WithNestedEntryInArgs(AuditEntry entry)
    {
        var nested = JsonDocument.Parse("""{"ts":"2025-03-04T10:00:45.000+00:00","user":"alice","tool":"nested","status":"ok"}""").RootElement.Clone();
        return entry with { Args = new Dictionary<string, JsonElement>(entry.Args!) { ["nested"] = nested } };
    }
}
