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
    public async Task Record_ProducersStillRecordingWhileDisposing_EveryCallIsWrittenOnceOrCountedFailedNeverLost()
    {
        using var folder = new TempFolder();
        const int producers = 4;
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var recorder = new AuditRecorder(store, new ToolAuditOptions { QueueCapacity = 1_024 });
        var disposing = 0;
        var afterDispose = new int[producers];
        var made = new int[producers];
        using var started = new CountdownEvent(producers);

        // Each producer goes on until it has made 2,000 calls after shutdown began: the queue closes under their feet.
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            started.Signal();
            for (var i = 0; afterDispose[p] < 2_000; i++)
            {
                recorder.Record(new ToolCall($"user{p}", "search", new Dictionary<string, object?> { ["p"] = p, ["i"] = i }, AuditStatus.Ok, "result"));
                made[p] = i + 1;
                if (Volatile.Read(ref disposing) == 1)
                {
                    afterDispose[p]++;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        started.Wait();
        while (recorder.Counters.Accepted < 20_000)
        {
            Thread.Yield();
        }

        Volatile.Write(ref disposing, 1);
        await recorder.DisposeAsync();
        threads.ForEach(t => t.Join());

        var counters = recorder.Counters;
        counters.Accepted.Should().Be(made.Sum());
        counters.Pending.Should().Be(0);
        counters.Dropped.Should().Be(0, "the default mode waits for room");
        counters.Failed.Should().BeGreaterThan(0, "calls after shutdown are counted as failed");
        (counters.Written + counters.Failed).Should().Be(counters.Accepted);

        var seen = new HashSet<(int, int)>();
        foreach (var file in Directory.EnumerateFiles(folder.Path, "*.jsonl", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadLines(file))
            {
                using var json = JsonDocument.Parse(line);
                var args = json.RootElement.GetProperty("args");
                seen.Add((args.GetProperty("p").GetInt32(), args.GetProperty("i").GetInt32())).Should().BeTrue("each entry is written once");
            }
        }

        seen.Should().HaveCount((int)counters.Written, "what is counted written is in the files, and only that");
        for (var p = 0; p < producers; p++)
        {
            // Each producer's written calls are a prefix of its calls: nothing accepted before shutdown went missing.
            var written = seen.Where(s => s.Item1 == p).Select(s => s.Item2).ToList();
            written.Should().BeEquivalentTo(Enumerable.Range(0, written.Count), $"producer {p}");
        }
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
