using System.Text;
using System.Text.Json;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Seeded random hostile calls (quotes, backslashes, control characters, lone surrogates, emoji, secrets, long texts,
/// odd numbers, nested values) recorded once into the JSONL files and the in-memory store side by side: what the files
/// give back is, field for field, the entry the in-memory store holds. Any difference is the file writer or reader
/// changing a value on its way through the disk.
/// </summary>
public sealed class JsonlRoundTripPropertyTests
{
    private const int Calls = 2_000;

    private static readonly string[] Pieces =
    [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\0", "\u0001", "\u001f", "\u007f", "\u0085", "\u2028",
        "é", "e\u0301", "用户", "🙂", "👩‍💻", "\uFEFF", "\uFFFD", "<", ">", "&", "'", "{", "}", "[", "]", ":", ",",
        "Bearer abc.def.ghi", "sk-", "ghp_", "AKIA", "password", "\\u0000", "…",

        // What the name scan masks, so its windows over the snippet and the arguments are compared too.
        "password=", "api_key: ", "\"token\": \"", "--password ", "mysql -p", "curl -u bob:", "postgres://app:pw@db",
        "<password>", "</password>", "password:\n  ", "IDENTIFIED BY '", "ConvertTo-SecureString ", "\"password\" => ",
    ];

    private static readonly string[] Users = ["alice", "Bob", "../etc", "用户", "🙂 x", "a\\b"];

    [Fact]
    public async Task Record_RandomHostileCalls_FilesGiveBackExactlyTheEntriesTheMemoryStoreHolds()
    {
        using var folder = new TempFolder();
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(capacity: Calls);
        var random = new Random(20261202);
        var argumentCounts = new Dictionary<int, int>();
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([files, memory])))
        {
            for (var i = 0; i < Calls; i++)
            {
                var call = RandomCall(random, i);
                argumentCounts[i] = call.Args?.Count ?? -1;
                recorder.Record(call);
            }

            await recorder.FlushAsync();
            recorder.Counters.Should().Be(new AuditCounters(Calls, Calls, 0, 0, 0));
        }

        var expected = (await memory.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync()).ToDictionary(e => e.Id!);
        var actual = await files.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
        var stats = await files.GetStatsAsync(new AuditQuery());

        expected.Should().HaveCount(Calls);
        actual.Should().HaveCount(Calls);
        stats.Total.Should().Be(Calls);
        stats.SkippedLines.Should().Be(0);
        actual.Count(e => e.ResultSnippet?.Contains("[redacted]", StringComparison.Ordinal) == true).Should()
            .BeGreaterThan(Calls / 10, "the snippets must hold masked secrets often enough to compare both writers' masking");
        foreach (var entry in actual)
        {
            var want = expected[entry.Id!];
            entry.Should().BeEquivalentTo(want, o => o.Excluding(e => e.Args).Excluding(e => e.Timestamp), $"entry {entry.Id}");
            entry.Timestamp.Should().BeCloseTo(want.Timestamp, TimeSpan.FromMilliseconds(1), "the files keep milliseconds");
            if (want.Args is null)
            {
                entry.Args.Should().BeNull();
                continue;
            }

            entry.Args!.Keys.Should().Equal(want.Args.Keys, $"entry {entry.Id}");
            entry.Args.Should().HaveCount(argumentCounts[entry.Args["seq"].GetInt32()], "no argument is lost, not even to two keys that became equal");
            foreach (var (key, value) in want.Args)
            {
                JsonElement.DeepEquals(entry.Args[key], value).Should().BeTrue($"entry {entry.Id}, argument {Escape(key)}: {Escape(entry.Args[key].GetRawText())} read back for {Escape(value.GetRawText())}");
            }
        }
    }

    private static ToolCall RandomCall(Random random, int sequence)
    {
        var args = random.Next(6) == 0 ? null : new Dictionary<string, object?>();
        if (args is not null)
        {
            args["seq"] = sequence;
            for (var n = random.Next(5); n > 0; n--)
            {
                args[RandomText(random, 1, 4)] = RandomValue(random);
            }
        }

        return new ToolCall(
            Users[random.Next(Users.Length)],
            RandomText(random, 1, 5),
            args,
            (AuditStatus)random.Next(3),
            random.Next(4) == 0 ? null : RandomText(random, 0, random.Next(3) == 0 ? 200 : 20))
        {
            SessionId = random.Next(2) == 0 ? null : RandomText(random, 1, 3),
            TaskId = random.Next(3) == 0 ? RandomText(random, 1, 3) : null,
            CallId = random.Next(2) == 0 ? $"call_{sequence}" : null,
            Confirmed = random.Next(2) == 0,
            Duration = random.Next(3) == 0 ? null : TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerHour)),
            Engine = random.Next(3) == 0 ? RandomText(random, 1, 3) : null,
            Model = random.Next(3) == 0 ? RandomText(random, 1, 3) : null,
            Error = random.Next(4) == 0 ? RandomText(random, 1, 30) : null,
        };
    }

    private static object? RandomValue(Random random) => random.Next(14) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => random.Next(int.MinValue, int.MaxValue),
        3 => random.NextInt64(long.MinValue, long.MaxValue),
        4 => random.NextDouble() * Math.Pow(10, random.Next(-300, 300)) * (random.Next(2) == 0 ? -1 : 1),
        5 => (decimal)random.Next() / 7,
        6 => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(random.Next(-12, 13))).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 365)),
        7 => Guid.NewGuid(),
        8 => (char)random.Next(0x20, 0x7F),
        9 => new[] { RandomText(random, 0, 3), RandomText(random, 0, 3) },
        10 => new Dictionary<string, object?> { [RandomText(random, 1, 2)] = random.Next(), ["n"] = null },
        11 => RandomText(random, 100, 200),
        12 => 0.1 + 0.2,
        _ => RandomText(random, 0, 8),
    };

    private static string RandomText(Random random, int minPieces, int maxPieces)
    {
        var builder = new StringBuilder();
        for (var n = random.Next(minPieces, maxPieces + 1); n > 0; n--)
        {
            if (random.Next(40) == 0)
            {
                builder.Append((char)random.Next(0xD800, 0xE000)); // a lone surrogate
            }
            else
            {
                builder.Append(Pieces[random.Next(Pieces.Length)]);
            }
        }

        return builder.ToString();
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
