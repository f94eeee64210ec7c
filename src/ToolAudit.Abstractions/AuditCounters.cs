namespace ToolAudit;

/// <summary>
/// A consistent snapshot of what a recorder has done with the calls handed to it.
/// </summary>
/// <remarks>
/// <see cref="Accepted"/> = <see cref="Written"/> + <see cref="Dropped"/> + <see cref="Failed"/> + <see cref="Pending"/>
/// holds in every snapshot.
/// </remarks>
/// <param name="Accepted">Calls taken by <c>Record</c> or <c>RecordDurableAsync</c> (argument errors excluded).</param>
/// <param name="Written">Entries every sink wrote.</param>
/// <param name="Dropped">Entries dropped because the queue was full (never written anywhere).</param>
/// <param name="Failed">
/// Entries at least one sink failed to write or that could not be prepared; calls made after shutdown, and durable
/// calls cancelled while they waited for room; entries left over when shutdown timed out or a writer stage stopped.
/// </param>
/// <param name="Pending">Entries queued or being written now.</param>
public readonly record struct AuditCounters(long Accepted, long Written, long Dropped, long Failed, long Pending);
