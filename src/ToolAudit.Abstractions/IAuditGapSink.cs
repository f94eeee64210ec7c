namespace ToolAudit;

/// <summary>
/// A sink that records losses in the trail itself: when the recorder had to drop entries, it tells such a sink
/// before the next batch, so the gap is visible where the entries would have been.
/// </summary>
public interface IAuditGapSink : IAuditSink
{
    /// <summary>Writes gap markers.</summary>
    /// <param name="gaps">One gap per user whose entries were dropped since the last call.</param>
    /// <param name="cancellationToken">Cancelled when shutdown runs out of time.</param>
    /// <returns>A task that completes when the markers are written.</returns>
    ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken);
}
