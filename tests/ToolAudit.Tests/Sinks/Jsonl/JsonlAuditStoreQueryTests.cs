using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>The store contract over day files, and purging whole days.</summary>
public sealed class JsonlAuditStoreQueryTests : AuditStoreContractTests
{
    [Fact]
    public async Task PurgeAsync_PastDays_DeletesTheirFilesAndReturnsTheirEntryCount()
    {
        await WriteAsync([
            Entries.At(Day(1, 8), user: "alice"),
            Entries.At(Day(1, 9), user: "alice"),
            Entries.At(Day(1, 10), user: "bob"),
            Entries.At(Day(2, 8), user: "alice"),
            Entries.At(Day(3, 10), user: "alice"),
        ]);
        await ((IAuditGapSink)Store).WriteGapsAsync([new AuditGap("alice", 5, Day(2, 9), Day(2, 9))], default);

        var purged = await Store.PurgeAsync(Day(3, 0));

        purged.Should().Be(4, "gap markers are not entries");
        AuditFiles.All(Folder.Path).Select(Path.GetFileName).Should().Equal("2025-03-03.jsonl");
        (await Store.CountAsync(new AuditQuery())).Should().Be(1);
        (await Store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(0, "the purged day's gap went with it");
    }

    [Fact]
    public async Task PurgeAsync_CutOffInsideADay_KeepsThatWholeDay()
    {
        await WriteAsync([Entries.At(Day(2, 8)), Entries.At(Day(3, 8)), Entries.At(Day(3, 20))]);

        var purged = await Store.PurgeAsync(Day(3, 12));

        purged.Should().Be(1);
        (await QueryAsync(new AuditQuery())).Should().HaveCount(2, "the day that contains the cut-off is kept whole");
    }

    [Fact]
    public async Task PurgeAsync_DayTheStoreStillHasOpen_LaterWritesToThatDayLandInANewFile()
    {
        await WriteAsync([Entries.At(Day(2, 8), sequence: 1)]);

        (await Store.PurgeAsync(Day(3, 0))).Should().Be(1);
        await WriteAsync([Entries.At(Day(2, 9), sequence: 2)]);

        (await QueryAsync(new AuditQuery())).Should().Equal(2);
        AuditFiles.All(Folder.Path).Should().ContainSingle();
    }

    [Fact]
    public async Task PurgeAsync_DayFileOfAnotherZoneHoldingEntriesAfterTheCutOff_KeepsThatFile()
    {
        // The Python orchestrator named day files by its local day (UTC-08 here) and wrote local times without an offset:
        // its file of March 2 runs to 08:00 UTC on March 3, past the end of the store's (UTC) March 2.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, LegacyTimestampTimeZone = TestTimeZones.MinusEight });
        var audit = Path.Combine(folder.Path, "alice", "tool_audit");
        AuditFiles.Write(Path.Combine(audit, "2025-03-01.jsonl"), """{"ts":"2025-03-01T12:00:00","user":"alice","tool":"old","status":"ok"}""" + "\n");
        AuditFiles.Write(Path.Combine(audit, "2025-03-02.jsonl"), """{"ts":"2025-03-02T09:00:00","user":"alice","tool":"before","status":"ok"}""" + "\n"
            + """{"ts":"2025-03-02T20:00:00","user":"alice","tool":"after","status":"ok"}""" + "\n");
        var cutOff = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero);

        var purged = await store.PurgeAsync(cutOff);

        purged.Should().Be(1, "only the file whose entries all lie before the cut-off goes");
        (await store.QueryAsync(new AuditQuery { Since = cutOff }).ToListAsync()).Select(e => e.Tool).Should().Equal(["after"], "entries at or after the cut-off are kept");
        File.Exists(Path.Combine(audit, "2025-03-01.jsonl")).Should().BeFalse();
    }

    [Fact]
    public async Task PurgeAsync_DayZoneWhoseMidnightComesTwice_DeletesTheDayThatEndedAtTheFirstMidnight()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = TestTimeZones.Azores });
        var firstMidnight = new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero); // October 25 begins, at 00:00 local the first time
        await store.WriteAsync([Entries.At(firstMidnight.AddMinutes(-30)), Entries.At(firstMidnight.AddMinutes(30))], default);

        var purged = await store.PurgeAsync(firstMidnight);

        purged.Should().Be(1, "October 24 ended before the cut-off");
        AuditFiles.All(folder.Path).Select(Path.GetFileName).Should().Equal("2026-10-25.jsonl");
    }

    protected override IAuditStore CreateStore() => new JsonlAuditStore(new JsonlAuditOptions { Root = Folder.Path });
}
