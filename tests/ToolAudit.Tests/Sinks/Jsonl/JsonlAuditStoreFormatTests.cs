using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>The file format, both directions: the Python orchestrator's lines read back, ToolAudit's lines read as plain JSON.</summary>
public sealed class JsonlAuditStoreFormatTests
{
    private static readonly DateOnly March4 = new(2025, 3, 4);

    // Exactly what Python's json.dumps(entry) writes: ", " and ": " separators, ensure_ascii escapes, local time
    // without an offset (seconds, or microseconds when datetime.isoformat() had them).
    private static readonly string[] PythonLines =
    [
        """{"ts": "2025-03-04T10:11:12", "user": "alice", "engine": "openai", "model": "gpt-4o", "tool": "read_file", "args": {"path": "/home/alice/caf\u00e9.txt", "limit": 10, "flags": ["a", "b"], "opt": null, "nested": {"k": true}, "emoji": "\ud83d\ude00"}, "status": "ok", "result_chars": 1234, "result_snippet": "Caf\u00e9 \ud83d\ude00\nline two \"quoted\""}""",
        """{"ts": "2025-03-04T10:12:00", "user": "alice", "engine": "anthropic", "model": "claude-3-5-sonnet", "tool": "shell", "args": {"cmd": "rm -rf /"}, "status": "denied", "result_chars": 0, "result_snippet": ""}""",
        """{"ts": "2025-03-04T10:13:30.250000", "user": "alice", "engine": null, "model": null, "tool": "http_get", "args": {"url": "https://example.com/\u4e2d\u6587"}, "status": "error", "result_chars": 42, "result_snippet": "Traceback (most recent call last):"}""",
    ];

