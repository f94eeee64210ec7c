using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// A file opened for atomic appends. On Linux and macOS it is opened with <c>O_APPEND</c> and written with
/// <c>write(2)</c>, so the kernel places every write at the end of the file, also when another process appends to the
/// same file; .NET's <see cref="FileMode.Append"/> does not do this (it writes at the offset it saw when it opened).
/// </summary>
/// <remarks>Elsewhere it falls back to an unbuffered <see cref="FileStream"/> in append mode: one process per file.</remarks>
internal sealed class AppendOnlyFile : IDisposable
{
    private const int EINTR = 4;

    private readonly SafeFileHandle? _handle;
    private readonly FileStream? _stream;
    private bool _needsNewline;

    private AppendOnlyFile(string path, SafeFileHandle? handle, FileStream? stream, bool needsNewline)
    {
        Path = path;
        _handle = handle;
        _stream = stream;
        _needsNewline = needsNewline;
    }

    public string Path { get; }

    public static AppendOnlyFile Open(string path)
    {
        // A file whose last line was torn (a crash, a full disk) gets a newline first, so our first line stays whole.
        var needsNewline = EndsWithoutNewline(path);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var flags = OperatingSystem.IsLinux()
                ? 0x1 | 0x40 | 0x400 | 0x80000 // O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
                : 0x1 | 0x200 | 0x8 | 0x1000000; // the same on macOS
            int fd;
            do
            {
                fd = UnixFileNativeMethods.Open(path, flags, Convert.ToInt32("640", 8));
            }
            while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

            if (fd < 0)
            {
                throw new IOException($"Could not open '{path}' for appending: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }

            return new AppendOnlyFile(path, new SafeFileHandle(fd, ownsHandle: true), null, needsNewline);
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        return new AppendOnlyFile(path, null, stream, needsNewline);
    }

    /// <summary>Appends <paramref name="data"/> with one write (whole lines only, so concurrent writers never interleave).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_needsNewline)
        {
            WriteAll("\n"u8);
            _needsNewline = false;
        }

        try
        {
            WriteAll(data);
        }
        catch
        {
            // Part of the data may be in the file: end that fragment before the next line.
            _needsNewline = true;
            throw;
        }
    }

    /// <summary>Forces what was written to the disk.</summary>
    public void FlushToDisk()
    {
        if (_handle is not null)
        {
            if (UnixFileNativeMethods.FSync(_handle) != 0)
            {
                throw new IOException($"Could not flush '{Path}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        else
        {
            _stream!.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _stream?.Dispose();
    }

    private unsafe void WriteAll(ReadOnlySpan<byte> data)
    {
        if (_stream is not null)
        {
            _stream.Write(data);
            return;
        }

        fixed (byte* start = data)
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var written = UnixFileNativeMethods.Write(_handle!, start + offset, data.Length - offset);
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw new IOException($"Could not append to '{Path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
                }

                offset += (int)written;
            }
        }
    }

    private static bool EndsWithoutNewline(string path)
    {
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            if (reader.Length == 0)
            {
                return false;
            }

            reader.Seek(-1, SeekOrigin.End);
            return reader.ReadByte() != '\n';
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
