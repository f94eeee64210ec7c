using System.Text;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A newest-first read of every user merges one stream per user folder: it holds only a few day files open at once,
/// however many users there are, setting the others aside and reopening them where they stood, and returns exactly
/// what a read holding every file open returns, also when files are appended to, deleted or replaced meanwhile.
/// </summary>
public sealed class JsonlManyUsersReadTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task QueryAsync_ThreeHundredUsers_HoldsAtMost64DayFilesOpenAndReturnsWhatTheMemoryStoreReturns()
    {
        // Every user's day file would be open at once (and past ulimit -n with thousands of users) if the merge held
        // them all: it holds at most 64, however many users there are.
        using var folder = new TempFolder();
        var memory = new InMemoryAuditStore(10_000);
        var random = new Random(20261202);
        var entries = new List<AuditEntry>();
        for (var i = 0; i < 1_500; i++)
        {
            // Two days, whole seconds: many equal times across users.
            var at = Start.AddDays(random.Next(2)).AddSeconds(random.Next(3_600));
            entries.Add(Entry(at, $"user{random.Next(300):D3}", entries.Count));
        }

        // Written in time order, so that ids grow in write order as ToolAudit's do.
        entries = entries.OrderBy(e => e.Timestamp).Select((e, i) => e with { Id = $"id-{i:D6}" }).ToList();
        using (var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }))
        {
            // Disposed before the read: a writer keeps the files it wrote open.
            await writer.WriteAsync(entries, default);
        }

        await memory.WriteAsync(entries, default);
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        AuditFiles.OpenDayFiles(folder.Path).Should().Be(0);
        var mostOpen = 0;
        files.DayFileReadHook = _ => mostOpen = Math.Max(mostOpen, AuditFiles.OpenDayFiles(folder.Path));

        var read = await files.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
        var page = await files.QueryAsync(new AuditQuery { Offset = 700, Limit = 50 }).ToListAsync();

        mostOpen.Should().BeInRange(1, 64, "a read of every user holds at most 64 day files open at once");
        AuditFiles.OpenDayFiles(folder.Path).Should().Be(0, "every file is closed once the read is done");
        read.Select(e => e.Id).Should().Equal((await memory.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync()).Select(e => e.Id));
        page.Select(e => e.Id).Should().Equal((await memory.QueryAsync(new AuditQuery { Offset = 700, Limit = 50 }).ToListAsync()).Select(e => e.Id));
        files.SkippedLines.Should().Be(0);
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(2, 12)]
    [InlineData(5, 13)]
    public async Task QueryAsync_MoreFoldersThanOpenFiles_ReturnsExactlyWhatAReadHoldingEveryFileOpenReturns(int maxOpenFiles, int seed)
    {
        // Damaged, out-of-order, multi-day files of 40 users: a store that may hold only maxOpenFiles open sets files
        // aside and reopens them all the time; what it returns, and the lines it counts as skipped, are those of a store
        // that holds every file open from its first line to its last (40 folders are fewer than it sets aside).
        using var folder = new TempFolder();
        var random = new Random(seed);
        await WriteDamagedCorpus(folder.Path, random);
        using var few = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = maxOpenFiles });
        using var all = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        var queries = new List<AuditQuery> { new() { Limit = int.MaxValue } };
        for (var i = 0; i < 12; i++)
        {
            queries.Add(new AuditQuery
            {
                Offset = random.Next(3) == 0 ? 0 : random.Next(400),
                Limit = random.Next(3) == 0 ? int.MaxValue : random.Next(1, 300),
                Since = random.Next(3) == 0 ? Start.AddMinutes(random.Next(-60, 1_500)) : null,
                Until = random.Next(3) == 0 ? Start.AddMinutes(random.Next(1_500, 3_000)) : null,
                Tool = random.Next(4) == 0 ? "tool" + random.Next(3) : null,
                Status = random.Next(5) == 0 ? AuditStatus.Error : null,
            });
        }

        foreach (var query in queries)
        {
            var skippedBefore = (Few: few.SkippedLines, All: all.SkippedLines);
            var expected = await all.QueryAsync(query).ToListAsync();
            var actual = await few.QueryAsync(query).ToListAsync();

            actual.Select(Describe).Should().Equal(expected.Select(Describe), "query {0}", query);
            (few.SkippedLines - skippedBefore.Few).Should().Be(all.SkippedLines - skippedBefore.All, "query {0}", query);
        }

        (await all.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync()).Should().HaveCountGreaterThan(1_000);
        all.SkippedLines.Should().BeGreaterThan(0, "the corpus holds torn and corrupt lines");
    }

    [Fact]
    public async Task QueryAsync_LinesAppendedWhileAFileIsSetAside_AreNotReadAsAFileHeldOpenDoesNotReadThem()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 1 });
        var before = Interleaved("alice", "bob", count: 300);
        await store.WriteAsync(before, default);
        var expected = before.OrderByDescending(e => e.Timestamp).Select(e => e.Id).ToList();

        var read = new List<string?>();
        await foreach (var entry in store.QueryAsync(new AuditQuery { Limit = int.MaxValue }))
        {
            read.Add(entry.Id);
            if (read.Count % 50 == 1)
            {
                // Newer lines (and an unfinished one) at the end of both files, which were open when the read began.
                var later = Start.AddHours(1).AddSeconds(read.Count);
                await store.WriteAsync([Entry(later, "alice", 10_000 + read.Count), Entry(later, "bob", 20_000 + read.Count)], default);
                AuditFiles.Append(store.GetFilePath("alice", DateOnly.FromDateTime(Start.UtcDateTime)), "{\"ts\":\"2025-03-04T09:");
            }
        }

        read.Should().Equal(expected);
    }

    [Fact]
    public async Task QueryAsync_FileDeletedWhileSetAside_SkipsTheRestOfItAndReadsTheOthers()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 1 });
        var written = Interleaved("alice", "bob", count: 2_000);
        await store.WriteAsync(written, default);
        var alicePath = store.GetFilePath("alice", DateOnly.FromDateTime(Start.UtcDateTime));

        var read = new List<AuditEntry>();
        await foreach (var entry in store.QueryAsync(new AuditQuery { Limit = int.MaxValue }))
        {
            read.Add(entry);
            if (read.Count == 100)
            {
                File.Delete(alicePath);
            }
        }

        read.Should().BeInDescendingOrder(e => e.Timestamp);
        read.Select(e => e.Id).Should().OnlyHaveUniqueItems().And.BeSubsetOf(written.Select(e => e.Id));
        read.Where(e => e.User == "bob").Should().HaveCount(1_000, "bob's file is read whole");
        read.Count(e => e.User == "alice").Should().BeInRange(50, 999, "the rest of alice's file is gone");
        store.SkippedLines.Should().Be(0, "a deleted file's lines are not counted as skipped");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueryAsync_FileReplacedWhileSetAside_NeverReturnsTheNewFilesLines(bool shorter)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 1 });
        var written = Interleaved("alice", "bob", count: 2_000);
        await store.WriteAsync(written, default);
        var alicePath = store.GetFilePath("alice", DateOnly.FromDateTime(Start.UtcDateTime));
        var replacement = Path.Combine(folder.Path, "replacement.jsonl");
        using (var other = new JsonlAuditStore(new JsonlAuditOptions { Root = Path.Combine(folder.Path, "other") }))
        {
            // Other lines of alice's at the same times: as long as hers, or shorter.
            var lines = Interleaved("alice", "bob", count: shorter ? 200 : 4_000).Where(e => e.User == "alice").Select(e => e with { Id = "other-" + e.Id });
            await other.WriteAsync(lines.ToList(), default);
            File.Move(other.GetFilePath("alice", DateOnly.FromDateTime(Start.UtcDateTime)), replacement);
        }

        var read = new List<AuditEntry>();
        await foreach (var entry in store.QueryAsync(new AuditQuery { Limit = int.MaxValue }))
        {
            read.Add(entry);
            if (read.Count == 100)
            {
                File.Move(replacement, alicePath, overwrite: true);
            }
        }

        read.Should().NotContain(e => e.Id!.StartsWith("other-", StringComparison.Ordinal));
        read.Should().BeInDescendingOrder(e => e.Timestamp);
        read.Where(e => e.User == "bob").Should().HaveCount(1_000);
        store.SkippedLines.Should().Be(0);
    }

    /// <summary>What a read returned of an entry, to compare two reads.</summary>
    private static string Describe(AuditEntry e) => $"{e.Id}|{e.User}|{e.Tool}|{e.Status}|{e.Timestamp:O}|{e.ResultSnippet?.Length}";

    private static AuditEntry Entry(DateTimeOffset at, string user, int sequence, string tool = "tool0", string snippet = "result") =>
        Entries.At(at, user: user, tool: tool, sequence: sequence) with { Id = $"id-{sequence:D6}", ResultSnippet = snippet };

    /// <summary><paramref name="count"/> entries, a second apart, alternately the two users'.</summary>
    private static List<AuditEntry> Interleaved(string first, string second, int count) =>
        Enumerable.Range(0, count).Select(i => Entry(Start.AddSeconds(i), i % 2 == 0 ? first : second, i)).ToList();

    /// <summary>
    /// Day files of 40 users over three days: times out of order (a little, and by minutes), equal times, long lines
    /// (past the read chunk), blank and corrupt lines, torn last lines, an empty file and one that is only a torn line.
    /// </summary>
    private static async Task WriteDamagedCorpus(string root, Random random)
    {
        using (var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = root }))
        {
            var sequence = 0;
            for (var user = 0; user < 40; user++)
            {
                var name = user % 7 == 0 ? $"User {user}" : $"user{user}";
                var count = random.Next(3) == 0 ? random.Next(200, 800) : random.Next(0, 40);
                var batch = new List<AuditEntry>();
                var at = Start.AddMinutes(random.Next(60));
                for (var i = 0; i < count; i++)
                {
                    at = at.AddMilliseconds(random.Next(10) == 0 ? random.Next(-120_000, 0) : random.Next(-400, 3_000));
                    var when = random.Next(8) == 0 ? at.AddDays(random.Next(-1, 2)) : at;
                    var snippet = random.Next(60) == 0 ? new string('x', random.Next(70_000, 140_000)) : "result";
                    batch.Add(Entry(when, name, sequence++, tool: "tool" + random.Next(3), snippet: snippet) with
                    {
                        Status = random.Next(4) == 0 ? AuditStatus.Error : AuditStatus.Ok,
                    });
                }

                await writer.WriteAsync(batch, default);
            }
        }

        foreach (var path in AuditFiles.All(root))
        {
            var lines = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n').SkipLast(1).ToList();
            for (var i = lines.Count; i >= 0; i--)
            {
                switch (random.Next(25))
                {
                    case 0:
                        lines.Insert(i, string.Empty);
                        break;
                    case 1:
                        lines.Insert(i, "{\"ts\":\"not a time\"");
                        break;
                }
            }

            var text = string.Concat(lines.Select(l => l + "\n"));
            text += random.Next(3) == 0 ? "{\"ts\":\"2025-03-04T10:00:00Z\",\"user\":\"torn" : string.Empty;
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        }

        AuditFiles.Write(Path.Combine(root, "empty", "tool_audit", "2025-03-04.jsonl"), string.Empty);
        AuditFiles.Write(Path.Combine(root, "onlytorn", "tool_audit", "2025-03-04.jsonl"), "{\"ts\":\"2025-03-04T10:00:00Z\"");
    }
}
