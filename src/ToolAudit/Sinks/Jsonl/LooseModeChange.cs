namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// What <see cref="TrailOwnership.TightenIfLoose"/> did to a folder or day file that others could read or its group
/// write: the mode it had, and why it could not be changed, if it could not.
/// </summary>
/// <param name="Was">The mode it had.</param>
/// <param name="Failure">Why it is still that mode (an immutable file, a file system that refuses <c>chmod</c>); null when it was changed.</param>
internal readonly record struct LooseModeChange(UnixFileMode Was, Exception? Failure);
