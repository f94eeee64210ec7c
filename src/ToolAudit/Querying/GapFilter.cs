namespace ToolAudit.Querying;

/// <summary>
/// Which gap markers a query's statistics report: those of its user whose first drop (<see cref="AuditGap.Since"/>)
/// lies in its time range. A gap counts in one range only, so the drops of consecutive ranges add up to those of the
/// whole (how its drops spread over a longer gap is not known); and the JSONL store keeps the marker in that day's file.
/// </summary>
internal static class GapFilter
{
    public static bool Matches(AuditQuery query, AuditGap gap) =>
        (query.User is null || string.Equals(query.User, gap.User, StringComparison.Ordinal))
        && (query.Since is null || gap.Since >= query.Since.Value)
        && (query.Until is null || gap.Since < query.Until.Value);
}
