using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Reading edges found by review: a user's two folders for one day, values a count skips but a query reads, day files at
/// the ends of the calendar, gaps longer than a day or stamped below the millisecond, and equal times across users.
/// </summary>
public sealed class JsonlReaderEdgeTests
{
    private static readonly DateOnly Day = new(2025, 3, 4);

    [Fact]
    public async Task UserWithAnEncodedAndALegacyFolderForOneDay_QueriesMergeThemNewestFirst()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var encodedPath = store.GetFilePath("Alice", Day);
        var legacyPath = Path.Combine(folder.Path, "Alice", "tool_audit", "2025-03-04.jsonl");
        encodedPath.Should().NotBe(legacyPath, "Alice is not a plain lower-case name: her folder is encoded");
        AuditFiles.Write(encodedPath, Line("10:00:00", "Alice", "t00") + "\n" + Line("10:00:10", "Alice", "t10") + "\n");
        AuditFiles.Write(legacyPath, Line("10:00:05", "Alice", "t05") + "\n" + Line("10:00:20", "Alice", "t20") + "\n");

        (await Tools(store.QueryAsync(new AuditQuery { User = "Alice" }))).Should().Equal("t20", "t10", "t05", "t00");
        (await Tools(store.QueryAsync(new AuditQuery()))).Should().Equal("t20", "t10", "t05", "t00");
        (await Tools(store.QueryAsync(new AuditQuery { User = "Alice", Limit = 1 }))).Should().Equal("t20");
        (await store.ReadDayAsync("Alice", Day)).Select(e => e.Tool).Should().Equal("t00", "t05", "t10", "t20");
    }

    [Theory]
    [InlineData(",\"id\":5")]
    [InlineData(",\"duration_ms\":\"12\"")]
    [InlineData(",\"error\":{\"a\":1}")]
    [InlineData(",\"trace_id\":true")]
    [InlineData(",\"result_snippet\":[1]")]
    [InlineData(",\"result_snippet\":\"\\ud800\"")]
    [InlineData(",\"call_id\":\"ok \\ud83d\\ude00 then \\udc00\"")]
    [InlineData(",\"args\":{\"\\ud800\":1}")]
    [InlineData(",\"args\":{\"path\":\"a\\udc00b\"}")]
    [InlineData(",\"args\":{\"list\":[{\"deep\":\"\\ud83d\"}]}")]
    [InlineData(",\"duration_ms\":1e400")]
    [InlineData(",\"duration_ms\":-1e400")]
    [InlineData(",\"_gap\":{\"user\":\"alice\",\"dropped\":5,\"since\":\"2025-03-04T10:00:00.000+00:00\",\"until\":\"2025-03-04T10:00:00.000+00:00\"}")]
    public async Task ValueOfTheWrongTypeOrUndecodable_EveryReaderSkipsTheLine(string extra)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", Day), Line("10:00:00", "alice", "good") + "\n" + Line("10:00:01", "alice", "odd", extra) + "\n");

        var entries = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var count = await store.CountAsync(new AuditQuery());
        var stats = await store.GetStatsAsync(new AuditQuery());

        entries.Select(e => e.Tool).Should().Equal("good");
        count.Should().Be(1);
        (stats.Total, stats.SkippedLines, stats.Dropped).Should().Be((1, 1, 0));
    }

    [Fact]
    public async Task GapMarkersWhoseDropsAddUpPastLongMaxValue_CountLongMaxValue_NotAWrappedTotal()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var gap = (long dropped, string user) => $$$"""{"_gap":{"user":"{{{user}}}","dropped":{{{dropped}}},"since":"2025-03-04T10:00:00.000+00:00","until":"2025-03-04T10:00:00.000+00:00"}}""";
        AuditFiles.Write(store.GetFilePath("alice", Day), gap(long.MaxValue, "alice") + "\n" + gap(5, "alice") + "\n");
        AuditFiles.Write(store.GetFilePath("bob", Day), gap(long.MaxValue, "bob") + "\n");

        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(long.MaxValue);
        (await store.GetStatsAsync(new AuditQuery { User = "alice" })).Dropped.Should().Be(long.MaxValue);
    }

    [Theory]
    [InlineData(",\"result_snippet\":\"line\\none \\u00e9 \\ud83d\\ude00\"")]
    [InlineData(",\"duration_ms\":12.5,\"error\":\"\\u0001\"")]
    [InlineData(",\"args\":{\"\\u00e9\\ud83d\\ude00\":\"\\ud83d\\ude00\",\"list\":[\"\\u0041\"]}")]
    public async Task EscapedValuesThatDecode_EveryReaderTakesTheLine(string extra)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", Day), Line("10:00:01", "alice", "escaped", extra) + "\n");

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle();
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
        (await store.GetStatsAsync(new AuditQuery())).SkippedLines.Should().Be(0);
    }

    [Theory]
    [InlineData(" junk")]
    [InlineData("}")]
    public async Task LineWithMoreAfterItsObject_EveryReaderSkipsAndCountsTheLine(string after)
    {
        // An object with more after it is no JSONL line: taking the object would hide the rest without a trace; skipped,
        // the damage shows in SkippedLines.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", Day), Line("10:00:00", "alice", "good") + "\n" + Line("10:00:01", "alice", "first") + after + "\n");

        var entries = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var count = await store.CountAsync(new AuditQuery());
        var stats = await store.GetStatsAsync(new AuditQuery());

        entries.Select(e => e.Tool).Should().Equal("good");
        count.Should().Be(1);
        (stats.Total, stats.SkippedLines).Should().Be((1, 1));
    }

    [Fact]
    public async Task LineWithAWholeLineGluedAfterItsObject_EveryReaderTakesTheGluedLineAndCountsTheFirstPart()
    {
        // Two objects on one line: a line that lost its newline, then another writer's line glued on. The glued line is
        // the one that ends the line (see JsonlGluedLineTests); what comes before it is counted as one skipped line, as
        // a torn line would be: so nothing is hidden without a trace, and the glued writer's entry is not lost.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", Day), Line("10:00:00", "alice", "good") + "\n" + Line("10:00:01", "alice", "first") + Line("10:00:02", "alice", "glued") + "\n");

        var entries = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var count = await store.CountAsync(new AuditQuery());
        var stats = await store.GetStatsAsync(new AuditQuery());

        entries.Select(e => e.Tool).Should().Equal("glued", "good");
        count.Should().Be(2);
        (stats.Total, stats.SkippedLines).Should().Be((2, 1));
    }

    [Fact]
    public async Task GapLineWithAnEntryGluedAfterItsObject_CountsTheMarkerAsSkippedAndTakesTheEntry()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        const string Gap = """{"_gap":{"user":"alice","dropped":7,"since":"2025-03-04T10:00:00.000+00:00","until":"2025-03-04T10:00:00.000+00:00"}}""";
        AuditFiles.Write(store.GetFilePath("alice", Day), Gap + "\n" + Gap + Line("10:00:01", "alice", "glued") + "\n");

        var stats = await store.GetStatsAsync(new AuditQuery());

        (stats.Dropped, stats.Total, stats.SkippedLines).Should().Be((7, 1, 1));
    }

    [Fact]
    public async Task EntryOnTheLastDayOfTheCalendar_WritesAndLaterReadsAndPurgesDoNotThrow()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TestTimeZones.MinusEight });
        var since = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero)), Entries.At(new DateTimeOffset(9999, 12, 31, 12, 0, 0, TimeSpan.Zero), sequence: 1)], default);
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 11, 0, 0, TimeSpan.Zero), sequence: 2)], default);

        (await store.QueryAsync(new AuditQuery { Since = since }).ToListAsync()).Should().HaveCount(3);
        (await store.GetStatsAsync(new AuditQuery { Since = since })).Total.Should().Be(3);
        (await store.PurgeAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))).Should().Be(2);
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
    }

    [Fact]
    public async Task EntryOnTheFirstDayOfTheCalendar_QueriesWithUntilDoNotThrow()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TestTimeZones.PlusFive });
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero)), Entries.At(new DateTimeOffset(1, 1, 1, 12, 0, 0, TimeSpan.Zero), sequence: 1)], default);

        (await store.CountAsync(new AuditQuery { Until = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero) })).Should().Be(1);
        (await store.ReadDayAsync("alice", Day)).Should().ContainSingle();
    }

    [Fact]
    public async Task GapLongerThanADay_CountsInTheRangeOfItsFirstDropInBothStores()
    {
        using var folder = new TempFolder();
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(100);
        var gap = new AuditGap("alice", 7, new DateTimeOffset(2025, 1, 1, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 5, 1, 0, 0, TimeSpan.Zero));
        await files.WriteGapsAsync([gap], default);
        await memory.WriteGapsAsync([gap], default);
        var days = Enumerable.Range(0, 6).Select(d => new AuditQuery
        {
            Since = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(d),
            Until = new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero).AddDays(d),
        }).ToList();

        foreach (var store in new IAuditReader[] { files, memory })
        {
            var perDay = new List<long>();
            foreach (var day in days)
            {
                perDay.Add((await store.GetStatsAsync(day)).Dropped);
            }

            perDay.Should().Equal([7, 0, 0, 0, 0, 0], "the drops count once, on the day they began, so days add up to the whole");
            (await store.GetStatsAsync(new AuditQuery { Since = gap.Since })).Dropped.Should().Be(7);
            (await store.GetStatsAsync(new AuditQuery { Since = gap.Since.AddTicks(1) })).Dropped.Should().Be(0);
        }
    }

    [Fact]
    public async Task GapStampedBelowTheMillisecond_BothStoresPutItInTheSameRanges()
    {
        using var folder = new TempFolder();
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(100);
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero).AddTicks(4000);
        var gap = new AuditGap("alice", 3, at, at);
        await files.WriteGapsAsync([gap], default);
        await memory.WriteGapsAsync([gap], default);

        foreach (var since in new[] { at.AddTicks(-5000), at.AddTicks(-2000), at, at.AddTicks(1) })
        {
            var query = new AuditQuery { Since = since };
            (await memory.GetStatsAsync(query)).Dropped.Should().Be((await files.GetStatsAsync(query)).Dropped, $"since {since:O}");
        }
    }

    [Fact]
    public async Task EqualTimesAcrossUsers_ComeBackLastWrittenFirstInBothStores()
    {
        using var folder = new TempFolder();
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(100);
        var recorderOptions = new ToolAuditOptions();
        var t = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([files, memory]), recorderOptions, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(t)))
        {
            foreach (var user in new[] { "zed", "bob", "alice", "bob", "carol" })
            {
                recorder.Record(Calls.Typical(user: user));
            }
        }

        var fromFiles = (await files.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Id).ToList();
        var fromMemory = (await memory.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.Id).ToList();
        fromFiles.Should().Equal(fromMemory);
        fromMemory.Should().BeInDescendingOrder(StringComparer.Ordinal, "ids grow in write order, and the last written comes first");
        (await memory.QueryAsync(new AuditQuery()).ToListAsync()).Select(e => e.User).Should().Equal("carol", "bob", "alice", "bob", "zed");
    }

    [Fact]
    public async Task DayZoneThatSkippedAWholeDay_TheDayBeforeEndsAtTheChangeAndTheSkippedDayIsEmpty()
    {
        // Samoa moved across the date line: 2011-12-29 24:00 at UTC-10 became 2011-12-31 00:00 at UTC+14, so
        // 2011-12-30 never was. TimeZoneInfo gives that midnight the new base offset, which started the 30th (and so
        // ended the 29th) 23 hours early.
        var apia = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Apia");
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = apia });
        var lateOnThe29th = new DateTimeOffset(2011, 12, 29, 23, 30, 0, TimeSpan.FromHours(-10));
        var earlyOnThe31st = new DateTimeOffset(2011, 12, 31, 0, 30, 0, TimeSpan.FromHours(14));
        await store.WriteAsync([Entries.At(lateOnThe29th, sequence: 1), Entries.At(earlyOnThe31st, sequence: 2)], default);

        (await store.ReadDayAsync("alice", new DateOnly(2011, 12, 29), apia)).Select(e => e.Seq()).Should().Equal(1);
        (await store.ReadDayAsync("alice", new DateOnly(2011, 12, 30), apia)).Should().BeEmpty("that day never was");
        (await store.ReadDayAsync("alice", new DateOnly(2011, 12, 31), apia)).Select(e => e.Seq()).Should().Equal(2);
        (await store.CountAsync(new AuditQuery { Since = lateOnThe29th.AddHours(-1), Until = lateOnThe29th.AddHours(1) })).Should().Be(1);
    }

    [Theory]
    [InlineData("Pacific/Honolulu", "Pacific/Tongatapu")]
    [InlineData("Pacific/Tongatapu", "Pacific/Honolulu")]
    public async Task DayTimeZoneChangedByUpTo23Hours_RangesStillFindEveryEntry(string written, string read)
    {
        // Day files written under UTC-10, read under UTC+13 (or the other way): a file's day begins 23 hours before or
        // after the reader's day of the same date, within the readers' one day of slack.
        using var folder = new TempFolder();
        var start = new DateTimeOffset(2025, 3, 4, 0, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 120).Select(hour => start.AddHours(hour)).ToList();
        using (var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TimeZoneInfo.FindSystemTimeZoneById(written) }))
        {
            await writer.WriteAsync(times.Select((at, i) => Entries.At(at, sequence: i)).ToList(), default);
        }

        using var reader = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TimeZoneInfo.FindSystemTimeZoneById(read) });
        foreach (var bound in times)
        {
            (await reader.CountAsync(new AuditQuery { Since = bound })).Should().Be(times.Count(t => t >= bound), $"since {bound:O}");
            (await reader.CountAsync(new AuditQuery { Until = bound })).Should().Be(times.Count(t => t < bound), $"until {bound:O}");
        }

        (await reader.QueryAsync(new AuditQuery { Since = start.AddHours(59), Until = start.AddHours(61), Limit = int.MaxValue }).CountAsync()).Should().Be(2);
    }

    [Fact]
    public async Task QueryAsync_DayFileCutWhileReadBackwards_SkipsTheRestOfItWithoutThrowing()
    {
        // A copy-and-truncate rotation (logrotate's copytruncate) can cut a day file while an admin's query reads it.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", Day);
        var lines = Enumerable.Range(0, 20_000).Select(i => Line(TimeSpan.FromSeconds(i).ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture), "alice", $"t{i}"));
        AuditFiles.Write(path, string.Join("\n", lines) + "\n");

        var read = new List<string>();
        await foreach (var entry in store.QueryAsync(new AuditQuery { User = "alice", Limit = int.MaxValue }))
        {
            read.Add(entry.Tool);
            if (read.Count == 10)
            {
                using var cut = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                cut.SetLength(200);
            }
        }

        read.Should().HaveCountGreaterThanOrEqualTo(10).And.HaveCountLessThan(20_000, "what was cut away is not read");
        read.Take(10).Should().Equal(Enumerable.Range(0, 10).Select(i => $"t{19_999 - i}"));
        read.Should().OnlyHaveUniqueItems();
    }

    private static string Line(string time, string user, string tool, string extra = "") =>
        $$"""{"ts":"2025-03-04T{{time}}.000+00:00","user":"{{user}}","tool":"{{tool}}","status":"ok","result_chars":0{{extra}}}""";

    private static async Task<List<string>> Tools(IAsyncEnumerable<AuditEntry> entries) =>
        (await entries.ToListAsync()).Select(e => e.Tool).ToList();
}
