using System.Text;
using System.Text.Json;
using ToolAudit.Querying;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A filtered query passes over the lines that cannot match without parsing them (their bytes hold a filter's value
/// nowhere), and reads the others without arguments first, whole only when they match. Whatever the lines hold (case
/// variants, values spelled with escapes, other writers' spacing, damage), it returns exactly what reading every line
/// whole and filtering after gives.
/// </summary>
public sealed class JsonlFilteredQueryTests
{
    private static readonly DateOnly Day = new(2026, 12, 3);

    // Tools in several spellings: case variants, chars JSON may escape, a quote and a backslash, and one not ASCII.
    private static readonly string[] Tools =
        ["send_email", "Send_Email", "read_file", "grep", "fs/read", "say \"hi\"", "back\\slash", "naïve_tool", "SEND_EMAIL_v2"];

    private static readonly string[] Sessions = ["s-1", "S-1", "s-2", "s/3"];

    private static readonly string[] Engines = ["openai", "OpenAI", "anthropic"];

    [Fact]
    public async Task QueryAndCount_Filtered_GiveExactlyWhatReadingEveryLineWholeAndFilteringGives()
    {
        using var folder = new TempFolder();
        var random = new Random(20261205);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var found = 0;
        for (var round = 0; round < 30; round++)
        {
            foreach (var user in new[] { "alice", "bob" })
            {
                AuditFiles.Write(store.GetFilePath(user, Day), DayFile(random, user, round));
            }

            for (var q = 0; q < 40; q++)
            {
                var query = RandomQuery(random);
                var everything = new List<AuditEntry>();
                await foreach (var entry in store.QueryAsync(new AuditQuery { User = query.User, Limit = int.MaxValue }))
                {
                    everything.Add(entry);
                }

                var expected = everything.Where(query.Matches).Skip(query.Offset).Take(query.Limit).ToList();
                var actual = new List<AuditEntry>();
                await foreach (var entry in store.QueryAsync(query))
                {
                    actual.Add(entry);
                }

                actual.Should().Equal(expected, $"round {round}, query {query}");
                (await store.CountAsync(query)).Should().Be(everything.Count(query.Matches), $"round {round}, query {query}");
                found += actual.Count;
            }
        }

        found.Should().BeGreaterThan(1000, "the queries find entries, not only nothing");
    }

    [Theory]
    [InlineData("send_email", "{\"tool\":\"send_email\"}", true)]
    [InlineData("send_email", "{\"tool\":\"SEND_EMAIL\"}", true)]
    [InlineData("send_email", "{\"tool\":\"read_file\",\"result_snippet\":\"a send_Email b\"}", true)]
    [InlineData("send_email", "{\"tool\":\"read_file\"}", false)]
    [InlineData("send_email", "{\"tool\":\"send-email\"}", false)]
    [InlineData("send_email", "{\"tool\":\"\\u0073end_email\"}", true)]
    [InlineData("send_email", "{\"tool\":\"read_file\",\"result_snippet\":\"a\\nb\\\"c\\td\"}", false)]
    [InlineData("send_email", "{\"tool\":\"read_file\",\"result_snippet\":\"a\\\\u0073\"}", false)]
    [InlineData("fs/read", "{\"tool\":\"fs\\/read\"}", true)]
    [InlineData("fs/read", "{\"tool\":\"fs_read\",\"x\":\"a\\\"b\"}", false)]
    [InlineData("say \"hi\"", "{\"tool\":\"say \\\"hi\\\"\"}", true)]
    [InlineData("back\\slash", "{\"tool\":\"back\\\\slash\"}", true)]
    [InlineData("a", "{\"tool\":\"\u0430\"}", false)]
    public void MayMatch_ByTheValueOrAnEscapeThatCouldSpellIt(string tool, string line, bool mayMatch)
    {
        var needles = LineNeedles.For(new AuditQuery { Tool = tool });

        needles!.MayMatch(Encoding.UTF8.GetBytes(line)).Should().Be(mayMatch);
    }

    [Fact]
    public void For_EveryFilterOfPrintableAscii_IsLookedForWithItsOwnCaseRule()
    {
        var needles = LineNeedles.For(new AuditQuery { SessionId = "S-1", Status = AuditStatus.Denied, Engine = "openai" })!;

        needles.MayMatch("{\"session_id\":\"S-1\",\"status\":\"DENIED\",\"engine\":\"OpenAI\"}"u8).Should().BeTrue();
        needles.MayMatch("{\"session_id\":\"s-1\",\"status\":\"denied\",\"engine\":\"openai\"}"u8).Should().BeFalse("a session is matched by its exact bytes");
        needles.MayMatch("{\"session_id\":\"S-1\",\"status\":\"ok\",\"engine\":\"openai\"}"u8).Should().BeFalse();
        needles.MayMatch("{\"session_id\":\"S-1\",\"status\":\"denied\",\"engine\":\"azure\"}"u8).Should().BeFalse();
    }

    [Fact]
    public void For_NothingToLookFor_IsNull()
    {
        LineNeedles.For(new AuditQuery { User = "alice", Since = DateTimeOffset.UnixEpoch }).Should().BeNull();
        LineNeedles.For(new AuditQuery { Status = AuditStatus.Ok }).Should().BeNull("ok is most lines' status");
        LineNeedles.For(new AuditQuery { Tool = "naïve" }).Should().BeNull("only printable ASCII is looked for");
        LineNeedles.For(new AuditQuery { Tool = string.Empty }).Should().BeNull("every tool holds the empty string");
    }

    [Fact]
    public void OrdinalIgnoreCase_PairsAnAsciiCharWithNoOtherButItsOtherCase()
    {
        // What the needles rely on: a line that lacks an ASCII value's bytes in any ASCII case cannot hold it under
        // OrdinalIgnoreCase through another char (as a culture's rules would: the Turkish dotless ı, the long s ſ).
        var pairs = new List<string>();
        for (var c = 0x80; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            for (var ascii = 0x20; ascii < 0x7F; ascii++)
            {
                if (string.Equals(((char)c).ToString(), ((char)ascii).ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    pairs.Add($"U+{c:X4} ~ {(char)ascii}");
                }
            }
        }

        pairs.Should().BeEmpty();
    }

    [Fact]
    public void QueryPasses_ProjectWhileFewLinesMatch_AndStopOnceMostDo()
    {
        var selective = new QueryPasses(new AuditQuery { Tool = "grep" });
        var unfiltered = new QueryPasses(new AuditQuery { User = "alice" });

        unfiltered.ProjectNext.Should().BeFalse("a query without filters takes every line: read once, whole");
        selective.ProjectNext.Should().BeTrue();
        for (var i = 0; i < 640; i++)
        {
            selective.Count(matched: i % 10 == 0);
        }

        selective.ProjectNext.Should().BeTrue("one line in ten matched");
        for (var i = 0; i < 1280; i++)
        {
            selective.Count(matched: true);
        }

        selective.ProjectNext.Should().BeFalse("most lines read have matched");
    }

    private static AuditQuery RandomQuery(Random random)
    {
        string? Pick(string[] values, int chance) => random.Next(chance) == 0 ? values[random.Next(values.Length)] : null;

        var query = new AuditQuery
        {
            User = random.Next(3) == 0 ? "alice" : null,
            Tool = random.Next(4) switch
            {
                0 => null,
                1 => Tools[random.Next(Tools.Length)],
                2 => Tools[random.Next(Tools.Length)].ToUpperInvariant(),
                _ => Tools[random.Next(Tools.Length)][..random.Next(1, 5)],
            },
            Status = random.Next(3) == 0 ? (AuditStatus)random.Next(3) : null,
            SessionId = Pick(Sessions, 4),
            TaskId = Pick(Sessions, 8),
            Engine = Pick(Engines, 4),
            Model = Pick(["gpt-4o", "GPT-4O", "claude"], 6),
            ConfirmedOnly = random.Next(8) == 0,
            Since = random.Next(6) == 0 ? At(random.Next(3_000)) : null,
            Until = random.Next(6) == 0 ? At(random.Next(3_000, 6_000)) : null,
            Limit = random.Next(3) == 0 ? random.Next(1, 20) : int.MaxValue,
            Offset = random.Next(5) == 0 ? random.Next(10) : 0,
        };
        return query;
    }

    private static DateTimeOffset At(int second) => new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(second);

    /// <summary>
    /// A day file of lines in time order: written as the store writes them, spelled by other writers (spaces after
    /// the signs, any char of a value as a <c>\u</c> escape, <c>\/</c>, upper-case status words), damaged ones, a line
    /// glued onto a torn one, and values that appear only in another field's text.
    /// </summary>
    private static string DayFile(Random random, string user, int round)
    {
        var content = new StringBuilder();
        var second = random.Next(60);
        for (var i = random.Next(20, 80); i > 0; i--)
        {
            second += random.Next(1, 90);
            var id = $"{user}-{round}-{i}";
            var tool = Tools[random.Next(Tools.Length)];
            var status = (AuditStatus)random.Next(3);
            var statusWord = AuditStatusNames.ToJsonWord(status);
            var fields = new List<(string Key, string Json)>
            {
                ("id", Quote(id, random, escapes: false)),
                ("ts", Quote(At(second).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture), random, escapes: false)),
                ("user", Quote(user, random, escapes: false)),
                ("tool", Quote(tool, random, escapes: random.Next(3) == 0)),
                ("args", $"{{\"q\":{Quote(Tools[random.Next(Tools.Length)], random, escapes: random.Next(2) == 0)},\"n\":{i}}}"),
                ("status", Quote(random.Next(4) == 0 ? statusWord.ToUpperInvariant() : statusWord, random, escapes: random.Next(4) == 0)),
                ("result_chars", "12"),
                ("result_snippet", Quote($"line\n\"{Tools[random.Next(Tools.Length)]}\" {(random.Next(2) == 0 ? "denied" : "error")}\t{Sessions[random.Next(Sessions.Length)]}", random, escapes: random.Next(4) == 0)),
            };
            if (random.Next(2) == 0)
            {
                fields.Add(("session_id", Quote(Sessions[random.Next(Sessions.Length)], random, escapes: random.Next(4) == 0)));
            }

            if (random.Next(3) == 0)
            {
                fields.Add(("task_id", Quote(Sessions[random.Next(Sessions.Length)], random, escapes: random.Next(4) == 0)));
            }

            if (random.Next(2) == 0)
            {
                fields.Add(("engine", Quote(Engines[random.Next(Engines.Length)], random, escapes: random.Next(4) == 0)));
                fields.Add(("model", Quote(random.Next(2) == 0 ? "gpt-4o" : "claude", random, escapes: false)));
            }

            if (random.Next(4) == 0)
            {
                fields.Add(("confirmed", "true"));
            }

            var spaced = random.Next(4) == 0;
            var line = "{" + string.Join(spaced ? ", " : ",", fields.Select(f => $"\"{f.Key}\":{(spaced ? " " : string.Empty)}{f.Json}")) + "}";
            switch (random.Next(12))
            {
                case 0:
                    line = line[..random.Next(1, line.Length)]; // torn: corrupt
                    break;
                case 1:
                    content.Append(line[..random.Next(1, line.Length)]); // torn, then this whole line glued after it
                    break;
            }

            content.Append(line).Append('\n');
        }

        return content.ToString();
    }

    /// <summary>A JSON string of <paramref name="value"/>; with <paramref name="escapes"/>, some of its chars as escapes any writer may use.</summary>
    private static string Quote(string value, Random random, bool escapes)
    {
        var json = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                json.Append('\\').Append(c);
            }
            else if (c == '\n')
            {
                json.Append("\\n");
            }
            else if (c == '\t')
            {
                json.Append("\\t");
            }
            else if (escapes && random.Next(3) == 0)
            {
                json.Append(c == '/' && random.Next(2) == 0 ? "\\/" : $"\\u{(int)c:x4}");
            }
            else
            {
                json.Append(c);
            }
        }

        return json.Append('"').ToString();
    }
}
