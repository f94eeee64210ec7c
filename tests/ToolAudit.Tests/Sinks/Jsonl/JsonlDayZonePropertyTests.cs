using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Day files in a zone with daylight saving (23- and 25-hour days): seeded random entries around both transitions and
/// around midnights, then random ranges and whole days. Every answer agrees with the entries themselves, so no day file
/// is missed or read for the wrong day.
/// </summary>
public sealed class JsonlDayZonePropertyTests
{
    // UTC-08:00, one hour ahead from the second Sunday of March to the first Sunday of November, at 02:00 local.
    private static readonly TimeZoneInfo Pacific = TimeZoneInfo.CreateCustomTimeZone(
        "ToolAudit-Pacific",
        TimeSpan.FromHours(-8),
        "UTC-08 with daylight saving",
        "UTC-08",
        "UTC-07",
        [
            TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                DateTime.MinValue.Date,
                DateTime.MaxValue.Date,
                TimeSpan.FromHours(1),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday)),
        ]);

    [Fact]
    public async Task Read_RandomRangesAndDaysAcrossDaylightSavingTransitions_AgreeWithTheEntries()
    {
        Pacific.GetUtcOffset(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero)).Should().Be(TimeSpan.FromHours(-7), "the zone keeps daylight saving");
        Pacific.GetUtcOffset(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)).Should().Be(TimeSpan.FromHours(-8));
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, DayTimeZone = Pacific });
        var random = new Random(20261202);
        DateTimeOffset[] anchors =
        [
            new(2026, 3, 8, 10, 0, 0, TimeSpan.Zero), // 02:00 local, spring forward
            new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero), // 02:00 local, fall back
            new(2026, 6, 1, 7, 0, 0, TimeSpan.Zero), // local midnight in summer
        ];
        var corpus = Enumerable.Range(0, 900)
            .Select(i => anchors[i % anchors.Length].AddMinutes(random.Next(-3 * 24 * 60, 3 * 24 * 60)).AddMilliseconds(random.Next(60_000)))
            .Distinct()
            .Order()
            .Select((timestamp, i) => Entries.At(timestamp, user: i % 4 == 0 ? "bob" : "alice", sequence: i))
            .ToList();
        foreach (var chunk in corpus.Chunk(64))
        {
            await store.WriteAsync(chunk, CancellationToken.None);
        }

        for (var q = 0; q < 200; q++)
        {
            var anchor = anchors[random.Next(anchors.Length)];
            DateTimeOffset? since = random.Next(4) == 0 ? null : anchor.AddMinutes(random.Next(-4 * 24 * 60, 4 * 24 * 60));
            DateTimeOffset? until = random.Next(4) == 0 ? null : anchor.AddMinutes(random.Next(-4 * 24 * 60, 4 * 24 * 60));
            var query = new AuditQuery { User = random.Next(2) == 0 ? "alice" : null, Since = since, Until = until, Limit = int.MaxValue };
            var expected = corpus
                .Where(e => (query.User is null || e.User == query.User) && (since is null || e.Timestamp >= since) && (until is null || e.Timestamp < until))
                .OrderByDescending(e => e.Timestamp)
                .Select(e => e.Seq())
                .ToList();

            (await store.QueryAsync(query).ToListAsync()).Select(e => e.Seq()).Should().Equal(expected, $"query {q}: {query}");
            (await store.CountAsync(query)).Should().Be(expected.Count, $"query {q}");
        }

        foreach (var anchor in anchors)
        {
            var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(anchor, Pacific).DateTime);
            for (var d = -3; d <= 3; d++)
            {
                var day = localDay.AddDays(d);
                var expected = corpus
                    .Where(e => e.User == "alice" && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(e.Timestamp, Pacific).DateTime) == day)
                    .Select(e => e.Seq())
                    .ToList();

                var read = await store.ReadDayAsync("alice", day, Pacific);

                read.Select(e => e.Seq()).Should().Equal(expected, $"day {day}");
                File.Exists(store.GetFilePath("alice", day)).Should().Be(expected.Count > 0, $"day {day}: one file per local day");
            }
        }
    }
}
