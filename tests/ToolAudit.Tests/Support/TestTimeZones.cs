namespace ToolAudit.Tests.Support;

/// <summary>Fixed time zones, so tests never depend on the machine's zone.</summary>
public static class TestTimeZones
{
    /// <summary>UTC+05:00, no daylight saving.</summary>
    public static TimeZoneInfo PlusFive { get; } = TimeZoneInfo.CreateCustomTimeZone("ToolAudit+05", TimeSpan.FromHours(5), "UTC+05", "UTC+05");

    /// <summary>UTC+05:30, no daylight saving.</summary>
    public static TimeZoneInfo PlusFiveThirty { get; } = TimeZoneInfo.CreateCustomTimeZone("ToolAudit+0530", new TimeSpan(5, 30, 0), "UTC+05:30", "UTC+05:30");

    /// <summary>UTC-08:00, no daylight saving.</summary>
    public static TimeZoneInfo MinusEight { get; } = TimeZoneInfo.CreateCustomTimeZone("ToolAudit-08", TimeSpan.FromHours(-8), "UTC-08", "UTC-08");

    /// <summary>
    /// As in the Azores: UTC-01:00, UTC+00:00 from the last Sunday of March (00:00 local becomes 01:00) to the last
    /// Sunday of October (01:00 local becomes 00:00, so that midnight comes twice).
    /// </summary>
    public static TimeZoneInfo Azores { get; } = TimeZoneInfo.CreateCustomTimeZone(
        "ToolAudit-Azores",
        TimeSpan.FromHours(-1),
        "UTC-01 with daylight saving",
        "UTC-01",
        "UTC+00",
        [
            TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                DateTime.MinValue.Date,
                DateTime.MaxValue.Date,
                TimeSpan.FromHours(1),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 0, 0, 0), 3, 5, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 1, 0, 0), 10, 5, DayOfWeek.Sunday)),
        ]);
}
