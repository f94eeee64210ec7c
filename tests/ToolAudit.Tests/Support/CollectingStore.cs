namespace ToolAudit.Tests.Support;

/// <summary>
/// A store the container can build (parameterless constructor), for <c>AddSink&lt;TSink&gt;()</c>: an in-memory store
/// under another type name.
/// </summary>
public sealed class CollectingStore : IAuditStore
{
    private readonly InMemoryAuditStore _inner = new(10_000);

    public int Count => _inner.Count;

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken) => _inner.WriteAsync(batch, cancellationToken);

    public IAsyncEnumerable<AuditEntry> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

    public ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.CountAsync(query, cancellationToken);

    public ValueTask<AuditStats> GetStatsAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.GetStatsAsync(query, cancellationToken);

    public IAsyncEnumerable<string> GetUsersAsync(CancellationToken cancellationToken = default) => _inner.GetUsersAsync(cancellationToken);

    public ValueTask<long> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) => _inner.PurgeAsync(olderThan, cancellationToken);
}
