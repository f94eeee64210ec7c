using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ToolAudit.Recording;
using ToolAudit.Serialization;

namespace ToolAudit.Tests.Serialization;

/// <summary>
/// The JSONL store's fast path writes a captured call's line without making its entry; it must write exactly the
/// bytes of the entry path (prepare the entry, then write it) for every call, the hostile ones most of all.
/// </summary>
public sealed class CapturedLineTests
{
    private const int IdStart = 7; // {"id":"
    private static readonly DateTimeOffset At = new(2025, 3, 4, 10, 0, 0, 123, TimeSpan.Zero);

    public static TheoryData<int, int, int> Limits => new()
    {
        { ToolAuditOptions.DefaultArgMaxChars, ToolAuditOptions.DefaultSnippetMaxChars, ToolAuditOptions.DefaultErrorMaxChars },
        { 8, 10, 12 },
        { 1, 0, 1 },
        { 40, 1, 30 },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public void WriteLine_OfCapturedCall_IsByteForByteTheLineOfItsEntry(int argMaxChars, int snippetMaxChars, int errorMaxChars)
    {
        var options = new ToolAuditOptions { ArgMaxChars = argMaxChars, SnippetMaxChars = snippetMaxChars, ErrorMaxChars = errorMaxChars };
        var random = new Random(20_251_202);
        var compared = 0;
        foreach (var call in Calls(random))
        {
            foreach (var context in new[] { AuditContext.Empty, new AuditContext("ctx-engine", "ctx-model", "bob", "ctx-session", "ctx-task") })
            {
                using var activity = compared % 3 == 0 ? new Activity("turn").SetIdFormat(ActivityIdFormat.W3C).Start() : null;
                var viaEntry = Line(call, context, activity, options, fast: false);
                var direct = Line(call, context, activity, options, fast: true);

                WithoutId(direct).Should().Be(WithoutId(viaEntry), $"call {compared}: {viaEntry}");
                direct.Substring(IdStart, AuditIdGenerator.FormattedLength).Should().MatchRegex("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
                using var parsed = JsonDocument.Parse(direct);
                compared++;
            }
        }

        compared.Should().BeGreaterThanOrEqualTo(500);
    }

    [Theory]
    [InlineData(-1, "0")]
    [InlineData(-5, "0")]
    [InlineData(-6, "-0.001")]
    [InlineData(1, "0")]
    [InlineData(12_345, "1.234")]
    public void WriteLine_DurationOfATickOrTwo_IsZeroNotMinusZero(long ticks, string written)
    {
        // A clock that steps back a tick gave "duration_ms":-0 on both paths.
        var call = new ToolCall("alice", "edit", null, AuditStatus.Ok) { Duration = TimeSpan.FromTicks(ticks) };
        foreach (var fast in new[] { false, true })
        {
            var line = Line(call, AuditContext.Empty, activity: null, new ToolAuditOptions(), fast);
            line.Should().Contain($"\"duration_ms\":{written}}}", $"fast: {fast}");
        }

        var entry = new AuditEntryFactory(new ToolAuditOptions()).Create(Capture(call, AuditContext.Empty, activity: null));
        double.IsNegative(entry.DurationMs!.Value).Should().Be(written.StartsWith('-'));
    }

    [Fact]
    public void WriteLine_OfCapturedCall_AtTheLineBounds_IsTheLineOfItsEntry()
    {
        // Names around 1,024 chars, keys around 256 (equal up to the cut, named like the markers), 254 to 258
        // arguments, JSON values around the structured limit; surrogates, marks and escapes at every cut.
        var random = new Random(42);
        string[] pieces = ["a", "\uD83D\uDE00", "\uD800", "\uDC00", "e\u0301", "\r\n", "\"", "\\", "\n", "é", "\u200D", "\U0001F469\u200D\U0001F4BB"];
        string Text(int around)
        {
            var sb = new StringBuilder();
            var target = around + random.Next(-6, 7);
            while (sb.Length < target - 8)
            {
                sb.Append('x');
            }

            while (sb.Length < target)
            {
                sb.Append(pieces[random.Next(pieces.Length)]);
            }

            return sb.ToString();
        }

        var options = new[] { new ToolAuditOptions(), new ToolAuditOptions { ArgMaxChars = 8 } };
        for (var n = 0; n < 400; n++)
        {
            var args = new Dictionary<string, object?>();
            var count = random.Next(4) switch { 0 => random.Next(0, 4), 1 => random.Next(254, 259), _ => random.Next(3, 20) };
            var shared = Text(256);
            for (var i = 0; i < count; i++)
            {
                var key = random.Next(5) switch
                {
                    0 => shared + (char)('a' + random.Next(3)),
                    1 => "[more]",
                    2 => Text(256),
                    3 => "k" + i,
                    _ => "[more]~" + random.Next(2, 4),
                };
                var size = random.Next(3);
                object? value = random.Next(4) switch
                {
                    0 => Text(500),
                    1 => JsonDocument.Parse("[" + string.Join(",", Enumerable.Repeat("\"" + new string('z', 2 + random.Next(3)) + "\"", 1_000 + size * 100)) + "]").RootElement.Clone(),
                    2 => JsonDocument.Parse("\"" + new string('q', 4_100) + "\"").RootElement.Clone(),
                    _ => i,
                };
                args.TryAdd(key, value);
            }

            var call = new ToolCall("alice", Text(1024), args, AuditStatus.Ok)
            {
                CallId = random.Next(2) == 0 ? null : Text(1024),
                Engine = Text(1024),
                SessionId = random.Next(2) == 0 ? null : Text(1024),
            };
            foreach (var o in options)
            {
                var fast = WithoutId(Line(call, AuditContext.Empty, null, o, fast: true));
                var entry = WithoutId(Line(call, AuditContext.Empty, null, o, fast: false));
                fast.Should().Be(entry, $"call {n}");
                using var doc = JsonDocument.Parse(fast);
                var keys = doc.RootElement.TryGetProperty("args", out var a) ? a.EnumerateObject().Select(p => p.Name).ToList() : [];
                keys.Should().OnlyHaveUniqueItems($"call {n}");
                keys.Count.Should().BeLessThanOrEqualTo(257);
            }
        }
    }

    [Fact]
    public void WriteLine_OfACallWhoseNameArgumentNamesASecret_RedactsTheValueAsTheEntryDoes()
    {
        // set_env(name: "DB_PASSWORD", value: …): the value is the secret the name names, in the files as in memory.
        var options = new ToolAudit.ToolAuditOptions();
        var call = new ToolCall("alice", "set_env", new Dictionary<string, object?> { ["name"] = "DB_PASSWORD", ["value"] = "hunter2" }, AuditStatus.Ok);

        var direct = Line(call, AuditContext.Empty, null, options, fast: true);
        var viaEntry = Line(call, AuditContext.Empty, null, options, fast: false);

        direct.Should().NotContain("hunter2");
        WithoutId(direct).Should().Be(WithoutId(viaEntry));
    }

    [Fact]
    public void WriteLine_WhenPreparingAnArgumentThrows_TheStoreKeepsNoHalfLine()
    {
        using var folder = new Support.TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var factory = new AuditEntryFactory(new ToolAuditOptions());
        IStagedAuditSink staged = store;
        object? prepared = null;

        staged.Prepare(Capture(new ToolCall("alice", "first", null, AuditStatus.Ok, "one"), AuditContext.Empty, null), 1, factory, ref prepared);
        var bad = Capture(new ToolCall("alice", "bad", new Dictionary<string, object?> { ["x"] = 1 }, (AuditStatus)42, "two"), AuditContext.Empty, null);
        var act = () => staged.Prepare(bad, 2, factory, ref prepared);
        act.Should().Throw<ArgumentOutOfRangeException>();
        staged.Prepare(Capture(new ToolCall("alice", "third", null, AuditStatus.Ok, "three"), AuditContext.Empty, null), 3, factory, ref prepared);
        staged.Commit(prepared!, null);

        var lines = Support.AuditFiles.AllLines(folder.Path);
        lines.Should().HaveCount(2);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("tool").GetString()).Should().Equal("first", "third");
    }

    private static string Line(ToolCall call, AuditContext context, Activity? activity, ToolAuditOptions options, bool fast)
    {
        var writer = new AuditJsonWriter(256);
        var factory = new AuditEntryFactory(options);
        var captured = Capture(call, context, activity);
        if (fast)
        {
            writer.WriteLine(captured, factory.NextIdSequence(captured.Timestamp), factory);
        }
        else
        {
            writer.WriteLine(factory.Create(captured));
        }

        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    private static CapturedCall Capture(ToolCall call, AuditContext context, Activity? activity) => new()
    {
        Call = call,
        UtcTicks = At.UtcTicks,
        Args = ArgumentCapture.Capture(call.Args, out _),
        Context = context,
        Activity = activity,
    };

    private static string WithoutId(string line) => line.Remove(IdStart, AuditIdGenerator.FormattedLength);

    private static IEnumerable<ToolCall> Calls(Random random)
    {
        var texts = Texts().ToArray();
        var values = new object?[]
        {
            null, 0, -7L, 3.25, double.NaN, true, 'c', decimal.MaxValue, Guid.Empty, AuditStatus.Denied,
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), new Uri("https://example.com/a?b=c"),
            JsonDocument.Parse("""{"token":"abc","nested":{"password":"p","list":["Bearer abcdefghijklmnop", "ok"]},"n":1}""").RootElement,
            JsonDocument.Parse("\"" + new string('j', 700) + "\"").RootElement,
            JsonDocument.Parse("""{"k\ud800":"\udc00","api_key":"x","list":["\ud83d"]}""").RootElement,
            new { Name = "poco", Count = 2 },
            new MemoryStream(),
        };
        var keys = new[] { "path", "password", "api_key", "Authorization", "query", "k\uD800ey", "", "seq", "password_file" };

        foreach (var text in texts)
        {
            yield return new ToolCall("alice", "tool", null, AuditStatus.Ok, text);
            yield return new ToolCall("alice", "tool", new Dictionary<string, object?> { ["text"] = text }, AuditStatus.Error, null) { Error = text };
        }

        for (var i = 0; i < 200; i++)
        {
            var count = random.Next(6);
            Dictionary<string, object?>? args = count == 5 ? null : new();
            for (var a = 0; a < count && args is not null; a++)
            {
                var key = keys[random.Next(keys.Length)] + (a > 0 ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
                args[key] = random.Next(3) == 0 ? texts[random.Next(texts.Length)] : values[random.Next(values.Length)];
            }

            yield return new ToolCall(
                random.Next(4) == 0 ? "us\"er/../x" : "alice",
                random.Next(4) == 0 ? "to\nol" : "read_file",
                args,
                (AuditStatus)random.Next(3),
                random.Next(5) == 0 ? null : texts[random.Next(texts.Length)])
            {
                Engine = random.Next(3) == 0 ? "call-engine" : null,
                Model = random.Next(3) == 0 ? "call-model" : null,
                SessionId = random.Next(3) == 0 ? "call-session" : null,
                TaskId = random.Next(3) == 0 ? "call-task" : null,
                CallId = random.Next(2) == 0 ? "call_1" : null,
                Confirmed = random.Next(2) == 0,
                Duration = random.Next(3) == 0 ? TimeSpan.FromTicks(random.NextInt64(0, 10_000_000_000)) : null,
                Exception = random.Next(6) == 0 ? new InvalidOperationException("it \"broke\"\n") : null,
                Error = random.Next(6) == 0 ? "denied by policy" : null,
            };
        }
    }

    private static IEnumerable<string> Texts()
    {
        yield return string.Empty;
        yield return "ok";
        yield return "line one\nline \"two\"\ttabbed \\ back\u0001\u001f";
        yield return new string('x', 299);
        yield return new string('x', 300);
        yield return new string('x', 301);
        yield return new string('y', 5000);
        yield return "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789 trailing";
        yield return new string('a', 295) + " sk-live0123456789abcdefghij tail";
        yield return new string('a', 500) + " ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        yield return new string('a', 540) + " ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        yield return "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        yield return "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----";
        yield return new string('b', 299) + "\U0001F600" + "after";
        yield return new string('b', 9) + "\U0001F600" + "after";
        yield return new string('c', 299) + "e\u0301\u0301 combining";
        yield return new string('c', 9) + "e\u0301 combining";
        yield return new string('d', 299) + "\r\n" + "crlf";
        yield return new string('d', 9) + "\r\n" + "crlf";
        yield return "lone \uD800 high";
        yield return "lone \uDC00 low";
        yield return new string('e', 310) + "\uD800 lone beyond the snippet";
        yield return new string('e', 600) + "\uDC00 lone beyond the window";
        yield return "ünïcödé ✓ 日本語 " + new string('é', 400);
        yield return "/run/secrets/db";
        yield return "password_file=hunter2 token_path=/run/secrets/token --secrets-dir $HOME/s";
        yield return "\uD83D";
        foreach (var before in new[] { 0, 1, 8, 9, 10, 11, 298, 299, 300, 301, 555, 556 })
        {
            yield return new string('g', before) + "\uD800" + "tail";
            yield return new string('g', before) + "\uDC00";
            yield return new string('g', before) + "\uD800\u0301 mark";
            yield return new string('g', before) + "\uDBFF\uDFFF" + "pair";
        }
    }
}
