using System.Text.Json;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

public sealed class AuditRecorderEndToEndTests
{
    [Fact]
    public async Task Record_SixteenProducersThenDispose_WritesEveryLineOnceAndAllParse()
    {
        using var folder = new TempFolder();
        const int producers = 16;
        const int perProducer = 62_500;
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var recorder = new AuditRecorder(store);

        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                recorder.Record(new ToolCall($"user{p % 8}", "search", new Dictionary<string, object?> { ["p"] = p, ["i"] = i }, AuditStatus.Ok, "result"));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(1_000_000, 1_000_000, 0, 0, 0));
        var seen = new bool[producers * perProducer];
        var lines = 0;
        foreach (var file in Directory.EnumerateFiles(folder.Path, "*.jsonl", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadLines(file))
            {
                lines++;
                using var json = JsonDocument.Parse(line);
                var args = json.RootElement.GetProperty("args");
                var index = (args.GetProperty("p").GetInt32() * perProducer) + args.GetProperty("i").GetInt32();
                seen[index].Should().BeFalse("each entry is written once");
                seen[index] = true;
                json.RootElement.GetProperty("user").GetString().Should().Be($"user{args.GetProperty("p").GetInt32() % 8}");
            }
        }

        lines.Should().Be(1_000_000);
        seen.Should().AllBeEquivalentTo(true);
    }

    [Fact]
    public async Task Record_BurstFromOneProducer_EachFileKeepsCallOrderWithAscendingIds()
    {
        // One producer, so the queue's order is the call order; the writer and the sink thread share the batches'
        // preparation, and each file must still hold its user's calls in that order, ids ascending.
        using var folder = new TempFolder();
        const int calls = 300_000;
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var recorder = new AuditRecorder(store);
        for (var i = 0; i < calls; i++)
        {
            recorder.Record(Calls.Typical(user: $"user{i % 3}", sequence: i));
        }

        await recorder.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(calls, calls, 0, 0, 0));
        var files = Directory.EnumerateFiles(folder.Path, "*.jsonl", SearchOption.AllDirectories).ToList();
        files.Should().HaveCount(3);
        var total = 0;
        foreach (var file in files)
        {
            var previousSeq = -1;
            var previousId = string.Empty;
            foreach (var line in File.ReadLines(file))
            {
                using var json = JsonDocument.Parse(line);
                var seq = json.RootElement.GetProperty("args").GetProperty("seq").GetInt32();
                var id = json.RootElement.GetProperty("id").GetString()!;
                seq.Should().BeGreaterThan(previousSeq, "lines are in call order");
                string.CompareOrdinal(id, previousId).Should().BePositive("ids ascend in write order");
                (previousSeq, previousId) = (seq, id);
                total++;
            }
        }

        total.Should().Be(calls);
    }
}
