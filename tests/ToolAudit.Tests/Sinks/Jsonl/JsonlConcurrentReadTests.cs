using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Reading while the recorder appends: every read succeeds, returns each entry at most once and only entries that were
/// recorded, and sees at least what an earlier read saw (nothing on record goes missing); once writing stops, a read
/// returns everything.
/// </summary>
public sealed class JsonlConcurrentReadTests
{
    [Fact]
    public async Task Read_WhileTheRecorderAppends_NeverFailsNeverRepeatsAndNeverGoesBackwards()
    {
        const int Count = 40_000;
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var recorder = new AuditRecorder(store, new ToolAuditOptions { MaxBatchSize = 64 });
        var writer = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < Count; i++)
                {
                    recorder.Record(Calls.Typical(user: i % 3 == 0 ? "bob" : "alice", sequence: i));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var reads = 0;
        var lastSeen = 0;
        var lastCounted = 0L;
        while (!writer.IsCompleted || reads < 3)
        {
            var entries = await store.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
            var count = await store.CountAsync(new AuditQuery());
            var recent = await store.QueryAsync(new AuditQuery { User = "bob", Limit = 200 }).ToListAsync();

            var sequences = entries.Select(e => e.Seq()).ToList();
            sequences.Should().OnlyHaveUniqueItems($"read {reads}");
            sequences.Where(s => s < 0 || s >= Count).Should().BeEmpty();
            sequences.Count.Should().BeGreaterThanOrEqualTo(lastSeen, $"read {reads}: what was on record stays on record");
            count.Should().BeGreaterThanOrEqualTo(lastCounted, $"read {reads}");
            recent.Where(e => e.User != "bob").Should().BeEmpty();
            recent.Should().HaveCountLessThanOrEqualTo(200);
            recent.Select(e => e.Timestamp).Should().BeInDescendingOrder();
            lastSeen = sequences.Count;
            lastCounted = count;
            reads++;
        }

        await writer;
        await recorder.DisposeAsync();
        var all = await store.QueryAsync(new AuditQuery { Limit = int.MaxValue }).ToListAsync();
        var finalSequences = all.Select(e => e.Seq()).ToHashSet();
        var missing = Enumerable.Range(0, Count).Where(i => !finalSequences.Contains(i)).ToList();
        missing.Should().BeEmpty($"{all.Count} read back, {recorder.Counters}, skipped {store.SkippedLines}; first missing {string.Join(",", missing.Take(10))}");
        all.Should().HaveCount(Count);
        (await store.CountAsync(new AuditQuery())).Should().Be(Count);
    }
}
