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
}
