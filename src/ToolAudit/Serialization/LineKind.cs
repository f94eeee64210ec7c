namespace ToolAudit.Serialization;

/// <summary>What a JSONL line turned out to be.</summary>
internal enum LineKind
{
    /// <summary>An empty line (also what a recovered torn write leaves): ignored, not counted.</summary>
    Blank,

    /// <summary>An audit entry.</summary>
    Entry,

    /// <summary>A gap marker: entries the recorder dropped.</summary>
    Gap,

    /// <summary>Not a usable line: skipped and counted.</summary>
    Corrupt,
}
