namespace ToolAudit;

/// <summary>Where a day starts in a zone: the instant its local date begins.</summary>
internal static class DayStart
{
    /// <summary>
    /// The offset of <paramref name="zone"/> at the start of the day whose midnight is <paramref name="midnight"/>
    /// (local, unspecified kind).
    /// </summary>
    /// <remarks>
    /// A midnight that comes twice (clocks put back from 01:00 to 00:00, as in the Azores) starts the day the first
    /// time, under the larger offset: <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> gives the standard one, which
    /// would hand the day's first hour to the day before. A midnight that never comes (00:00 becomes 01:00; or a whole
    /// day skipped, as Pacific/Apia skipped 2011-12-30) gets the offset before the change, which makes the instant the
    /// day begins the change itself; <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> gives the zone's base offset of
    /// that time, which is the new one when the base offset changed. It is read a day earlier.
    /// </remarks>
    public static TimeSpan Offset(TimeZoneInfo zone, DateTime midnight)
    {
        if (zone.IsAmbiguousTime(midnight))
        {
            return zone.GetAmbiguousTimeOffsets(midnight).Max();
        }

        if (zone.IsInvalidTime(midnight) && midnight.Ticks >= TimeSpan.TicksPerDay)
        {
            return zone.GetUtcOffset(midnight.AddDays(-1));
        }

        return zone.GetUtcOffset(midnight);
    }
}
