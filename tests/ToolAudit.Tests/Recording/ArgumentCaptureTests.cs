using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>Arguments are copied at the call, survive values that cannot be serialized, and stay on one line.</summary>
public sealed class ArgumentCaptureTests
{
    [Fact]
    public async Task Record_ValuesThatCannotBeSerialized_AreTypePlaceholdersAndTheRestIsIntact()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        var cycle = new Node { Name = "a" };
        cycle.Next = new Node { Name = "b", Next = cycle };
        using var stream = new MemoryStream([1, 2, 3]);

        recorder.Record(new ToolCall(
            "alice",
            "upload",
            new Dictionary<string, object?>
            {
                ["stream"] = stream,
                ["callback"] = (Func<int>)(() => 42),
                ["cycle"] = cycle,
                ["throwing"] = new ThrowingGetter(),
                ["path"] = "/tmp/file.bin",
                ["size"] = 3,
                ["tags"] = new List<string> { "x", "y" },
            },
            AuditStatus.Ok,
            "uploaded") { SessionId = "s-1" });
        await recorder.FlushAsync();

        recorder.Counters.Should().Be(new AuditCounters(1, 1, 0, 0, 0));
        var entry = sink.Entries.Should().ContainSingle().Subject;
        entry.Args!["stream"].GetString().Should().Be("[unserializable: System.IO.MemoryStream]");
        entry.Args["callback"].GetString().Should().StartWith("[unserializable: System.Func`1");
        entry.Args["cycle"].GetString().Should().Be($"[unserializable: {typeof(Node).FullName}]");
        entry.Args["throwing"].GetString().Should().Be($"[unserializable: {typeof(ThrowingGetter).FullName}]");
        entry.Args["path"].GetString().Should().Be("/tmp/file.bin");
        entry.Args["size"].GetInt32().Should().Be(3);
        entry.Args["tags"].EnumerateArray().Select(e => e.GetString()).Should().Equal("x", "y");
        entry.Tool.Should().Be("upload");
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be("uploaded");
        entry.SessionId.Should().Be("s-1");
    }

    [Fact]
    public async Task Record_ValuesThatCannotBeSerialized_StillWriteAValidLine()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);
        var cycle = new Node { Name = "a" };
        cycle.Next = cycle;

        recorder.Record("alice", "t", new Dictionary<string, object?> { ["stream"] = new MemoryStream(), ["cycle"] = cycle, ["n"] = 1 }, AuditStatus.Ok);
        await recorder.FlushAsync();

        using var json = JsonDocument.Parse(AuditFiles.AllLines(folder.Path).Single());
        json.RootElement.GetProperty("args").GetProperty("stream").GetString().Should().Be("[unserializable: System.IO.MemoryStream]");
        json.RootElement.GetProperty("args").GetProperty("cycle").GetString().Should().StartWith("[unserializable: ");
        json.RootElement.GetProperty("args").GetProperty("n").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Record_CallerMutatesArgumentsAfterwards_EntryKeepsTheValuesAtCallTime()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        var list = new List<string> { "a", "b" };
        var nested = new Dictionary<string, object?> { ["depth"] = 1 };
        var poco = new Node { Name = "before" };
        var args = new Dictionary<string, object?> { ["path"] = "/before", ["list"] = list, ["nested"] = nested, ["poco"] = poco };

        recorder.Record(new ToolCall("alice", "edit", args, AuditStatus.Ok));
        args["path"] = "/after";
        args["added"] = true;
        args.Remove("list");
        list.Add("c");
        list[0] = "changed";
        nested["depth"] = 2;
        poco.Name = "after";
        await recorder.FlushAsync();

        var entry = sink.Entries.Should().ContainSingle().Subject;
        entry.Args!.Keys.Should().BeEquivalentTo("path", "list", "nested", "poco");
        entry.Args["path"].GetString().Should().Be("/before");
        entry.Args["list"].EnumerateArray().Select(e => e.GetString()).Should().Equal("a", "b");
        entry.Args["nested"].GetProperty("depth").GetInt32().Should().Be(1);
        entry.Args["poco"].GetProperty("Name").GetString().Should().Be("before");
    }

    [Fact]
    public async Task Record_ControlCharactersQuotesAndNewlines_AreEscapedSoEachEntryIsOneLine()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);
        const string Nasty = "a\tb\"c\nd\re\u0001f\u0000g\\h\u001b[31mred\u007f\u0085i\u2028j\u2029k";
        const string Result = "line1\nline2\r\n\ttab \"quoted\" \\ \u0000 \u001f end";

        recorder.Record(new ToolCall(
            "alice",
            "shell\ncommand",
            new Dictionary<string, object?> { ["text"] = Nasty, ["key\nwith\"quote"] = "v", ["char"] = '\n' },
            AuditStatus.Error,
            Result) { Error = "failed:\nstack\ttrace", SessionId = "s\n1" });
        recorder.Record(new ToolCall("alice", "second", new Dictionary<string, object?> { ["text"] = Nasty }, AuditStatus.Ok, Result));
        await recorder.FlushAsync();

        var path = AuditFiles.All(folder.Path).Single();
        var bytes = File.ReadAllBytes(path);
        bytes.Count(b => b == (byte)'\n').Should().Be(2, "two entries, two line ends, no raw newline inside a line");
        bytes.Where(b => b < 0x20 && b != (byte)'\n').Should().BeEmpty("control characters are escaped");
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);

        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        root.GetProperty("tool").GetString().Should().Be("shell\ncommand");
        root.GetProperty("args").GetProperty("text").GetString().Should().Be(Nasty);
        root.GetProperty("args").GetProperty("key\nwith\"quote").GetString().Should().Be("v");
        root.GetProperty("args").GetProperty("char").GetString().Should().Be("\n");
        root.GetProperty("result_snippet").GetString().Should().Be(Result);
        root.GetProperty("error").GetString().Should().Be("failed:\nstack\ttrace");
        root.GetProperty("session_id").GetString().Should().Be("s\n1");

        var back = await store.QueryAsync(new AuditQuery()).ToListAsync();
        back.Should().HaveCount(2);
        back.Should().OnlyContain(e => e.Args!["text"].GetString() == Nasty && e.ResultSnippet == Result);
    }

    [Fact]
    public async Task Record_LoneSurrogatesInKeysToolAndTexts_WritesTheEntryWithReplacementCharacters()
    {
        // Text from a model can hold a lone surrogate (a JSON "\ud800" escape); no encoder can write it as UTF-8.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);

        recorder.Record(new ToolCall("alice", "bad\uD800tool", new Dictionary<string, object?> { ["bad\uDC00key"] = 1, ["text"] = "x\uD800" }, AuditStatus.Error, "r\uD800")
        {
            Error = "e\uD800",
            SessionId = "s\uD800",
        });
        await recorder.FlushAsync();

        recorder.Counters.Should().Be(new AuditCounters(1, 1, 0, 0, 0), "hostile text must give a safe record, not a lost one");
        using var json = JsonDocument.Parse(AuditFiles.AllLines(folder.Path).Single());
        var root = json.RootElement;
        root.GetProperty("tool").GetString().Should().Be("bad\uFFFDtool");
        root.GetProperty("args").GetProperty("bad\uFFFDkey").GetInt32().Should().Be(1);
        root.GetProperty("args").GetProperty("text").GetString().Should().Be("x\uFFFD");
        root.GetProperty("result_snippet").GetString().Should().Be("r\uFFFD");
        root.GetProperty("error").GetString().Should().Be("e\uFFFD");
        root.GetProperty("session_id").GetString().Should().Be("s\uFFFD");
    }

    [Fact]
    public async Task Record_JsonArgumentsWithLoneSurrogateEscapes_WritesTheEntryWithReplacementCharacters()
    {
        // A model's JSON can spell a lone surrogate as an escape ("\ud800"), which JsonDocument accepts but cannot
        // read back as a string: the call must still be on record (a lost line would hide the call from the trail).
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);
        using var args = JsonDocument.Parse("""{"k\ud800ey":"v\udc00","list":["\ud800x",1],"password":"hunter2","n":2}""");
        using var text = JsonDocument.Parse("\"t\\u00e9\\ud800\"");
        using var big = JsonDocument.Parse("[" + string.Join(",", Enumerable.Repeat("\"\\udc00xyz\"", 3_000)) + "]");

        recorder.Record(new ToolCall(
            "alice",
            "search",
            new Dictionary<string, object?> { ["args"] = args.RootElement, ["text"] = text.RootElement, ["big"] = big.RootElement },
            AuditStatus.Ok));
        await recorder.FlushAsync();

        recorder.Counters.Should().Be(new AuditCounters(1, 1, 0, 0, 0), "hostile JSON must give a safe record, not a lost one");
        using var json = JsonDocument.Parse(AuditFiles.AllLines(folder.Path).Single());
        var recorded = json.RootElement.GetProperty("args");
        var nested = recorded.GetProperty("args");
        nested.GetProperty("k\uFFFDey").GetString().Should().Be("v\uFFFD");
        nested.GetProperty("list")[0].GetString().Should().Be("\uFFFDx");
        nested.GetProperty("list")[1].GetInt32().Should().Be(1);
        nested.GetProperty("password").GetString().Should().Be("[redacted]");
        nested.GetProperty("n").GetInt32().Should().Be(2);
        recorded.GetProperty("text").GetString().Should().Be("t\u00e9\uFFFD");
        recorded.GetProperty("big").GetString().Should().StartWith("[\"\uFFFDxyz\",\"\uFFFDxyz\"").And.EndWith(" chars total]");

        var back = await store.QueryAsync(new AuditQuery()).ToListAsync();
        back.Should().ContainSingle().Which.Args!["args"].GetProperty("k\uFFFDey").GetString().Should().Be("v\uFFFD");
    }

    [Fact]
    public async Task Record_JsonValuesThatCannotBeRead_ArePlaceholdersAndTheOtherArgumentsAreKept()
    {
        // A JsonElement of a document the host already disposed (or a default one) throws when copied: that value
        // cannot be recorded, but the call's other arguments can.
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        JsonElement disposed;
        var document = JsonDocument.Parse("{\"a\":1}");
        using (document)
        {
            disposed = document.RootElement;
        }

        recorder.Record(new ToolCall(
            "alice",
            "search",
            new Dictionary<string, object?> { ["path"] = "/x", ["disposed"] = disposed, ["none"] = default(JsonElement), ["document"] = document },
            AuditStatus.Ok));
        recorder.Record(new ToolCall("alice", "small", new Dictionary<string, object?> { ["path"] = "/y", ["disposed"] = disposed }, AuditStatus.Ok));
        await recorder.FlushAsync();

        sink.Entries.Should().HaveCount(2);
        var args = sink.Entries[0].Args!;
        args["path"].GetString().Should().Be("/x");
        args["disposed"].GetString().Should().Be("[unserializable: System.Text.Json.JsonElement]");
        args["none"].GetString().Should().Be("[unserializable: System.Text.Json.JsonElement]");
        args["document"].GetString().Should().Be("[unserializable: System.Text.Json.JsonDocument]");
        sink.Entries[1].Args!["path"].GetString().Should().Be("/y");
        sink.Entries[1].Args!["disposed"].GetString().Should().Be("[unserializable: System.Text.Json.JsonElement]");
    }

    [Fact]
    public async Task Record_NoneZeroOneTwoOrThreeArguments_EachComesBackAsGivenAndEmptyStaysDistinctFromNone()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);
        var shapes = new Dictionary<string, object?>?[]
        {
            null,
            new Dictionary<string, object?>(),
            new Dictionary<string, object?> { ["a"] = 1 },
            new Dictionary<string, object?> { ["a"] = 1, ["b"] = "two" },
            new Dictionary<string, object?> { ["a"] = 1, ["b"] = "two", ["c"] = null },
        };

        for (var i = 0; i < shapes.Length; i++)
        {
            recorder.Record(new ToolCall("alice", $"tool{i}", shapes[i], AuditStatus.Ok));
        }

        // Changing a dictionary after the call changes nothing on record.
        shapes[3]!["a"] = 99;
        await recorder.FlushAsync();

        var byTool = sink.Entries.ToDictionary(e => e.Tool);
        byTool["tool0"].Args.Should().BeNull();
        byTool["tool1"].Args.Should().NotBeNull().And.BeEmpty();
        byTool["tool2"].Args!.Keys.Should().Equal("a");
        byTool["tool2"].Args!["a"].GetInt32().Should().Be(1);
        byTool["tool3"].Args!.Keys.Should().Equal("a", "b");
        byTool["tool3"].Args!["a"].GetInt32().Should().Be(1);
        byTool["tool3"].Args!["b"].GetString().Should().Be("two");
        byTool["tool4"].Args!.Keys.Should().Equal("a", "b", "c");
        byTool["tool4"].Args!["c"].ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Record_ArgumentsThrowWhenRead_CallIsRecordedWithAPlaceholderAndTheFaultIsLogged()
    {
        var sink = new CollectingSink();
        var logger = new FakeLogger<AuditRecorder>();
        await using var recorder = new AuditRecorder(sink, logger: logger);
        var args = new ThrowingArguments(throwTimes: int.MaxValue);

        var record = () => recorder.Record(new ToolCall("alice", "edit", args, AuditStatus.Ok, "done") { SessionId = "s-1" });

        record.Should().NotThrow("a host's broken argument dictionary must not fail its tool call");
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(new AuditCounters(1, 1, 0, 0, 0));
        args.Reads.Should().Be(2, "a dictionary that throws is read once more before it is given up");
        var entry = sink.Entries.Should().ContainSingle().Subject;
        entry.Args!.Keys.Should().Equal("[args]");
        entry.Args["[args]"].GetString().Should().Be("[unreadable: System.InvalidOperationException]");
        entry.Tool.Should().Be("edit");
        entry.ResultSnippet.Should().Be("done");
        entry.SessionId.Should().Be("s-1");
        var log = logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        log.Level.Should().Be(LogLevel.Warning);
        log.Message.Should().Contain("edit");
        log.Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task Record_ArgumentsThrowOnceWhenRead_AreReadAgainAndRecordedInFull()
    {
        var sink = new CollectingSink();
        var logger = new FakeLogger<AuditRecorder>();
        await using var recorder = new AuditRecorder(sink, logger: logger);
        var args = new ThrowingArguments(throwTimes: 1);

        recorder.Record(new ToolCall("alice", "edit", args, AuditStatus.Ok));
        await recorder.FlushAsync();

        var entry = sink.Entries.Should().ContainSingle().Subject;
        entry.Args!.Keys.Should().Equal("path", "mode");
        entry.Args["path"].GetString().Should().Be("/etc/hosts");
        entry.Args["mode"].GetInt32().Should().Be(2);
        logger.Collector.Count.Should().Be(0);
    }

    [Fact]
    public async Task RecordDurableAsync_ArgumentsThrowWhenRead_IsOnDiskAsAValidLineWithThePlaceholder()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);

        await recorder.RecordDurableAsync(new ToolCall("alice", "edit", new ThrowingArguments(throwTimes: int.MaxValue), AuditStatus.Denied));

        using var json = JsonDocument.Parse(AuditFiles.AllLines(folder.Path).Single());
        json.RootElement.GetProperty("args").GetProperty("[args]").GetString().Should().Be("[unreadable: System.InvalidOperationException]");
        json.RootElement.GetProperty("status").GetString().Should().Be("denied");
    }

    [Fact]
    public async Task Record_WhileAnotherThreadChangesTheDictionary_NeverThrowsAndEveryCallIsOnRecord()
    {
        // A host bug, but a real one: a Dictionary's enumerator throws when another thread changes it mid-read.
        const int Calls = 20_000;
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink, new ToolAuditOptions { QueueCapacity = Calls });
        var args = new Dictionary<string, object?> { ["path"] = "/a", ["n"] = 1 };
        using var stop = new CancellationTokenSource();
        var changes = 0L;
        var mutator = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    args["extra"] = changes++;
                    args.Remove("extra");
                }
            },
            TaskCreationOptions.LongRunning);

        var thrown = 0;
        for (var i = 0; i < Calls; i++)
        {
            try
            {
                recorder.Record(new ToolCall("alice", "edit", args, AuditStatus.Ok));
            }
            catch (InvalidOperationException)
            {
                thrown++;
            }
        }

        await stop.CancelAsync();
        await mutator;
        await recorder.FlushAsync();

        thrown.Should().Be(0);
        recorder.Counters.Should().Be(new AuditCounters(Calls, Calls, 0, 0, 0));
        sink.Entries.Should().HaveCount(Calls).And.OnlyContain(e =>
            e.Args!.ContainsKey("[args]")
                ? e.Args["[args]"].GetString() == "[unreadable: System.InvalidOperationException]"
                : e.Args["path"].GetString() == "/a" && e.Args["n"].GetInt32() == 1);
    }

    [Fact]
    public async Task Record_KeysThatBecomeEqualOnRecord_KeepEveryArgumentTheHostsKeyKeepingItsName()
    {
        // Built in code: a lone surrogate in theory data would reach the test as U+FFFD.
        var high = "k" + (char)0xD800;
        var low = "k" + (char)0xDC00;
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using (var recorder = new AuditRecorder(store))
        {
            recorder.Record(new ToolCall("alice", "three", new Dictionary<string, object?> { [high] = 1, ["k\uFFFD"] = 2, [low] = 3 }, AuditStatus.Ok));
            recorder.Record(new ToolCall("alice", "two", new Dictionary<string, object?> { [high] = 1, ["k\uFFFD"] = 2 }, AuditStatus.Ok));
            recorder.Record(new ToolCall("alice", "nulls", new NullKeyArguments(), AuditStatus.Ok));
        }

        var entries = (await store.QueryAsync(new AuditQuery()).ToListAsync()).ToDictionary(e => e.Tool);

        Values(entries["three"]).Should().Equal(("k\uFFFD~2", 1), ("k\uFFFD", 2), ("k\uFFFD~3", 3));
        Values(entries["two"]).Should().Equal(("k\uFFFD~2", 1), ("k\uFFFD", 2));
        Values(entries["nulls"]).Should().Equal(("", 1), ("~2", 2), ("~3", 3));

        static IEnumerable<(string, int)> Values(AuditEntry entry) => entry.Args!.Select(p => (p.Key, p.Value.GetInt32()));
    }

    /// <summary>A host's own dictionary type that gives null keys.</summary>
    private sealed class NullKeyArguments : IReadOnlyDictionary<string, object?>
    {
        private readonly KeyValuePair<string, object?>[] _pairs = [new(null!, 1), new(null!, 2), new(null!, 3)];

        public int Count => _pairs.Length;

        public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

        public IEnumerable<object?> Values => _pairs.Select(p => p.Value);

        public object? this[string key] => throw new KeyNotFoundException();

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, out object? value)
        {
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_pairs).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A host's own argument dictionary whose reading throws the first <c>throwTimes</c> times.</summary>
    private sealed class ThrowingArguments(int throwTimes) : IReadOnlyDictionary<string, object?>
    {
        private readonly Dictionary<string, object?> _inner = new() { ["path"] = "/etc/hosts", ["mode"] = 2 };

        public int Reads { get; private set; }

        public int Count => _inner.Count;

        public IEnumerable<string> Keys => _inner.Keys;

        public IEnumerable<object?> Values => _inner.Values;

        public object? this[string key] => _inner[key];

        public bool ContainsKey(string key) => _inner.ContainsKey(key);

        public bool TryGetValue(string key, out object? value) => _inner.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            Reads++;
            if (Reads <= throwTimes)
            {
                throw new InvalidOperationException("Collection was modified; enumeration operation may not execute.");
            }

            return _inner.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class Node
    {
        public string? Name { get; set; }

        public Node? Next { get; set; }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Record_HostDictionaryGivingAKeyTwice_TheLaterTakesASuffixAndBothStoresAgree(int count)
    {
        // A host's own read-only dictionary type may give one key twice: the in-memory store kept both, the file (a
        // JSON object) one, so the two stores gave back different arguments for the same call.
        KeyValuePair<string, object?>[] pairs = [new("a", 1), new("a", 2), new("b", 3)];
        var args = new RepeatingDictionary(pairs[..count]);
        var (fromFile, fromMemory) = await RecordInBothStoresAsync(args);
        fromMemory.Keys.Should().Equal(fromFile.Keys).And.Equal(new[] { "a", "a~2", "b" }.Take(count));
        fromMemory.Values.Select(v => v.GetInt32()).Should().Equal(fromFile.Values.Select(v => v.GetInt32())).And.Equal(new[] { 1, 2, 3 }.Take(count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Record_HostDictionaryWhoseCountIsWrong_KeepsEveryPairItEnumerates(int countSaid)
    {
        // A host's own dictionary type whose Count is wrong: a Count of 0 gave "args":{} and one below 0 an unreadable
        // placeholder, with three pairs there to read.
        var args = new RepeatingDictionary([new("a", 1), new("b", 2), new("c", 3)], countSaid);
        var (fromFile, fromMemory) = await RecordInBothStoresAsync(args);
        fromFile.Keys.Should().Equal("a", "b", "c");
        fromFile.Values.Select(v => v.GetInt32()).Should().Equal(1, 2, 3);
        fromMemory.Keys.Should().Equal(fromFile.Keys);
    }

    [Fact]
    public async Task Record_HostDictionaryThatSaysEmptyAndIs_IsAnEmptyObject()
    {
        var args = new RepeatingDictionary([], countSaid: 0);
        var sink = new CollectingSink();
        await using (var recorder = new AuditRecorder(sink))
        {
            recorder.Record(new ToolCall("alice", "tool", args, AuditStatus.Ok));
        }

        sink.Entries.Single().Args.Should().NotBeNull().And.BeEmpty();
    }

    /// <summary>Records one call with <paramref name="args"/> through a file store and an in-memory one; each one's arguments read back.</summary>
    private static async Task<(IReadOnlyDictionary<string, JsonElement> FromFile, IReadOnlyDictionary<string, JsonElement> FromMemory)> RecordInBothStoresAsync(IReadOnlyDictionary<string, object?> args)
    {
        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory]));
        recorder.Record(new ToolCall("alice", "tool", args, AuditStatus.Ok));
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return ((await jsonl.QueryAsync(new AuditQuery()).ToListAsync()).Single().Args!, memory.Recent(1).Single().Args!);
    }

    private sealed class RepeatingDictionary(KeyValuePair<string, object?>[] pairs, int? countSaid = null) : IReadOnlyDictionary<string, object?>
    {
        public int Count => countSaid ?? pairs.Length;

        public IEnumerable<string> Keys => pairs.Select(p => p.Key);

        public IEnumerable<object?> Values => pairs.Select(p => p.Value);

        public object? this[string key] => pairs.Last(p => p.Key == key).Value;

        public bool ContainsKey(string key) => pairs.Any(p => p.Key == key);

        public bool TryGetValue(string key, out object? value)
        {
            var index = Array.FindLastIndex(pairs, p => p.Key == key);
            value = index < 0 ? null : pairs[index].Value;
            return index >= 0;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)pairs).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ThrowingGetter
    {
        public string Value => throw new InvalidOperationException("not readable");
    }
}
