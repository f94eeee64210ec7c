namespace ToolAudit;

/// <summary>
/// What <see cref="IAuditRecorder.Record"/> does when the recorder's queue is full.
/// </summary>
public enum AuditOverflowMode
{
    /// <summary>
    /// Wait for room (back-pressure), but never longer than <see cref="ToolAuditOptions.OverflowWaitTimeout"/>: past it
    /// the entry is dropped and counted, and later calls drop at once until the queue has room again. The default.
    /// </summary>
    Wait = 0,

    /// <summary>Never wait: drop the new entry and count it.</summary>
    DropNewest = 1,
}
