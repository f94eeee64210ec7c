using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>A real native plugin whose function streams: it runs only as its stream is read, and may fail midway.</summary>
public sealed class LinesPlugin
{
    /// <summary>Called before each line is produced, with the line's index: lets a test move its clock while the stream is read.</summary>
    public Action<int>? BeforeLine { get; set; }

    [KernelFunction("lines"), Description("Streams a file's lines; fails before line failAt when failAt is not negative.")]
    public async IAsyncEnumerable<string> Lines(string path, int count, int failAt = -1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            BeforeLine?.Invoke(i);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if (i == failAt)
            {
                throw new IOException($"disk gone at line {i} of {path}");
            }

            yield return $"line {i}";
        }
    }
}
