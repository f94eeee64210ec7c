namespace ToolAudit;

/// <summary>
/// Reads the trail back: queries, counts, statistics and the list of users.
/// </summary>
/// <remarks>Implementations are thread-safe and may be used while entries are being written.</remarks>
public interface IAuditReader
{
    /// <summary>Streams the entries that match <paramref name="query"/>, newest first, after <c>Offset</c>, at most <c>Limit</c>.</summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The matching entries, newest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    IAsyncEnumerable<AuditEntry> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Counts the entries that match <paramref name="query"/>; <c>Limit</c> and <c>Offset</c> are ignored.</summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Stops the count.</param>
    /// <returns>The exact number of matching entries.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Computes exact statistics over the entries that match <paramref name="query"/>; <c>Limit</c> and <c>Offset</c> are ignored.</summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Stops the computation.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    ValueTask<AuditStats> GetStatsAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Lists the users the store holds, by their real names (also where the store encoded a name on disk).</summary>
    /// <remarks>
    /// Which users a store holds is its own: one that keeps a folder per user may list a user whose entries were all
    /// purged. Each store's docs say.
    /// </remarks>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The users' names, in ordinal order.</returns>
    IAsyncEnumerable<string> GetUsersAsync(CancellationToken cancellationToken = default);
}
