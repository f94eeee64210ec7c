namespace ToolAudit.Recording;

/// <summary>
/// A sink whose write splits into CPU work and I/O, so that the recorder can prepare the next batch while the previous
/// one is being written: <see cref="Prepare"/> (serializing a captured call straight into the batch's buffers, with
/// no <see cref="AuditEntry"/> made; runs on the recorder's writer thread, and on its sink thread for the tail of a
/// batch it takes over, into a batch of its own; may overlap a <see cref="Commit"/>) and <see cref="Commit"/> (the I/O;
/// called in the order the batches were prepared, one at a time). Distinct batches may be prepared at the same time.
/// </summary>
internal interface IStagedAuditSink : IAuditSink
{
    /// <summary>Prepares one call's entry (see <see cref="AuditEntryFactory"/>) and adds it to a batch; nothing is written yet.</summary>
    /// <param name="call">The captured call.</param>
    /// <param name="idSequence">The ordered part of the entry's id (<see cref="AuditEntryFactory.NextIdSequence"/>), taken in write order.</param>
    /// <param name="factory">Prepares the entry's parts (id, arguments, snippet); one per preparing thread.</param>
    /// <param name="prepared">The batch so far; null for a new batch, which this method then starts.</param>
    /// <remarks>When it throws, the batch holds nothing of this call, and stays the caller's to commit or discard.</remarks>
    void Prepare(CapturedCall call, long idSequence, AuditEntryFactory factory, ref object? prepared);

    /// <summary>
    /// Writes a prepared batch, and then the batch prepared for the calls after it, if any (the tail the sink thread
    /// took over), as one commit: each file gets the first one's lines, then the second one's, and is flushed once.
    /// Gives the buffers back; throws when any of it could not be written: <see cref="PartialCommitException"/> when it
    /// can tell which entries those are (the others are written), any other exception for the whole batch.
    /// </summary>
    /// <param name="prepared">What <see cref="Prepare"/> built.</param>
    /// <param name="then">What it built for the calls that follow, or null.</param>
    void Commit(object prepared, object? then);

    /// <summary>Gives back a prepared batch that will not be committed.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> built.</param>
    void Discard(object prepared);
}
