namespace ToolAudit;

/// <summary>
/// A loss in the trail: entries of one user that the recorder dropped because its queue was full.
/// </summary>
/// <param name="User">The user whose entries were dropped.</param>
/// <param name="Dropped">How many entries were dropped.</param>
/// <param name="Since">When the first of them was recorded.</param>
/// <param name="Until">When the last of them was recorded.</param>
public sealed record AuditGap(string User, long Dropped, DateTimeOffset Since, DateTimeOffset Until);
