using System.Text;

namespace ToolAudit.Benchmarks.Workload;

/// <summary>
/// Generates the typical entries of the benchmarks, deterministically: the same count gives the same entries in every
/// process, so the harness's children need no data from their parent.
/// </summary>
/// <remarks>
/// A typical entry is about 528 bytes as a ToolAudit JSONL line: 8 users, 2 args (<c>path</c> and <c>seq</c>), a
/// result of 190 to 390 characters whose first 300 become the snippet, with newlines, quotes and tabs in it (so the
/// escaping path is exercised as it is in real tool output). Results and paths come from small pools (the strings are
/// immutable, sharing them changes nothing a writer does) so that a million entries fit in little memory; the
/// arguments dictionary is one per entry, as it is per call in a host.
/// </remarks>
public static class EntryGenerator
{
    /// <summary>The seed of every generated run.</summary>
    public const int Seed = 20_251_123;

    /// <summary>The engine every contender records (ToolAudit takes it from <see cref="ToolAuditContext"/>).</summary>
    public const string Engine = "agent";

    /// <summary>The model every contender records.</summary>
    public const string Model = "gpt-4.1";

    /// <summary>How much of a result the Python orchestrator (and so every contender) keeps.</summary>
    public const int SnippetChars = 300;

    private const int ResultPoolSize = 512;
    private const int PathPoolSize = 256;

    /// <summary>The 8 users the entries are spread over.</summary>
    public static IReadOnlyList<string> Users { get; } = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

    private static readonly string[] Tools =
    [
        "read_file", "write_file", "list_dir", "search_code", "run_shell", "fetch_url",
        "web_search", "query_db", "send_email", "create_ticket", "python", "grep",
    ];

    private static readonly string[] Words =
    [
        "the", "build", "failed", "because", "of", "a", "missing", "reference", "to", "System.Text.Json", "in",
        "project", "warning", "error", "line", "column", "value", "returned", "null", "config", "timeout", "after",
        "retry", "request", "response", "status", "200", "404", "user", "agent", "tool", "result", "file", "saved",
        "bytes", "written", "{", "}", "=>", "function", "return", "true", "false", "item", "count", "total",
    ];

    private static readonly string[] StatusWords = ["ok", "error", "denied"];

    /// <summary>The user of the entry with sequence number <paramref name="seq"/> (a pure function, so verifiers can check it).</summary>
    /// <param name="seq">The sequence number.</param>
    /// <returns>One of <see cref="Users"/>.</returns>
    public static string UserOf(long seq) => Users[(int)(Mix((ulong)seq) & 7)];

    /// <summary>Generates <paramref name="count"/> entries with sequence numbers 0 to count - 1.</summary>
    /// <param name="count">How many.</param>
    /// <param name="singleUser">When set, every entry is this user's (the reading benchmark's one big day file).</param>
    /// <returns>The entries.</returns>
    public static TypicalEntry[] Generate(int count, string? singleUser = null)
    {
        var random = new Random(Seed);
        var results = new string[ResultPoolSize];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Result(random);
        }

        var paths = new string[PathPoolSize];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = $"src/Module{random.Next(1000):D3}.cs";
        }

        var entries = new TypicalEntry[count];
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(100);
            var status = roll < 90 ? AuditStatus.Ok : roll < 97 ? AuditStatus.Error : AuditStatus.Denied;
            var args = new Dictionary<string, object?>(2, StringComparer.Ordinal)
            {
                ["path"] = paths[random.Next(paths.Length)],
                ["seq"] = (long)i,
            };
            entries[i] = new TypicalEntry(
                i,
                singleUser ?? UserOf(i),
                Tools[random.Next(Tools.Length)],
                args,
                status,
                StatusWords[(int)status],
                results[random.Next(results.Length)]);
        }

        return entries;
    }

    /// <summary>The first <see cref="SnippetChars"/> characters, as the peers' callers cut it (ToolAudit cuts on its writer).</summary>
    /// <param name="result">The result.</param>
    /// <returns>The snippet.</returns>
    public static string Snippet(string result) => result.Length <= SnippetChars ? result : result[..SnippetChars];

    private static string Result(Random random)
    {
        var length = random.Next(190, 391);
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            var roll = random.Next(100);
            if (roll < 6)
            {
                text.Append('\n');
            }
            else if (roll < 9)
            {
                text.Append('\t');
            }
            else if (roll < 13)
            {
                text.Append('"').Append(Words[random.Next(Words.Length)]).Append("\" ");
            }
            else
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }
        }

        return text.ToString(0, length);
    }

    // SplitMix64: spreads consecutive sequence numbers evenly over the users.
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
