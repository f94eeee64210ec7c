namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>What <see cref="FilesPlugin.Stat"/> returns: an object, recorded as JSON.</summary>
public sealed record FileStat(string Path, int Size);
