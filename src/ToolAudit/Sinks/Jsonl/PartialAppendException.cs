namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// An append that failed after some of its lines were written whole (a full disk cuts a write short, and the next
/// write is refused): says how many, so that those entries are counted as written and only the rest as failed.
/// </summary>
internal sealed class PartialAppendException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="linesWritten">How many of the append's lines, from its first, are whole in the file.</param>
    public PartialAppendException(string message, int linesWritten)
        : base(message) => LinesWritten = linesWritten;

    /// <summary>How many of the append's lines, from its first, are whole in the file.</summary>
    public int LinesWritten { get; }
}
