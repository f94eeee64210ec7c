namespace ToolAudit.Sinks.Jsonl;

/// <summary>What became of a day file's name while the store held the file open (<see cref="AppendOnlyFile.CheckName"/>).</summary>
internal enum HeldFileChange
{
    /// <summary>Its path still names it, and no other name does.</summary>
    None,

    /// <summary>It has no name left: deleted, or another file was moved over its name.</summary>
    Deleted,

    /// <summary>It has a name elsewhere, not its path: moved or renamed (a rotation tool, say).</summary>
    Moved,

    /// <summary>Its path still names it, and so does another: a hard link was made to it.</summary>
    HardLinked,
}
