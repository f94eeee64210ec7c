using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ToolAudit.Benchmarks.Peers;

/// <summary>
/// A direct port of the original Python orchestrator's audit module, the design ToolAudit replaces: every
/// <c>record()</c> builds a dictionary, serializes it, and opens, appends one line to and closes the day file on the
/// caller's thread, under a per-file lock. <c>read_recent()</c> reads every line of the user's last days, parses them
/// all, sorts newest first and keeps the first <c>limit</c>.
/// </summary>
/// <remarks>
/// Kept as close to the Python as C# allows (local-time <c>ts</c> in seconds, <c>json.dumps(ensure_ascii=False)</c>,
/// <c>mkdir(parents=True, exist_ok=True)</c> then <c>open(path, "a")</c> per call) so that the benchmark measures
/// the design, not a strawman. Thread-safe.
/// </remarks>
public sealed class SeedAuditLog
{
    private const int ArgMaxChars = 500;

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly string _root;
    private readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);

    /// <summary>Creates the log over <paramref name="root"/> (the Python <c>home</c> folder).</summary>
    /// <param name="root">The folder that holds one folder per user.</param>
    public SeedAuditLog(string root) => _root = root;

    /// <summary>The Python <c>record(user, tool, args, status, result)</c>, with engine and model from its context variable.</summary>
    public void Record(string user, string engine, string model, string tool, IReadOnlyDictionary<string, object?>? args, string status, string? result)
    {
        var now = DateTime.Now;
        var entry = new Dictionary<string, object?>
        {
            ["ts"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            ["user"] = user,
            ["engine"] = engine,
            ["model"] = model,
            ["tool"] = tool,
            ["args"] = TruncateArgs(args),
            ["status"] = status,
            ["result_chars"] = result?.Length ?? 0,
            ["result_snippet"] = result is null ? string.Empty : result[..Math.Min(result.Length, 300)],
        };

        var line = JsonSerializer.Serialize(entry, Json) + "\n";
        var folder = Path.Combine(_root, user, "tool_audit");
        var path = Path.Combine(folder, now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".jsonl");
        Directory.CreateDirectory(folder);
        lock (_locks.GetOrAdd(path, static _ => new object()))
        {
            File.AppendAllText(path, line, Utf8);
        }
    }

    /// <summary>The Python <c>read_recent(user, days=7, limit=200)</c>: newest first across the last days.</summary>
    /// <remarks>
    /// Each line is parsed into a <see cref="JsonDocument"/> (the cheapest C# equivalent of <c>json.loads</c>), all
    /// are kept, sorted by <c>ts</c> descending, and the first <paramref name="limit"/> returned; the caller disposes
    /// them.
    /// </remarks>
    /// <returns>At most <paramref name="limit"/> entries, newest first.</returns>
    public List<JsonDocument> ReadRecent(string user, int days = 7, int limit = 200)
    {
        var entries = new List<(string Ts, JsonDocument Entry)>();
        var today = DateTime.Now.Date;
        for (var back = 0; back < days; back++)
        {
            var path = Path.Combine(_root, user, "tool_audit", today.AddDays(-back).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".jsonl");
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var raw in File.ReadLines(path, Utf8))
            {
                var line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    var entry = JsonDocument.Parse(line);
                    var ts = entry.RootElement.ValueKind == JsonValueKind.Object && entry.RootElement.TryGetProperty("ts", out var value) && value.ValueKind == JsonValueKind.String
                        ? value.GetString()!
                        : string.Empty;
                    entries.Add((ts, entry));
                }
                catch (JsonException)
                {
                    // Bad lines are skipped, as in the Python.
                }
            }
        }

        // sorted(entries, key=lambda e: e.get("ts", ""), reverse=True)[:limit]; OrderByDescending is stable too.
        var newest = entries.OrderByDescending(static e => e.Ts, StringComparer.Ordinal).Take(limit).Select(static e => e.Entry).ToList();
        var kept = newest.ToHashSet();
        foreach (var (_, entry) in entries)
        {
            if (!kept.Contains(entry))
            {
                entry.Dispose();
            }
        }

        return newest;
    }

    private static Dictionary<string, object?>? TruncateArgs(IReadOnlyDictionary<string, object?>? args)
    {
        if (args is null)
        {
            return null;
        }

        var copy = new Dictionary<string, object?>(args.Count);
        foreach (var (key, value) in args)
        {
            copy[key] = value is string { Length: > ArgMaxChars } text
                ? string.Concat(text.AsSpan(0, ArgMaxChars), $" …[{text.Length} chars total]")
                : value;
        }

        return copy;
    }
}
