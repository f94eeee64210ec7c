namespace ToolAudit;

/// <summary>
/// Records tool calls. The hot path of every audited tool call goes through here.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. <see cref="Record"/> captures everything it needs (arguments, ambient context,
/// <c>Activity.Current</c> ids, the time) when it is called and returns at once; a background writer hands the
/// entries to the sinks in batches.
/// </remarks>
public interface IAuditRecorder
{
    /// <summary>A consistent snapshot of the recorder's counters.</summary>
    AuditCounters Counters { get; }

    /// <summary>
    /// Records a call, fire-and-forget. Returns at once unless the queue is full, never throws for sink trouble.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The call's user or tool is null or empty, its user holds a lone surrogate (see <see cref="ToolCall.IsValidUser"/>),
    /// or its status is not a defined <see cref="AuditStatus"/>.
    /// </exception>
    /// <remarks>A call made after the recorder was disposed is not written; it is counted as failed and logged, not thrown.</remarks>
    void Record(ToolCall call);

    /// <summary>
    /// Records a call and completes only once every sink has written it: the mode for a host that must not run a
    /// tool unless it is on record. Waits (asynchronously) for room in the queue.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Stops the wait; the entry may still be written if it was already queued.</param>
    /// <returns>A task that completes when the entry is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The call's user or tool is null or empty, its user holds a lone surrogate (see <see cref="ToolCall.IsValidUser"/>),
    /// or its status is not a defined <see cref="AuditStatus"/>.
    /// </exception>
    /// <exception cref="AuditWriteException">A sink failed to write the entry; the exception names it.</exception>
    /// <exception cref="ObjectDisposedException">The recorder has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the entry was written.</exception>
    ValueTask RecordDurableAsync(ToolCall call, CancellationToken cancellationToken = default);

    /// <summary>Returns when everything recorded before the call has been handed to the sinks and written (or failed).</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is lost by it.</param>
    /// <returns>A task that completes when the earlier entries are written.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
