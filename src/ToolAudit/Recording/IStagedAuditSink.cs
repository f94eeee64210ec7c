namespace ToolAudit.Recording;

/// <summary>
/// A sink whose write splits into CPU work and I/O, so that the recorder can prepare the next batch while the previous
/// one is being written: <see cref="Prepare"/> (serializing; runs on the recorder's writer thread, may overlap a
/// <see cref="Commit"/>) and <see cref="Commit"/> (the I/O; called in the order the batches were prepared, one at a time).
/// Calling both in a row is the same as <see cref="IAuditSink.WriteAsync"/>.
/// </summary>
internal interface IStagedAuditSink : IAuditSink
{
    /// <summary>Checks and serializes entries; nothing is written yet. Throws for entries it would reject.</summary>
    /// <param name="entries">The batch's entries so far.</param>
    /// <param name="start">
    /// The first entry not prepared yet: the recorder prepares a batch in parts, so that each entry is serialized
    /// while it is still in the cache, and hands over each part as it is made.
    /// </param>
    /// <param name="preparedSoFar">What this method returned for the earlier parts of the same batch, or null for its first part.</param>
    /// <returns>The prepared batch so far, to hand to <see cref="Commit"/> or <see cref="Discard"/> exactly once.</returns>
    /// <remarks>When it throws, <paramref name="preparedSoFar"/> is still the caller's to discard.</remarks>
    object Prepare(IReadOnlyList<AuditEntry> entries, int start, object? preparedSoFar);

    /// <summary>Writes a prepared batch; throws when any of it could not be written.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> returned.</param>
    void Commit(object prepared);

    /// <summary>Gives back a prepared batch that will not be committed.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> returned.</param>
    void Discard(object prepared);
}
