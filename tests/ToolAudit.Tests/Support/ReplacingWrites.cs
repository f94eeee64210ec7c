using ToolAudit.Sinks.Jsonl;

namespace ToolAudit.Tests.Support;

/// <summary>
/// Someone else's <c>sed -i</c> on a day file while the JSONL store writes to it: each of the next <see cref="Left"/>
/// writes comes with a copy of the day file renamed over its path, made just after the write
/// (<paramref name="copyAfterWrite"/>: the copy holds the written lines) or just before it (they go only to the file
/// the rename deleted). Give <see cref="Wrap"/> to <c>JsonlAuditStore.DayFileWriterHook</c>.
/// </summary>
internal sealed class ReplacingWrites(string dayFile, bool copyAfterWrite)
{
    /// <summary>How many more writes come with a copy; each one that does counts down.</summary>
    public int Left { get; set; }

    public AppendOnlyFile.Writer Wrap(AppendOnlyFile.Writer write) => (ReadOnlySpan<byte> data, out int errno) =>
    {
        if (Left <= 0)
        {
            return write(data, out errno);
        }

        Left--;
        if (!copyAfterWrite)
        {
            CopyAndRename();
        }

        var written = write(data, out errno);
        if (copyAfterWrite)
        {
            CopyAndRename();
        }

        return written;
    };

    private void CopyAndRename()
    {
        var copy = dayFile + ".sed-tmp";
        File.Copy(dayFile, copy);
        File.Move(copy, dayFile, overwrite: true);
    }
}
