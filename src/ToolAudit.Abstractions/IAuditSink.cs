namespace ToolAudit;

/// <summary>
/// Where entries go: a file tree, a database, a ring buffer, a forwarder.
/// </summary>
/// <remarks>
/// The recorder calls <see cref="WriteAsync"/> from one background writer at a time, in the order entries were
/// recorded. A sink may throw; the recorder contains the failure, counts it and logs it, and the other sinks of a
/// composite still get the batch.
/// </remarks>
public interface IAuditSink
{
    /// <summary>Writes a batch of entries.</summary>
    /// <param name="batch">The entries, oldest first. Valid only for the duration of the call: copy what you keep.</param>
    /// <param name="cancellationToken">Cancelled when shutdown runs out of time.</param>
    /// <returns>A task that completes when the batch is written.</returns>
    ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken);
}
