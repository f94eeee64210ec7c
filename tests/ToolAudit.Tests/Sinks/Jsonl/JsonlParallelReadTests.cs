using System.Text;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Counts and statistics read day files side by side, and share a large day file out by byte ranges among readers of
/// the one open file. Whatever the split, they give exactly what one reader of one file at a time gives: every line
/// read once, damaged and torn lines counted once, a glued line read once.
/// </summary>
public sealed class JsonlParallelReadTests
{
    private static readonly DateOnly Day = new(2026, 12, 3);

    [Fact]
    public void OpenForwardRange_AnySplitOfAnyFile_ReadsEachLineOnceInOrderAndCountsATornTailOnce()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "lines.jsonl");
        var random = new Random(20261203);
        for (var round = 0; round < 300; round++)
        {
            // Empty lines, short ones, and now and then one longer than the reader's 64 KB chunk; a torn tail or none.
            var content = new StringBuilder();
            for (var line = random.Next(0, 12); line > 0; line--)
            {
                var chars = random.Next(10) switch { 0 => 0, 1 => random.Next(65_000, 140_000), _ => random.Next(1, 40) };
                content.Append(new string((char)('a' + random.Next(26)), chars)).Append('\n');
            }

            if (random.Next(3) == 0)
            {
                content.Append("torn-tail");
            }

            File.WriteAllText(path, content.ToString());
            using var file = File.OpenHandle(path);
            var length = RandomAccess.GetLength(file);
            var (wholeLines, wholeTorn) = ReadAll(JsonlLineReader.OpenForward(File.OpenHandle(path)));

            // Cut points anywhere, next to each other or equal (empty ranges) too.
            var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.NextInt64(0, length + 1)).Order().ToList();
            var starts = new List<long> { 0 };
            starts.AddRange(cuts);
            var lines = new List<string>();
            var torn = 0;
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1] : long.MaxValue;
                var (rangeLines, rangeTorn) = ReadAll(JsonlLineReader.OpenForwardRange(file, length, starts[i], end));
                lines.AddRange(rangeLines);
                torn += rangeTorn;
            }

            lines.Should().Equal(wholeLines, $"round {round}, ranges starting at {string.Join(", ", starts)}");
            torn.Should().Be(wholeTorn, $"round {round}");
            file.IsClosed.Should().BeFalse("a range reader leaves the shared file open");
        }
    }

    [Fact]
    public async Task CountAndStats_DamagedDayFilesSharedOutInRanges_GiveExactlyWhatOneReaderGives()
    {
        using var folder = new TempFolder();
        var random = new Random(20261204);
        using var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        for (var round = 0; round < 25; round++)
        {
            // Three users' day files (two days for one), each of good lines, damaged ones, gap markers, lines glued to
            // the one before, and maybe a torn tail.
            foreach (var (user, day) in new[] { ("alice", Day), ("bob", Day), ("carol", Day), ("alice", Day.AddDays(-1)) })
            {
                AuditFiles.Write(writer.GetFilePath(user, day), DamagedDayFile(random, user, day));
            }

            var query = random.Next(3) switch
            {
                0 => new AuditQuery(),
                1 => new AuditQuery { User = "alice" },
                _ => new AuditQuery { Tool = "read", Since = new DateTimeOffset(Day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero) },
            };
            using var oneByOne = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }) { ReadParallelism = 1 };
            using var shared = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path })
            {
                ReadParallelism = random.Next(2, 8),
                ParallelRangeBytes = random.Next(1, 400),
            };

            var expected = await oneByOne.GetStatsAsync(query);
            var stats = await shared.GetStatsAsync(query);
            var skippedByStats = shared.SkippedLines;
            var count = await shared.CountAsync(query);

            stats.Should().Be(expected, $"round {round}: {shared.ReadParallelism} readers, ranges of {shared.ParallelRangeBytes}+ bytes");
            count.Should().Be(expected.Total, $"round {round}");
            skippedByStats.Should().Be(expected.SkippedLines, $"round {round}: both reads count the same skipped lines");
            expected.Total.Should().BeGreaterThan(0);
            expected.SkippedLines.Should().BeGreaterThan(0, "the files hold damaged lines for the readers to agree on");
        }
    }

    [Fact]
    public async Task Stats_ReadCancelledWhileRangesRun_ThrowsOperationCanceled()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }) { ReadParallelism = 4, ParallelRangeBytes = 64 };
        AuditFiles.Write(store.GetFilePath("alice", Day), DamagedDayFile(new Random(5), "alice", Day));
        using var cancel = new CancellationTokenSource();
        store.DayFileReadHook = _ => cancel.Cancel();

        var read = async () => await store.GetStatsAsync(new AuditQuery(), cancel.Token);

        await read.Should().ThrowAsync<OperationCanceledException>();
        if (OperatingSystem.IsLinux())
        {
            AuditFiles.OpenDayFiles(folder.Path).Should().Be(0, "a cancelled read closes the files it opened");
        }
    }

    [Fact]
    public async Task CountAndStats_ManyDayFilesInRanges_LeaveNoFileOpen()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }) { ReadParallelism = 3, ParallelRangeBytes = 100 };
        var random = new Random(7);
        foreach (var user in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            for (var day = 0; day < 3; day++)
            {
                AuditFiles.Write(store.GetFilePath(user, Day.AddDays(-day)), DamagedDayFile(random, user, Day.AddDays(-day)));
            }
        }

        var stats = await store.GetStatsAsync(new AuditQuery());
        var count = await store.CountAsync(new AuditQuery { User = "bob" });

        stats.Total.Should().BeGreaterThan(0);
        stats.ByUser["bob"].Should().Be(count);
        if (OperatingSystem.IsLinux())
        {
            AuditFiles.OpenDayFiles(folder.Path).Should().Be(0, "each file is closed once its last part is read");
        }
    }

    private static (List<string> Lines, int Torn) ReadAll(JsonlLineReader reader)
    {
        using (reader)
        {
            var lines = new List<string>();
            while (reader.TryReadNext(out var line))
            {
                lines.Add(Encoding.UTF8.GetString(line.Span));
            }

            return (lines, reader.TornLines);
        }
    }

    private static string DamagedDayFile(Random random, string user, DateOnly day)
    {
        var content = new StringBuilder();
        for (var i = random.Next(5, 40); i > 0; i--)
        {
            var ts = $"{day:yyyy-MM-dd}T{random.Next(8, 18):D2}:{random.Next(60):D2}:{random.Next(60):D2}.000+00:00";
            var tool = random.Next(3) == 0 ? "read_file" : "search";
            var line = $"{{\"id\":\"{Guid.NewGuid()}\",\"ts\":\"{ts}\",\"user\":\"{user}\",\"tool\":\"{tool}\",\"args\":{{\"q\":\"x\\ny\"}},"
                + $"\"status\":\"{(random.Next(3) switch { 0 => "ok", 1 => "error", _ => "denied" })}\",\"result_chars\":3,\"result_snippet\":\"a\\\"b\"}}";
            switch (random.Next(8))
            {
                case 0:
                    line = line[..random.Next(1, line.Length)]; // cut short: corrupt
                    break;
                case 1:
                    line = line.Insert(random.Next(line.Length), "}{\u00e9"); // bytes inserted
                    break;
                case 2:
                    content.Append(line[..random.Next(1, line.Length)]); // torn, then this whole line glued after it
                    break;
                case 3:
                    line = $"{{\"_gap\":{{\"user\":\"{user}\",\"dropped\":{random.Next(1, 9)},\"since\":\"{ts}\",\"until\":\"{ts}\"}}}}";
                    break;
                case 4:
                    line = string.Empty;
                    break;
            }

            content.Append(line).Append('\n');
        }

        if (random.Next(2) == 0)
        {
            content.Append("{\"id\":\"torn");
        }

        return content.ToString();
    }
}
