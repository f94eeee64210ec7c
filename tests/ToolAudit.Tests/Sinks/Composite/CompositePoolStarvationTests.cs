using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Composite;

/// <summary>
/// Hundreds of callers on thread-pool threads, blocked in <c>Record</c> waiting for room (Wait mode), hold the pool's
/// threads, and the threads the pool adds take the callers' queued work first. A composite whose first sink's write
/// waited for a pool thread then wrote nothing until the callers' waits ran out, and they were dropped. Run alone: it
/// takes the pool's threads for a moment.
/// </summary>
[Collection(nameof(CompositePoolStarvationTests))]
public sealed class CompositePoolStarvationTests
{
    [Fact]
    public async Task Record_ManyPoolCallersBlockedWaitingForRoom_TheCompositeStillWritesAndNothingIsDropped()
    {
        using var folder = new TempFolder();
        using var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(capacity: 100_000);
        await using var recorder = new AuditRecorder(new CompositeAuditSink(jsonl, memory), new ToolAuditOptions { QueueCapacity = 256 });

        await Task.WhenAll(Enumerable.Range(0, 500).Select(caller => Task.Run(() =>
        {
            for (var call = 0; call < 50; call++)
            {
                recorder.Record("user" + (caller % 7), "search", null, AuditStatus.Ok);
            }
        })));
        await recorder.FlushAsync();

        recorder.Counters.Dropped.Should().Be(0, "Wait mode is lossless while the sinks are not hung");
        recorder.Counters.Written.Should().Be(25_000);
        (await memory.CountAsync(new AuditQuery())).Should().Be(25_000);
        (await jsonl.CountAsync(new AuditQuery())).Should().Be(25_000);
    }
}

/// <summary>Runs <see cref="CompositePoolStarvationTests"/> after, not beside, the other tests.</summary>
[CollectionDefinition(nameof(CompositePoolStarvationTests), DisableParallelization = true)]
public sealed class CompositePoolStarvationCollection
{
}