    private static readonly TimeSpan PlusFiveThirty = new(5, 30, 0);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task ReadDayAsync_PythonOrchestratorFile_ReadsEveryFieldBack(string newline)
    {
        using var folder = new TempFolder();
        AuditFiles.Write(Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl"), string.Join(newline, PythonLines) + newline);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, LegacyTimestampTimeZone = TestTimeZones.PlusFiveThirty });

        var day = await store.ReadDayAsync("alice", March4);

        day.Should().HaveCount(3);
        var first = day[0];
        first.Id.Should().BeNull();
        first.Timestamp.Should().Be(new DateTimeOffset(2025, 3, 4, 10, 11, 12, PlusFiveThirty));
        first.Timestamp.UtcDateTime.Should().Be(new DateTime(2025, 3, 4, 4, 41, 12, DateTimeKind.Utc));
        first.User.Should().Be("alice");
        first.Engine.Should().Be("openai");
        first.Model.Should().Be("gpt-4o");
        first.Tool.Should().Be("read_file");
        first.Status.Should().Be(AuditStatus.Ok);
        first.ResultChars.Should().Be(1234);
        first.ResultSnippet.Should().Be("Café 😀\nline two \"quoted\"");
        first.Args.Should().NotBeNull();
        first.Args!.Keys.Should().BeEquivalentTo("path", "limit", "flags", "opt", "nested", "emoji");
        first.Args["path"].GetString().Should().Be("/home/alice/café.txt");
        first.Args["limit"].GetInt32().Should().Be(10);
        first.Args["flags"].EnumerateArray().Select(e => e.GetString()).Should().Equal("a", "b");
        first.Args["opt"].ValueKind.Should().Be(JsonValueKind.Null);
        first.Args["nested"].GetProperty("k").GetBoolean().Should().BeTrue();
        first.Args["emoji"].GetString().Should().Be("😀");
        first.SessionId.Should().BeNull();
        first.TaskId.Should().BeNull();
        first.CallId.Should().BeNull();
        first.Confirmed.Should().BeFalse();
        first.DurationMs.Should().BeNull();
        first.Error.Should().BeNull();
        first.TraceId.Should().BeNull();
        first.SpanId.Should().BeNull();

        var second = day[1];
        second.Timestamp.Should().Be(new DateTimeOffset(2025, 3, 4, 10, 12, 0, PlusFiveThirty));
        second.Engine.Should().Be("anthropic");
        second.Model.Should().Be("claude-3-5-sonnet");
        second.Tool.Should().Be("shell");
        second.Args!["cmd"].GetString().Should().Be("rm -rf /");
        second.Status.Should().Be(AuditStatus.Denied);
        second.ResultChars.Should().Be(0);
        second.ResultSnippet.Should().BeEmpty();

        var third = day[2];
        third.Timestamp.Should().Be(new DateTimeOffset(2025, 3, 4, 10, 13, 30, 250, PlusFiveThirty));
        third.Engine.Should().BeNull();
        third.Model.Should().BeNull();
        third.Tool.Should().Be("http_get");
        third.Args!["url"].GetString().Should().Be("https://example.com/中文");
        third.Status.Should().Be(AuditStatus.Error);
        third.ResultChars.Should().Be(42);
        third.ResultSnippet.Should().Be("Traceback (most recent call last):");

        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(3);
        stats.SkippedLines.Should().Be(0);
        stats.ByStatus.Should().BeEquivalentTo(new Dictionary<string, long> { ["ok"] = 1, ["denied"] = 1, ["error"] = 1 });
        (await store.GetUsersAsync().ToListAsync()).Should().Equal("alice");
    }

    [Fact]
    public async Task ReadDayAsync_PropertyNamesWrittenWithEscapes_AreReadAsTheNamesTheySpell()
    {
        // Valid JSON that another writer may produce: every name escaped somewhere, one of them (\u0073tatus) in full.
        const string Line = """{"\u0074s": "2025-03-04T10:11:12.000+00:00", "us\u0065r": "alice", "\u0074ool": "read_file", "ar\u0067s": {"path": "a.txt"}, "\u0073\u0074\u0061\u0074\u0075\u0073": "denied", "result_\u0063hars": 3}""";
        using var folder = new TempFolder();
        AuditFiles.Write(Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl"), Line + "\n");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        var entry = (await store.ReadDayAsync("alice", March4)).Should().ContainSingle().Subject;

        (entry.User, entry.Tool, entry.Status, entry.ResultChars).Should().Be(("alice", "read_file", AuditStatus.Denied, 3));
        entry.Args!["path"].GetString().Should().Be("a.txt");
        (await store.CountAsync(new AuditQuery { Tool = "read", Status = AuditStatus.Denied })).Should().Be(1);
        (await store.GetStatsAsync(new AuditQuery())).SkippedLines.Should().Be(0);
    }

    [Fact]
    public async Task ReadDayAsync_UnknownPropertyNamedWithAnEscapedLoneSurrogate_IsSkippedLikeAnyUnknownProperty()
    {
        // Valid JSON text whose name does not decode: no field's name, so skipped, whatever its length (as long as
        // "_gap", as long as a field's, or longer), in an entry and in a gap marker alike.
        const string Entry = """{"ts": "2025-03-04T10:11:12.000+00:00", "user": "alice", "\ud800": 1, "_\ud800ap": 2, "\ud800ool": 3, "tool": "read_file", "args": {}, "status": "ok", "\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800": 4}""";
        const string Gap = """{"_gap":{"user":"alice","\ud800":1,"dropped":7,"_\ud800ap":2,"since":"2025-03-04T10:00:00.000+00:00","until":"2025-03-04T10:00:00.000+00:00"}}""";
        using var folder = new TempFolder();
        AuditFiles.Write(Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl"), Entry + "\n" + Gap + "\n");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        var entry = (await store.ReadDayAsync("alice", March4)).Should().ContainSingle().Subject;

        (entry.User, entry.Tool, entry.Status).Should().Be(("alice", "read_file", AuditStatus.Ok));
        var stats = await store.GetStatsAsync(new AuditQuery());
        (stats.Total, stats.Dropped, stats.SkippedLines).Should().Be((1, 7, 0));
        (await store.CountAsync(new AuditQuery { Tool = "read" })).Should().Be(1);
    }

    [Fact]
    public async Task ReadDayAsync_PythonTimestampWhoseUtcDayIsTheDayBefore_IsFoundInTheEarlierUtcDay()
    {
        using var folder = new TempFolder();

        // 02:00 at UTC+05:30 on the 4th is 20:30 UTC on the 3rd, but the orchestrator filed it under its local day.
        AuditFiles.Write(
            Path.Combine(folder.Path, "alice", "tool_audit", "2025-03-04.jsonl"),
            """{"ts": "2025-03-04T02:00:00", "user": "alice", "engine": "openai", "model": "gpt-4o", "tool": "early", "args": {}, "status": "ok", "result_chars": 0, "result_snippet": ""}""" + "\n");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, LegacyTimestampTimeZone = TestTimeZones.PlusFiveThirty });

        var utcMarch3 = await store.ReadDayAsync("alice", new DateOnly(2025, 3, 3));
        var utcMarch4 = await store.ReadDayAsync("alice", March4);
        var localMarch4 = await store.ReadDayAsync("alice", March4, TestTimeZones.PlusFiveThirty);

        utcMarch3.Select(e => e.Tool).Should().Equal("early");
        utcMarch3[0].Timestamp.UtcDateTime.Should().Be(new DateTime(2025, 3, 3, 20, 30, 0, DateTimeKind.Utc));
        utcMarch4.Should().BeEmpty();
        localMarch4.Select(e => e.Tool).Should().Equal("early");
    }

    [Fact]
    public async Task WriteAsync_EveryField_WritesExactlyTheFileFormatsNames()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var entry = new AuditEntry
        {
            Id = "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            Timestamp = new DateTimeOffset(2025, 3, 4, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567),
            User = "alice",
            Engine = "openai",
            Model = "gpt-4o",
            Tool = "read_file",
            Args = new Dictionary<string, JsonElement> { ["path"] = JsonSerializer.SerializeToElement("/docs/readme.md"), ["n"] = JsonSerializer.SerializeToElement(3) },
            Status = AuditStatus.Error,
            ResultChars = 42,
            ResultSnippet = "boom",
            SessionId = "s-1",
            TaskId = "t-1",
            CallId = "call_1",
            Confirmed = true,
            DurationMs = 12.3456789,
            Error = "System.IO.IOException: disk full",
            TraceId = "0af7651916cd43dd8448eb211c80319c",
            SpanId = "b7ad6b7169203331",
        };

        await store.WriteAsync([entry], default);

        var line = AuditFiles.Lines(store.GetFilePath("alice", March4)).Single();
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal(
            "id", "ts", "user", "engine", "model", "tool", "args", "status", "result_chars", "result_snippet",
            "session_id", "task_id", "call_id", "confirmed", "duration_ms", "error", "trace_id", "span_id");
        root.GetProperty("id").GetString().Should().Be(entry.Id);
        root.GetProperty("ts").GetString().Should().Be("2025-03-04T10:00:00.123+00:00");
        root.GetProperty("user").GetString().Should().Be("alice");
        root.GetProperty("engine").GetString().Should().Be("openai");
        root.GetProperty("model").GetString().Should().Be("gpt-4o");
        root.GetProperty("tool").GetString().Should().Be("read_file");
        root.GetProperty("args").GetProperty("path").GetString().Should().Be("/docs/readme.md");
        root.GetProperty("args").GetProperty("n").GetInt32().Should().Be(3);
        root.GetProperty("status").GetString().Should().Be("error");
        root.GetProperty("result_chars").GetInt32().Should().Be(42);
        root.GetProperty("result_snippet").GetString().Should().Be("boom");
        root.GetProperty("session_id").GetString().Should().Be("s-1");
        root.GetProperty("task_id").GetString().Should().Be("t-1");
        root.GetProperty("call_id").GetString().Should().Be("call_1");
        root.GetProperty("confirmed").GetBoolean().Should().BeTrue();
        root.GetProperty("duration_ms").GetDouble().Should().Be(12.346);
        root.GetProperty("error").GetString().Should().Be("System.IO.IOException: disk full");
        root.GetProperty("trace_id").GetString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        root.GetProperty("span_id").GetString().Should().Be("b7ad6b7169203331");

        // And it reads back as it went in (the timestamp to the millisecond).
        var back = (await store.QueryAsync(new AuditQuery()).ToListAsync()).Single();
        back.Should().BeEquivalentTo(entry, o => o.Excluding(e => e.Args).Excluding(e => e.Timestamp).Excluding(e => e.DurationMs));
        back.Timestamp.Should().Be(new DateTimeOffset(2025, 3, 4, 10, 0, 0, 123, TimeSpan.Zero));
        back.DurationMs.Should().Be(12.346);
    }

