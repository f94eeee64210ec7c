using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Drops under a stalled store (DropNewest, a small queue), calls from several users in a seeded random order: each
/// user's trail, read back from the files, accounts for every one of that user's calls, as an entry or inside a gap
/// marker, and the markers add up to the recorder's own drop count.
/// </summary>
public sealed class JsonlDropAccountingTests
{
    private static readonly string[] Users = ["alice", "bob", "Carol", "../dave", "用户", "e"];

    [Fact]
    public async Task Record_DroppingWhileTheStoreStalls_EveryUsersCallsAreEntriesOrCountedInTheirGaps()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var gated = new GatedGapSink(store);
        var random = new Random(20261202);
        var made = Users.ToDictionary(u => u, _ => 0);
        await using (var recorder = new AuditRecorder(gated, new ToolAuditOptions { QueueCapacity = 8, MaxBatchSize = 4, OverflowMode = AuditOverflowMode.DropNewest }, clock))
        {
            recorder.Record(Calls.Typical(user: "alice", sequence: -1));
            made["alice"]++;
            await gated.WaitForWriteStartedAsync();
            for (var i = 0; i < 500; i++)
            {
                var user = Users[random.Next(Users.Length)];
                recorder.Record(Calls.Typical(user: user, sequence: i));
                made[user]++;
                clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3)));
            }

            gated.Open();
            await recorder.FlushAsync();
            var counters = recorder.Counters;
            counters.Dropped.Should().BeGreaterThan(400, "the store stalled with room for a few calls only");
            counters.Pending.Should().Be(0);
            (counters.Written + counters.Dropped).Should().Be(501);

            var all = await store.GetStatsAsync(new AuditQuery());
            all.Total.Should().Be(counters.Written);
            all.Dropped.Should().Be(counters.Dropped, "every drop is in a gap marker");
        }

        foreach (var user in Users)
        {
            var stats = await store.GetStatsAsync(new AuditQuery { User = user });
            (stats.Total + stats.Dropped).Should().Be(made[user], $"{user}'s calls are each an entry or counted in {user}'s gaps");
        }
    }
}
