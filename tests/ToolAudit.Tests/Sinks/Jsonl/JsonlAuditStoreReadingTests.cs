using System.Text;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>Reading: bad lines skipped and counted, only whole lines seen while writing, lines of any length.</summary>
public sealed class JsonlAuditStoreReadingTests
{
    private static readonly DateOnly March4 = new(2025, 3, 4);

    private static string Line(int minute, string tool) =>
        $$"""{"ts":"2025-03-04T10:{{minute:00}}:00.000+00:00","user":"alice","tool":"{{tool}}","status":"ok","result_chars":0}""";

    [Fact]
    public async Task QueryAsync_TornLastLineAndCorruptMiddleLines_ReturnsTheGoodEntriesAndCountsTheRest()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        string[] lines =
        [
            Line(1, "first"),
            "{not json at all",
            "[1,2,3]",
            """{"ts":"2025-03-04T10:02:00.000+00:00","user":"alice","tool":"x","status":"maybe","result_chars":0}""",
            """{"ts":"2025-03-04T10:02:00.000+00:00","user":"alice","tool":"x","status":"ok","result_chars":"many"}""",
            """{"ts":12345,"user":"alice","tool":"x","status":"ok"}""",
            """{"user":"alice","tool":"no-ts","status":"ok"}""",
            string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100),
            string.Empty, // blank lines are neither entries nor errors
            Line(3, "second"),
        ];
        var content = new List<byte>();
        foreach (var line in lines)
        {
            content.AddRange(Encoding.UTF8.GetBytes(line + "\n"));
        }

        content.AddRange(new byte[] { 0xFF, 0xFE, (byte)'{', (byte)'\n' }); // not UTF-8
        content.AddRange(Encoding.UTF8.GetBytes(Line(4, "torn")[..40])); // a write cut short: no newline
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content.ToArray());

        var entries = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var count = await store.CountAsync(new AuditQuery());
        var stats = await store.GetStatsAsync(new AuditQuery());
        var day = await store.ReadDayAsync("alice", March4);

        entries.Select(e => e.Tool).Should().Equal("second", "first");
        count.Should().Be(2);
        day.Select(e => e.Tool).Should().Equal("first", "second");
        stats.Total.Should().Be(2);
        stats.SkippedLines.Should().Be(9, "seven corrupt lines, one invalid UTF-8 line and the torn tail; the blank line is not counted");
        store.SkippedLines.Should().BeGreaterThanOrEqualTo(9);
    }

    [Fact]
    public async Task QueryAsync_FileThatIsOnlyATornLine_ReturnsNothingAndDoesNotThrow()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", March4), Line(1, "torn"));

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().BeEmpty();
        (await store.GetStatsAsync(new AuditQuery())).SkippedLines.Should().Be(1);
    }

    [Fact]
    public async Task QueryAsync_LastLineWithoutItsNewline_IsNotSeenUntilTheLineIsComplete()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", March4);
        var fourth = Line(4, "fourth");

        // A writer in the middle of its line: even a prefix that happens to be valid JSON is not a whole line yet.
        AuditFiles.Write(path, Line(1, "a") + "\n" + Line(2, "b") + "\n" + Line(3, "c") + "\n" + fourth[..30]);
        var whileWriting = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var countWhileWriting = await store.CountAsync(new AuditQuery());
        AuditFiles.Append(path, fourth[30..]);
        var beforeNewline = await store.QueryAsync(new AuditQuery()).ToListAsync();
        AuditFiles.Append(path, "\n");
        var afterNewline = await store.QueryAsync(new AuditQuery()).ToListAsync();

        whileWriting.Select(e => e.Tool).Should().Equal("c", "b", "a");
        countWhileWriting.Should().Be(3);
        beforeNewline.Select(e => e.Tool).Should().Equal("c", "b", "a");
        afterNewline.Select(e => e.Tool).Should().Equal("fourth", "c", "b", "a");
    }

    [Fact]
    public async Task QueryAsync_WhileAnotherStoreWrites_SeesOnlyWholeLinesInOrder()
    {
        using var folder = new TempFolder();
        using var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        using var reader = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        const int total = 3_000;
        var start = new DateTimeOffset(2025, 3, 4, 0, 0, 0, TimeSpan.Zero);
        var padding = new string('p', 700);
        var writing = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < total; i += 10)
                {
                    var batch = Enumerable.Range(i, 10).Select(n => Entries.At(start.AddSeconds(n), sequence: n) with { ResultSnippet = padding }).ToList();
                    writer.WriteAsync(batch, default).AsTask().GetAwaiter().GetResult();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var reads = 0;
        while (true)
        {
            var done = writing.IsCompleted;
            var seen = await reader.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
            reads++;

            // Whatever moment the read caught, it saw a whole prefix of what was written: newest first, no gap, every
            // entry complete.
            seen.Select(e => e.Seq()).Should().Equal(Enumerable.Range(0, seen.Count).Reverse());
            seen.Where(e => e.ResultSnippet != padding).Should().BeEmpty();
            if (done)
            {
                seen.Count.Should().Be(total);
                break;
            }
        }

        await writing;
        reads.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task QueryAsync_LinesLongerThanTheReadChunk_AreReadWholeBothWays()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var at = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        var huge = new string('h', 300_000);
        await store.WriteAsync(
            [
                Entries.At(at, sequence: 0),
                Entries.At(at.AddSeconds(1), sequence: 1) with { ResultSnippet = huge },
                Entries.At(at.AddSeconds(2), sequence: 2),
                Entries.At(at.AddSeconds(3), sequence: 3) with { ResultSnippet = huge + "!" },
            ],
            default);

        var newestFirst = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var stats = await store.GetStatsAsync(new AuditQuery());

        newestFirst.Select(e => e.Seq()).Should().Equal(3, 2, 1, 0);
        newestFirst[0].ResultSnippet.Should().Be(huge + "!");
        newestFirst[2].ResultSnippet.Should().Be(huge);
        stats.Total.Should().Be(4);
        stats.SkippedLines.Should().Be(0);
    }

    [Fact]
    public async Task QueryAsync_DayFileSpanningManyReadChunks_ReturnsEveryEntryNewestFirst()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var at = new DateTimeOffset(2025, 3, 4, 0, 0, 0, TimeSpan.Zero);
        const int total = 2_000; // about 300 KB: several 64 KB chunks, lines crossing their edges

        await store.WriteAsync(Enumerable.Range(0, total).Select(i => Entries.At(at.AddSeconds(i), sequence: i) with { ResultSnippet = new string('s', i % 200) }).ToList(), default);

        var all = await store.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
        var page = await store.QueryAsync(new AuditQuery { Offset = 1_500, Limit = 100 }).ToListAsync();

        all.Select(e => e.Seq()).Should().Equal(Enumerable.Range(0, total).Reverse());
        all.Should().OnlyContain(e => e.ResultSnippet!.Length == e.Seq() % 200);
        page.Select(e => e.Seq()).Should().Equal(Enumerable.Range(400, 100).Reverse());
    }

    [Fact]
    public async Task QueryAsync_FolderWithoutAnyFiles_ReturnsNothing()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = Path.Combine(folder.Path, "never-written") });

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().BeEmpty();
        (await store.CountAsync(new AuditQuery { User = "alice" })).Should().Be(0);
        (await store.GetStatsAsync(new AuditQuery())).Total.Should().Be(0);
        (await store.GetUsersAsync().ToListAsync()).Should().BeEmpty();
        (await store.PurgeAsync(DateTimeOffset.MaxValue)).Should().Be(0);
        Directory.Exists(store.Root).Should().BeFalse("reading and purging create nothing");
    }

    [Fact]
    public async Task CountsAndStats_CancelledWhileADayFileIsRead_ThrowOperationCanceledException()
    {
        // One day file can hold a million lines: cancellation must not wait for the next file.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.Write(store.GetFilePath("alice", March4), string.Concat(Enumerable.Range(0, 10).Select(i => Line(i, "t") + "\n")));
        using var cancel = new CancellationTokenSource();
        store.DayFileReadHook = _ => cancel.Cancel();

        var count = async () => await store.CountAsync(new AuditQuery(), cancel.Token);
        var stats = async () => await store.GetStatsAsync(new AuditQuery { User = "alice" }, cancel.Token);

        await count.Should().ThrowAsync<OperationCanceledException>();
        await stats.Should().ThrowAsync<OperationCanceledException>();
    }
}
