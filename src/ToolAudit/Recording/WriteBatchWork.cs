namespace ToolAudit.Recording;

/// <summary>
/// One batch on its way through the recorder's two writer stages: the calls taken off the queue, their entries (or
/// what a staged sink prepared from them). Two of these circulate per recorder and are reused.
/// </summary>
internal sealed class WriteBatchWork(int capacity)
{
    public List<CapturedCall> Calls { get; } = new(capacity);

    public List<AuditEntry> Entries { get; } = new(capacity);

    /// <summary>Calls whose entry could not be prepared (counted as failed once the batch is written).</summary>
    public int Unprepared { get; set; }

    /// <summary>What <see cref="IStagedAuditSink.Prepare"/> built, until it is committed or discarded.</summary>
    public object? Prepared { get; set; }

    public void Reset()
    {
        Calls.Clear();
        Entries.Clear();
        Unprepared = 0;
        Prepared = null;
    }
}
