using ToolAudit.Sinks.Jsonl;

namespace ToolAudit.Tests.Support;

/// <summary>
/// Someone else's <c>rm</c> between the JSONL store's check of a day file and its <c>write(2)</c>: each of the next
/// <see cref="Left"/> writes first deletes the day file (or its whole user folder), then writes into what the store
/// holds open. Give <see cref="Wrap"/> to <c>JsonlAuditStore.DayFileWriterHook</c>.
/// </summary>
internal sealed class DeletingWrites(string dayFile, bool wholeFolder = false)
{
    /// <summary>How many more writes delete first; each one that does counts down.</summary>
    public int Left { get; set; }

    public AppendOnlyFile.Writer Wrap(AppendOnlyFile.Writer write) => (ReadOnlySpan<byte> data, out int errno) =>
    {
        if (Left > 0)
        {
            Left--;
            if (wholeFolder)
            {
                Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(dayFile))!, recursive: true);
            }
            else
            {
                File.Delete(dayFile);
            }
        }

        return write(data, out errno);
    };
}
