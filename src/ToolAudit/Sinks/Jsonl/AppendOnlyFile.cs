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
    private const int LinuxELOOP = 40;
    private const int MacELOOP = 62;

    /// <summary>
    /// Linux's <c>O_NOFOLLOW</c>, which differs by architecture: <c>0100000</c> (octal) on Arm and PowerPC, <c>0400000</c>
    /// on x86, x64, s390x, RISC-V and LoongArch.
    /// </summary>
    private static readonly int LinuxNoFollow = RuntimeInformation.ProcessArchitecture
        is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le
        ? 0x8000
        : 0x20000;

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

    /// <summary>Opens (creating it if need be) the file at <paramref name="path"/> for appending.</summary>
    /// <exception cref="IOException">
    /// The file cannot be opened, or <paramref name="path"/> is a symbolic link: a link planted in place of a day file is
    /// refused, never followed, so that audit lines are never appended to a file outside the audit folder.
    /// </exception>
    public static AppendOnlyFile Open(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var flags = OperatingSystem.IsLinux()
                ? 0x1 | 0x40 | 0x400 | 0x80000 | LinuxNoFollow // O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW
                : 0x1 | 0x200 | 0x8 | 0x1000000 | 0x100; // the same on macOS
            int fd;
            int errno;
            do
            {
                fd = UnixFileNativeMethods.Open(path, flags, Convert.ToInt32("640", 8));
                errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (fd < 0 && errno == EINTR);

            if (fd < 0)
            {
                throw errno == (OperatingSystem.IsLinux() ? LinuxELOOP : MacELOOP)
                    ? SymbolicLinkRefused(path)
                    : new IOException($"Could not open '{path}' for appending: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            try
            {
                return new AppendOnlyFile(path, handle, null, EndsWithoutNewline(path));
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        // Elsewhere a check, then the open: a link planted between the two is followed (one process per folder there).
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw SymbolicLinkRefused(path);
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            return new AppendOnlyFile(path, null, stream, EndsWithoutNewline(path));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
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

    private static IOException SymbolicLinkRefused(string path) =>
        new($"Refusing to append to '{path}': it is a symbolic link, and the audit store never follows links out of its folders.");

    /// <summary>Whether the file's last line was torn (a crash, a full disk): our first line then needs a newline first.</summary>
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