    [Theory]
    [InlineData(AuditStatus.Ok, "ok")]
    [InlineData(AuditStatus.Error, "error")]
    [InlineData(AuditStatus.Denied, "denied")]
    public async Task WriteAsync_NullFields_AreOmittedAndStatusIsItsJsonWord(AuditStatus status, string word)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var entry = new AuditEntry { Timestamp = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero), User = "alice", Tool = "noop", Status = status };

        await store.WriteAsync([entry], default);

        var line = AuditFiles.Lines(store.GetFilePath("alice", March4)).Single();
        line.Should().Be($$"""{"ts":"2025-03-04T10:00:00.000+00:00","user":"alice","tool":"noop","status":"{{word}}","result_chars":0}""");
    }

    [Fact]
    public async Task Record_ThroughTheRecorder_WritesLinesThatParseAsPlainJsonWithTheFormatsNames()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 10, 11, 12, 345, TimeSpan.Zero));
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store, timeProvider: clock);

        recorder.Record("alice", "read_file", new Dictionary<string, object?> { ["path"] = "/docs/é.md" }, AuditStatus.Ok, "contents");
        recorder.Record(new ToolCall("alice", "delete_file", null, AuditStatus.Denied) { Error = "not allowed", Confirmed = false });
        recorder.Record(new ToolCall("alice", "fetch", null, AuditStatus.Error) { Exception = new TimeoutException("too slow"), SessionId = "s-9" });
        await recorder.FlushAsync();

        var lines = AuditFiles.Lines(store.GetFilePath("alice", March4));
        lines.Should().HaveCount(3);
        var parsed = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        parsed[0].EnumerateObject().Select(p => p.Name).Should().Equal("id", "ts", "user", "tool", "args", "status", "result_chars", "result_snippet");
        parsed[1].EnumerateObject().Select(p => p.Name).Should().Equal("id", "ts", "user", "tool", "status", "result_chars", "error");
        parsed[2].EnumerateObject().Select(p => p.Name).Should().Equal("id", "ts", "user", "tool", "status", "result_chars", "session_id", "error");
        parsed.Should().OnlyContain(p => p.GetProperty("ts").GetString() == "2025-03-04T10:11:12.345+00:00");
        parsed.Select(p => p.GetProperty("status").GetString()).Should().Equal("ok", "denied", "error");
        parsed[0].GetProperty("args").GetProperty("path").GetString().Should().Be("/docs/é.md");
        parsed[0].GetProperty("result_chars").GetInt32().Should().Be(8);
        parsed[0].GetProperty("result_snippet").GetString().Should().Be("contents");
        parsed[1].GetProperty("error").GetString().Should().Be("not allowed");
        parsed[2].GetProperty("error").GetString().Should().Be("System.TimeoutException: too slow");
        lines[0].Should().Contain("é", "non-ASCII text stays readable in the file");
    }

    [Fact]
    public async Task QueryAsync_UserWithAPythonEraFolderAndANewEncodedFolder_ReadsBothAsOneUser()
    {
        using var folder = new TempFolder();

        // The orchestrator named the folder after the user as it was; ToolAudit encodes names with capitals.
        AuditFiles.Write(
            Path.Combine(folder.Path, "Bob", "tool_audit", "2025-03-04.jsonl"),
            """{"ts": "2025-03-04T09:00:00", "user": "Bob", "engine": "openai", "model": "gpt-4o", "tool": "legacy", "args": {}, "status": "ok", "result_chars": 0, "result_snippet": ""}""" + "\n");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, LegacyTimestampTimeZone = TimeZoneInfo.Utc });
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero), user: "Bob", tool: "current")], default);

        var day = await store.ReadDayAsync("Bob", March4);
        var users = await store.GetUsersAsync().ToListAsync();
        var stats = await store.GetStatsAsync(new AuditQuery());

        day.Select(e => e.Tool).Should().Equal("legacy", "current");
        users.Should().Equal("Bob");
        stats.ByUser.Should().BeEquivalentTo(new Dictionary<string, long> { ["Bob"] = 2 });
        (await store.CountAsync(new AuditQuery { User = "Bob" })).Should().Be(2);
        (await store.ReadDayAsync("bob", March4)).Should().BeEmpty("user names are case-sensitive");
    }
}
