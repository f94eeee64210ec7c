using System.Text;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Day files damaged at random (seeded, so every run is the same): bytes changed, lines cut short, bytes inserted,
/// invalid UTF-8, nesting deeper than any reader allows, a line of 300 KB, a duplicated key. Reading never throws,
/// every line is either an entry or counted as skipped, and every line left intact comes back exactly as written,
/// reading forwards (statistics) and backwards (newest first).
/// </summary>
public sealed class JsonlDamagedFileTests
{
    private const int Lines = 60;
    private const int Files = 40;
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Read_RandomlyDamagedDayFiles_NeverThrowsCountsEveryLineAndReturnsIntactLinesUnchanged()
    {
        using var folder = new TempFolder();
        var originals = Enumerable.Range(0, Lines).Select(Original).ToList();
        byte[][] pristine;
        using (var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }))
        {
            await writer.WriteAsync(originals, CancellationToken.None);
            pristine = SplitLines(File.ReadAllBytes(writer.GetFilePath("alice", DateOnly.FromDateTime(Start.UtcDateTime))));
        }

        pristine.Should().HaveCount(Lines);
        var path = Path.Combine(folder.Path, "alice", "tool_audit", "2026-11-23.jsonl");
        var byId = originals.ToDictionary(e => e.Id!);
        var random = new Random(20261202);
        var damagedInAll = 0;

        for (var file = 0; file < Files; file++)
        {
            var lines = new List<byte[]>();
            var intact = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < Lines; i++)
            {
                if (random.Next(3) == 0)
                {
                    lines.Add(Damage(pristine[i], random));
                    damagedInAll++;
                }
                else
                {
                    lines.Add(pristine[i]);
                    intact.Add(originals[i].Id!);
                }
            }

            var content = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
            File.WriteAllBytes(path, content);
            var nonBlank = SplitLines(content).Count(l => Encoding.UTF8.GetString(l).Trim().Length > 0);
            using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

            var stats = await store.GetStatsAsync(new AuditQuery());
            var newestFirst = await store.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();

            (stats.Total + stats.SkippedLines).Should().Be(nonBlank, $"file {file}: every line is an entry or skipped");
            newestFirst.Should().HaveCount((int)stats.Total, $"file {file}: both directions find the same entries");
            var returned = newestFirst.Where(e => e.Id is not null && intact.Contains(e.Id)).ToList();
            returned.Select(e => e.Id).Should().BeEquivalentTo(intact, $"file {file}: every intact line comes back");
            foreach (var entry in returned)
            {
                var original = byId[entry.Id!];
                entry.Should().BeEquivalentTo(original, o => o.Excluding(e => e.Args), $"file {file}");
                entry.Args!["path"].GetString().Should().Be(original.Args!["path"].GetString());
            }
        }

        damagedInAll.Should().BeGreaterThan(Files * Lines / 4, "the test damages about a third of the lines");
    }

    [Fact]
    public async Task Read_LineNamingAnotherUserInAUsersFile_ShowsAsThatUserInUnfilteredReadsOnlyAndEveryReaderAgrees()
    {
        using var folder = new TempFolder();
        using (var writer = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }))
        {
            await writer.WriteAsync([Original(0), Original(1)], CancellationToken.None);
        }

        // Damage or tampering: a line in alice's file that says mallory made the call.
        var path = Path.Combine(folder.Path, "alice", "tool_audit", "2026-11-23.jsonl");
        var planted = File.ReadAllLines(path)[1].Replace("\"user\":\"alice\"", "\"user\":\"mallory\"", StringComparison.Ordinal);
        File.AppendAllText(path, planted + "\n");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        var all = await store.QueryAsync(new AuditQuery()).ToListAsync();
        var allStats = await store.GetStatsAsync(new AuditQuery());
        var alices = await store.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync();
        var aliceCount = await store.CountAsync(new AuditQuery { User = "alice" });
        var mallorys = await store.QueryAsync(new AuditQuery { User = "mallory" }).ToListAsync();
        var malloryCount = await store.CountAsync(new AuditQuery { User = "mallory" });

        all.Select(e => e.User).Should().BeEquivalentTo("alice", "alice", "mallory");
        allStats.Total.Should().Be(3);
        allStats.ByUser.Should().Equal(new Dictionary<string, long> { ["alice"] = 2, ["mallory"] = 1 });
        alices.Should().HaveCount(2).And.OnlyContain(e => e.User == "alice");
        aliceCount.Should().Be(2);
        mallorys.Should().BeEmpty("mallory's own folder holds no such line");
        malloryCount.Should().Be(0);
    }

    private static AuditEntry Original(int i) => new()
    {
        Id = $"019ab3c2-5e1f-7a31-9c2d-{i:D12}",
        Timestamp = Start.AddSeconds(i),
        User = "alice",
        Engine = "openai",
        Model = "gpt-4o",
        Tool = i % 3 == 0 ? "read_file" : "search",
        Args = new Dictionary<string, System.Text.Json.JsonElement> { ["path"] = System.Text.Json.JsonSerializer.SerializeToElement($"/docs/{i}.md") },
        Status = (AuditStatus)(i % 3),
        ResultChars = 100 + i,
        ResultSnippet = $"line one\nline \"two\"\t{i}",
        SessionId = "s-1",
        Confirmed = i % 2 == 0,
        DurationMs = i + 0.5,
    };

    private static byte[] Damage(byte[] line, Random random)
    {
        var at = random.Next(line.Length);
        switch (random.Next(7))
        {
            case 0:
                // A changed byte (never a line break: that would make two lines, each damaged on its own).
                var changed = (byte[])line.Clone();
                changed[at] = NotNewline(random);
                return changed;
            case 1:
                return line[..at];
            case 2:
                var inserted = Enumerable.Range(0, random.Next(1, 9)).Select(_ => NotNewline(random)).ToArray();
                return [.. line[..at], .. inserted, .. line[at..]];
            case 3:
                return [.. line[..at], 0xC3, 0x28, 0xFF, .. line[at..]];
            case 4:
                var depth = 5_000;
                return Encoding.UTF8.GetBytes("{\"ts\":\"2026-11-23T09:00:00Z\",\"user\":\"alice\",\"tool\":\"t\",\"status\":\"ok\",\"args\":{\"a\":"
                    + new string('[', depth) + new string(']', depth) + "}}");
            case 5:
                return Enumerable.Range(0, 300_000).Select(_ => (byte)random.Next(0x20, 0x7F)).ToArray();
            default:
                // A second "user" key after the first: the line says two things about who acted.
                return [(byte)'{', .. "\"user\":\"mallory\","u8, .. line[1..]];
        }
    }

    private static byte NotNewline(Random random)
    {
        byte value;
        do
        {
            value = (byte)random.Next(256);
        }
        while (value == (byte)'\n');

        return value;
    }

    private static byte[][] SplitLines(byte[] content)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n')
            {
                lines.Add(content[start..i]);
                start = i + 1;
            }
        }

        if (start < content.Length)
        {
            lines.Add(content[start..]);
        }

        return [.. lines];
    }
}
