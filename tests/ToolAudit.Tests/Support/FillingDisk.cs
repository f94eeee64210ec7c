using ToolAudit.Sinks.Jsonl;

namespace ToolAudit.Tests.Support;

/// <summary>
/// A disk with <see cref="Left"/> bytes of room; or, while <see cref="CutAfterLines"/> has counts, room for that
/// many whole lines of each write in turn (all of a write with fewer), half the next line of the last, and none after.
/// Give <see cref="Wrap"/> to <c>JsonlAuditStore.DayFileWriterHook</c>: the one thing mocked is the disk, the day
/// file's <c>write(2)</c> writes for real until its room is spent, then answers <c>ENOSPC</c>.
/// </summary>
internal sealed class FillingDisk
{
    /// <summary><c>ENOSPC</c> on Linux and macOS.</summary>
    public const int NoSpaceOnDevice = 28;

    public long Left { get; set; } = long.MaxValue;

    public int[]? CutAfterLines { get; set; }

    public AppendOnlyFile.Writer Wrap(AppendOnlyFile.Writer write) => (ReadOnlySpan<byte> data, out int errno) =>
    {
        var room = Left;
        if (CutAfterLines is [var lines, .. var later])
        {
            var offset = 0;
            for (var i = 0; i < lines && offset < data.Length; i++)
            {
                offset += data[offset..].IndexOf((byte)'\n') + 1;
            }

            CutAfterLines = later.Length > 0 ? later : null;
            room = CutAfterLines is null && offset < data.Length ? offset + (data[offset..].IndexOf((byte)'\n') / 2) : offset;
            if (CutAfterLines is null)
            {
                Left = 0;
            }

            if (room == 0)
            {
                errno = NoSpaceOnDevice;
                return -1;
            }
        }

        if (room <= 0)
        {
            errno = NoSpaceOnDevice;
            return -1;
        }

        var written = write(data[..(int)Math.Min(room, data.Length)], out errno);
        if (written > 0 && Left != long.MaxValue)
        {
            Left -= written;
        }

        return written;
    };
}
