namespace ToolAudit.Querying;

/// <summary>Which gap markers a query's statistics report: those of its user and time range.</summary>
internal static class GapFilter
{
    public static bool Matches(AuditQuery query, AuditGap gap) =>
        (query.User is null || string.Equals(query.User, gap.User, StringComparison.Ordinal))
        && (query.Since is null || gap.Until >= query.Since.Value)
        && (query.Until is null || gap.Since < query.Until.Value);
}
