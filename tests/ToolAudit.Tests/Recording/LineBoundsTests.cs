using System.Text.Json;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// One call, whatever it holds (a name a model made up, any number of arguments, long keys, a huge JSON array), makes
/// a line of bounded length, the same in the files and in memory.
/// </summary>
public sealed class LineBoundsTests
{
    [Fact]
    public async Task Record_HugeCall_IsKeptBoundedAndMarkedTheSameInTheFilesAndInMemory()
    {
        var tool = new string('t', 5_000);
        var args = new Dictionary<string, object?>();
        for (var i = 0; i < 300; i++)
        {
            args[$"a{i:D3}"] = i;
        }

        var longKey = new string('k', 300);
        var twinKey = new string('k', 300) + "x";
        var small = new Dictionary<string, object?> { [longKey] = 1, [twinKey] = 2 };
        using var array = JsonDocument.Parse("[" + string.Join(",", Enumerable.Range(0, 10_000)) + "]");
        var json = new Dictionary<string, object?> { ["rows"] = array.RootElement.Clone(), ["small"] = JsonDocument.Parse("[1,2]").RootElement.Clone() };

        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory]));
        recorder.Record(new ToolCall("alice", tool, args, AuditStatus.Ok) { CallId = new string('c', 2_000) });
        recorder.Record(new ToolCall("alice", "keys", small, AuditStatus.Ok));
        recorder.Record(new ToolCall("alice", "json", json, AuditStatus.Ok));
        await recorder.DisposeAsync();

        recorder.Counters.Written.Should().Be(3);
        AuditFiles.AllLines(folder.Path).Should().HaveCount(3).And.OnlyContain(line => line.Length < 20_000);
        var fromFile = (await jsonl.QueryAsync(new AuditQuery()).ToListAsync()).OrderBy(e => e.Id).ToList();
        var fromMemory = memory.Recent(10).OrderBy(e => e.Id).ToList();

        var many = fromFile[0];
        many.Tool.Should().Be(new string('t', 1_024) + " …[5000 chars total]");
        many.CallId.Should().Be(new string('c', 1_024) + " …[2000 chars total]");
        many.Args!.Count.Should().Be(257);
        many.Args["a255"].GetInt32().Should().Be(255);
        many.Args.ContainsKey("a256").Should().BeFalse();
        many.Args["[more]"].GetString().Should().Be("[44 more arguments not recorded]");

        var keys = fromFile[1];
        keys.Args!.Keys.Should().BeEquivalentTo(new string('k', 256) + " …[300 chars total]", new string('k', 256) + " …[301 chars total]");

        var rows = fromFile[2].Args!;
        rows["rows"].ValueKind.Should().Be(JsonValueKind.String, "a JSON value past 16 times ArgMaxChars is kept as its text, cut");
        rows["rows"].GetString().Should().StartWith("[0,1,2,3").And.EndWith($" …[{array.RootElement.GetRawText().Length} chars total]");
        rows["small"].GetRawText().Should().Be("[1,2]");

        for (var i = 0; i < 3; i++)
        {
            fromMemory[i].Should().BeEquivalentTo(fromFile[i], o => o.ComparingByMembers<AuditEntry>().Excluding(e => e.Args));
            fromMemory[i].Args!.Keys.Should().Equal(fromFile[i].Args!.Keys);
            fromMemory[i].Args!.Values.Select(v => v.GetRawText()).Should().Equal(fromFile[i].Args!.Values.Select(v => v.GetRawText()));
        }
    }

    [Fact]
    public async Task Record_HugeNumbers_AreKeptAsTheirTextCutAndBigIntegersAsNumbers()
    {
        // A model can send a number literal of any length; a host can pass a BigInteger (which System.Text.Json writes
        // as its properties, not its value). Either is a number on record, and a huge one is cut like text.
        var digits = new string('7', 100_000);
        using var huge = JsonDocument.Parse(digits);
        var big = System.Numerics.BigInteger.Parse("-123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture);
        var hugeBig = System.Numerics.BigInteger.Pow(10, 50_000);

        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory]));
        recorder.Record(new ToolCall(
            "alice",
            "numbers",
            new Dictionary<string, object?> { ["huge"] = huge.RootElement, ["big"] = big, ["hugeBig"] = hugeBig },
            AuditStatus.Ok));
        await recorder.DisposeAsync();

        recorder.Counters.Written.Should().Be(1);
        AuditFiles.AllLines(folder.Path).Should().ContainSingle().Which.Length.Should().BeLessThan(20_000);
        var fromFile = (await jsonl.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        foreach (var args in new[] { fromFile.Args!, fromMemory.Args! })
        {
            args["huge"].GetString().Should().Be(new string('7', 500) + " …[100000 chars total]");
            args["big"].ValueKind.Should().Be(JsonValueKind.Number);
            args["big"].GetRawText().Should().Be("-123456789012345678901234567890");
            args["hugeBig"].GetString().Should().Be("1" + new string('0', 499) + " …[50001 chars total]");
        }
    }

    [Theory]
    [InlineData(33)]
    [InlineData(63)]
    [InlineData(64)]
    public async Task Record_DeeplyNestedJsonArgument_IsKeptAsItsTextAndReadBack(int depth)
    {
        // JsonDocument reads 64 levels; a line adds two around an argument, and the readers read 64: a model's deep
        // JSON must not make a line that the store's own readers skip as corrupt (the call would vanish from queries).
        var json = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{\"password\":\"hunter2\"}" + new string('}', depth - 1);
        using var document = JsonDocument.Parse(json);
        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory])))
        {
            recorder.Record(new ToolCall("alice", "deep", new Dictionary<string, object?> { ["x"] = document.RootElement, ["n"] = 1 }, AuditStatus.Ok));
        }

        var stats = await jsonl.GetStatsAsync(new AuditQuery());
        stats.SkippedLines.Should().Be(0);
        var fromFile = (await jsonl.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        foreach (var args in new[] { fromFile.Args!, fromMemory.Args! })
        {
            args["x"].ValueKind.Should().Be(JsonValueKind.String);
            args["x"].GetString().Should().StartWith("{\"a\":{\"a\":").And.NotContain("hunter2");
            args["n"].GetInt32().Should().Be(1);
        }
    }

    [Theory]
    [InlineData(33, false)]
    [InlineData(40, true)]
    [InlineData(64, false)]
    [InlineData(120, true)]
    public async Task Record_DeeplyNestedObjectArgument_IsKeptAsItsTextAsJsonIs(int depth, bool lists)
    {
        // A host's own objects nested deeper than the structured limit are serialized as deep as JSON a model sends
        // can be, and kept as text as that JSON is, not lost to a placeholder.
        object nested = lists ? new List<object?> { "hunter2" } : new Dictionary<string, object?> { ["password"] = "hunter2" };
        for (var level = 1; level < depth; level++)
        {
            nested = lists ? new List<object?> { nested } : new Dictionary<string, object?> { ["a"] = nested };
        }

        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory])))
        {
            recorder.Record(new ToolCall("alice", "deep", new Dictionary<string, object?> { ["x"] = nested, ["n"] = 1 }, AuditStatus.Ok));
        }

        var fromFile = (await jsonl.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        foreach (var args in new[] { fromFile.Args!, fromMemory.Args! })
        {
            args["x"].ValueKind.Should().Be(JsonValueKind.String);
            args["x"].GetString().Should().StartWith(lists ? "[[[[" : "{\"a\":{\"a\":").And.NotContain("unserializable");
            if (!lists)
            {
                args["x"].GetString().Should().NotContain("hunter2");
            }

            args["n"].GetInt32().Should().Be(1);
        }
    }

    [Fact]
    public async Task Record_ObjectWithSharedReferences_IsCutShortAtTheSnapshotLimit()
    {
        // Each node refers twice to the next: serialized as a tree, 40 levels would be 2^40 nodes. The serializer
        // stops at the snapshot's byte limit, on the caller's thread, and the call is on record with a placeholder.
        var node = new SharedNode(null);
        for (var level = 0; level < 40; level++)
        {
            node = new SharedNode(node);
        }

        var entry = await RecordOneAsync(new Dictionary<string, object?> { ["graph"] = node, ["n"] = 1 });

        entry.Args!["graph"].GetString().Should().Be(
            $"[too large to record: {typeof(SharedNode).FullName}, over 1,048,576 bytes as JSON]");
        entry.Args["n"].GetInt32().Should().Be(1);
    }

    [Theory]
    [InlineData(100_000, false)]
    [InlineData(300_000, true)]
    public async Task Record_LargeObjectArgument_IsKeptAsTextUpToTheSnapshotLimit(int count, bool tooLarge)
    {
        // 100,000 numbers are about 0.6 MB of JSON, kept as its text and cut; 300,000 pass the 1 MiB limit.
        var numbers = Enumerable.Range(1_000_000, count).ToList();

        var entry = await RecordOneAsync(new Dictionary<string, object?> { ["ids"] = numbers });

        var kept = entry.Args!["ids"].GetString()!;
        if (tooLarge)
        {
            kept.Should().StartWith("[too large to record: System.Collections.Generic.List`1");
        }
        else
        {
            kept.Should().StartWith("[1000000,1000001,").And.EndWith($" chars total]");
        }
    }

    [Fact]
    public void Prepare_JsonArgumentOf32Levels_StaysStructured()
    {
        using var document = JsonDocument.Parse(new string('[', 32) + new string(']', 32));

        var entry = Prepared.Entry(new Dictionary<string, object?> { ["x"] = document.RootElement });

        entry.Args!["x"].GetRawText().Should().Be(new string('[', 32) + new string(']', 32));
    }

    [Theory]
    [InlineData("{\"password\":\"hunter2hunter2\"}", "hunter2hunter2")]
    [InlineData("{\"password\":123456789}", "123456789")]
    [InlineData("{\"password\":{\"v\":\"s3cretvalue\"}}", "s3cretvalue")]
    [InlineData("{\"password\":[\"s3cretvalue\"]}", "s3cretvalue")]
    [InlineData("{\"pass\\u0077ord\":\"escapedkey1\"}", "escapedkey1")]
    [InlineData("{\"password\":\"has space inside it\"}", "inside")]
    public void Prepare_JsonPastTheStructuredLimit_RedactsWhatTheStructuredValueWould(string first, string secret)
    {
        // Kept as text, the value must not show what it hid as JSON: a redacted key's object, array or number value,
        // or a key written with escapes, is not found in the text by the masker.
        using var small = JsonDocument.Parse("[" + first + "]");
        using var big = JsonDocument.Parse("[" + first + "," + string.Join(",", Enumerable.Range(0, 2_000)) + "]");

        var structured = Prepared.Entry(new Dictionary<string, object?> { ["rows"] = small.RootElement });
        var text = Prepared.Entry(new Dictionary<string, object?> { ["rows"] = big.RootElement });

        structured.Args!["rows"].GetRawText().Should().NotContain(secret);
        text.Args!["rows"].ValueKind.Should().Be(JsonValueKind.String);
        text.Args["rows"].GetString().Should().StartWith("[{").And.Contain("[redacted]").And.NotContain(secret);
    }

    [Fact]
    public void Capture_HostKeyNamedLikeTheMarker_KeepsItsNameAndTheMarkerTakesASuffix()
    {
        var args = Enumerable.Range(0, 300).ToDictionary(i => i == 0 ? "[more]" : $"a{i}", i => (object?)i);

        var entry = Prepared.Entry(new ToolCall("alice", "tool", args, AuditStatus.Ok));

        entry.Args!["[more]"].GetInt32().Should().Be(0);
        entry.Args["[more]~2"].GetString().Should().Be("[44 more arguments not recorded]");
    }

    private static async Task<AuditEntry> RecordOneAsync(Dictionary<string, object?> args)
    {
        var memory = new InMemoryAuditStore(10);
        await using (var recorder = new AuditRecorder(memory))
        {
            recorder.Record(new ToolCall("alice", "big", args, AuditStatus.Ok));
        }

        return memory.Recent(10).Should().ContainSingle().Subject;
    }

    /// <summary>A node that refers to the same next node twice.</summary>
    public sealed class SharedNode(SharedNode? next)
    {
        public SharedNode? Left { get; } = next;

        public SharedNode? Right { get; } = next;
    }
}
