namespace ToolAudit.Recording;

/// <summary>
/// A sink whose write splits into CPU work and I/O, so that the recorder can prepare the next batch while the previous
/// one is being written: <see cref="Prepare"/> (serializing; runs on the recorder's writer thread, may overlap a
/// <see cref="Commit"/>) and <see cref="Commit"/> (the I/O; called in the order the batches were prepared, one at a time).
/// Calling both in a row is the same as <see cref="IAuditSink.WriteAsync"/>.
/// </summary>
internal interface IStagedAuditSink : IAuditSink
{
    /// <summary>Checks and serializes a batch; nothing is written yet. Throws for a batch it would reject.</summary>
    /// <param name="batch">The entries.</param>
    /// <returns>The prepared batch, to hand to <see cref="Commit"/> or <see cref="Discard"/> exactly once.</returns>
    object Prepare(IReadOnlyList<AuditEntry> batch);

    /// <summary>Writes a prepared batch; throws when any of it could not be written.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> returned.</param>
    void Commit(object prepared);

    /// <summary>Gives back a prepared batch that will not be committed.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> returned.</param>
    void Discard(object prepared);
}
