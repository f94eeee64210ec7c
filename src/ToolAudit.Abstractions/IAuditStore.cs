namespace ToolAudit;

/// <summary>
/// A sink that can also read its entries back and purge old ones.
/// </summary>
public interface IAuditStore : IAuditSink, IAuditReader
{
    /// <summary>Deletes entries recorded before <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The cut-off; entries at or after it are kept.</param>
    /// <param name="cancellationToken">Stops the purge between units of work.</param>
    /// <returns>How many entries were deleted.</returns>
    /// <remarks>Stores that keep entries in day files purge whole days only; their docs say which.</remarks>
    ValueTask<long> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
