using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>A real native plugin: a read that works, a delete that throws, a stat that returns an object.</summary>
public sealed class FilesPlugin
{
    private int _deletes;

    /// <summary>How many times <see cref="Delete"/> really ran.</summary>
    public int Deletes => Volatile.Read(ref _deletes);

    [KernelFunction("read"), Description("Reads a file.")]
    public string Read(string path) => $"contents of {path}";

    [KernelFunction("delete"), Description("Deletes a file.")]
    public string Delete(string path)
    {
        Interlocked.Increment(ref _deletes);
        throw new UnauthorizedAccessException($"read-only volume: {path}");
    }

    [KernelFunction("stat"), Description("Describes a file.")]
    public FileStat Stat(string path) => new(path, 42);
}
