using System.Buffers;
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
    /// <summary>The mode of the files the store creates: owner read-write, group read (audit trails are not for everyone).</summary>
    internal const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>The mode of the folders the store creates: owner all, group read and enter.</summary>
    internal const UnixFileMode NewFolderMode = NewFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute;

    /// <summary>How many times one write call writes a line cut by a short write again whole, before it finishes the rest as it comes.</summary>
    internal const int MaxRewrites = 4;

    private readonly SafeFileHandle? _handle;
    private readonly OpenFileStatus _opened;
    private readonly FileStream? _stream;
    private readonly Writer _writeOnce;
    private bool _needsNewline;

    private AppendOnlyFile(string path, SafeFileHandle? handle, OpenFileStatus opened, FileStream? stream, bool needsNewline, Func<Writer, Writer>? writerHook)
    {
        Path = path;
        _handle = handle;
        _opened = opened;
        _stream = stream;
        _needsNewline = needsNewline;
        _writeOnce = writerHook is null ? WriteOnce : writerHook(WriteOnce);
    }

    public string Path { get; }

    /// <summary>How long an open waits for the append gate when another process holds it: 1 second.</summary>
    internal static TimeSpan DefaultGatePatience { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether another process held the append gate for all the time the open waited for it (a read lock on the gate's
    /// byte, which anyone who can read the file can take), so the last byte was read without it: an append in progress
    /// then may be taken for a torn line, and followed by a blank line, which readers skip.
    /// </summary>
    public bool OpenedPastHeldGate { get; private init; }

    /// <summary>What the open did to the file's mode, when others could read it or the group write it; null otherwise.</summary>
    public LooseModeChange? LooseMode { get; private init; }

    /// <summary>Opens (creating it if need be) the file <paramref name="name"/> in <paramref name="folder"/> for appending.</summary>
    /// <param name="folder">The folder, held open: the file is opened through it, not by a path that may lead elsewhere by now.</param>
    /// <param name="name">The file's name.</param>
    /// <param name="created">Whether this call created it (its folder then holds a new entry, to be synced for durability).</param>
    /// <param name="openedHook">Test hook: called with the path once the file is open, before its last byte is read.</param>
    /// <param name="writerHook">Test hook: given the file's <c>write(2)</c>, the one its appends use (a disk that fills).</param>
    /// <param name="gatePatience">
    /// How long to wait for the append gate before reading the file's last byte (see <see cref="OpenedPastHeldGate"/>);
    /// null for <see cref="DefaultGatePatience"/>.
    /// </param>
    /// <param name="gateHeldHook">Test hook: called with the path each time the open finds the append gate held.</param>
    /// <exception cref="IOException">
    /// The file cannot be opened, is not a regular file, is a symbolic link, or has another name (a hard link): a link
    /// planted in place of a day file is refused, never followed, so that audit lines are never appended to a file
    /// outside the audit folder or to another user's day file.
    /// </exception>
    public static AppendOnlyFile Open(FolderHandle folder, string name, out bool created, Action<string>? openedHook = null, Func<Writer, Writer>? writerHook = null, TimeSpan? gatePatience = null, Action<string>? gateHeldHook = null)
    {
        var path = folder.PathOf(name);
        if (folder.Handle is not { } folderHandle)
        {
            return OpenByPath(path, out created, openedHook);
        }

        // Read and write: the last byte is read through this descriptor (EndsWithoutNewline). O_NONBLOCK: a FIFO planted in
        // place of a day file does not block the open (it is refused once open); regular files ignore the flag.
        var flags = UnixFileNativeMethods.ReadWrite | UnixFileNativeMethods.Append | UnixFileNativeMethods.NonBlock
            | UnixFileNativeMethods.CloseOnExec | UnixFileNativeMethods.NoFollow;
        var createNew = UnixFileNativeMethods.Create | UnixFileNativeMethods.Exclusive; // fails on anything there, a link too
        int fd;
        int errno;
        while (true)
        {
            // Create it, or else open the one that is there: either way we know which happened.
            fd = UnixFileNativeMethods.OpenAtUninterrupted(folderHandle, name, flags | createNew, (int)NewFileMode, out errno);
            created = fd >= 0;
            if (errno == UnixFileNativeMethods.EEXIST)
            {
                fd = UnixFileNativeMethods.OpenAtUninterrupted(folderHandle, name, flags, 0, out errno);

                // Removed between the two opens (a purge): try again.
                if (errno == UnixFileNativeMethods.ENOENT)
                {
                    continue;
                }
            }

            break;
        }

        if (fd < 0)
        {
            throw UnixFileNativeMethods.IsUnopenableSpecialFile(errno)
                ? NotARegularFile(path)
                : folder.OpenFailed(errno, name, $"Could not open '{path}' for appending");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // Asked of the descriptor, so what is checked is what is written: a FIFO or a device, or a file that
            // another name reaches too (a hard link: another user's day file, a file outside the tree), is refused.
            var status = OpenFileStatus.Of(handle);
            ThrowUnlessOwnRegularFile(status, path);
            LooseModeChange? looseMode = null;
            if (!created)
            {
                // One that was there: planted by another user who could write the folder, or left with a looser umask.
                TrailOwnership.ThrowIfForeign(status, path, folder.RootOwner);
                looseMode = TrailOwnership.TightenIfLoose(handle, status);
            }

            UnixFileNativeMethods.ClearNonBlocking(handle, path);
            if (created && !OperatingSystem.IsWindows())
            {
                // Exactly owner read-write, group read: open's mode is masked by the umask, and a variadic argument
                // is not reliably passed through interop on every platform (Apple arm64 passes them on the stack).
                File.SetUnixFileMode(handle, NewFileMode);
            }

            openedHook?.Invoke(path);
            var needsNewline = EndsWithoutNewlineLocked(handle, path, gatePatience ?? DefaultGatePatience, gateHeldHook, out var gateStayedHeld);
            return new AppendOnlyFile(path, handle, status, null, needsNewline, writerHook) { OpenedPastHeldGate = gateStayedHeld, LooseMode = looseMode };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="data"/> with one write (whole lines only, so concurrent writers never interleave).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_needsNewline)
        {
            try
            {
                WriteAll("\n"u8);
            }
            catch (PartialAppendException ex)
            {
                throw new PartialAppendException(ex.Message, linesWritten: 0); // the newline that ends a torn line is none of data's
            }

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

    /// <summary>
    /// What became of this file's name since it was opened. Someone else (an admin, a rotation tool, another process) may
    /// have deleted it, moved it or linked it meanwhile: lines appended to it then would be lost with it, hidden from
    /// every reader, or written under a second name. One <c>statx</c> (macOS: <c>lstat</c>) of <see cref="Path"/> when
    /// nothing changed, a second of the descriptor when something did.
    /// </summary>
    /// <returns>
    /// <see cref="HeldFileChange.None"/> while <see cref="Path"/> names this file and no other name does; always where
    /// folders are not held open (Windows, where one process writes each folder).
    /// </returns>
    /// <exception cref="IOException">The system could not tell (a folder on the way is no longer searchable, say).</exception>
    public HeldFileChange CheckName()
    {
        if (_handle is null)
        {
            return HeldFileChange.None;
        }

        if (OpenFileStatus.TryOfPath(Path, out var named) && named.IsSameFileAs(_opened))
        {
            return named.LinkCount > 1 ? HeldFileChange.HardLinked : HeldFileChange.None;
        }

        // Nothing at the path, something else there, or a file system that gives no inode numbers: ask the file itself.
        var held = OpenFileStatus.Of(_handle);
        return held.LinkCount switch
        {
            0 => HeldFileChange.Deleted,
            > 1 => HeldFileChange.HardLinked,
            _ when _opened.Inode == 0 => HeldFileChange.None, // one name, and no way to tell whether it is the path
            _ => HeldFileChange.Moved,
        };
    }

    /// <summary>
    /// Whether the file has lost its last name since it was opened (deleted by anyone, its folder with it): one
    /// <c>fstat</c> of the open file, no path. Always false on Windows, where a held day file cannot be deleted.
    /// </summary>
    /// <exception cref="IOException">The system could not tell.</exception>
    public bool IsDeleted() => _handle is not null && OpenFileStatus.Of(_handle).LinkCount == 0;

    /// <summary>
    /// Whether the file ends with <paramref name="first"/> followed by <paramref name="second"/>, read through the
    /// descriptor (<c>pread</c>, in 4 KiB pieces: nothing the size of the data is held). Lines carry unique ids, so a
    /// file that ends with a batch's bytes holds that batch's lines: a copy of a deleted file made after they went in.
    /// Always false on Windows, where a held day file cannot be deleted or replaced.
    /// </summary>
    /// <exception cref="IOException">The file could not be read.</exception>
    public bool EndsWith(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (_handle is null)
        {
            return false;
        }

        var length = RandomAccess.GetLength(_handle);
        var total = (long)first.Length + second.Length;
        return length >= total && Holds(_handle, first, length - total) && Holds(_handle, second, length - second.Length);
    }

    private static bool Holds(SafeFileHandle handle, ReadOnlySpan<byte> expected, long offset)
    {
        Span<byte> piece = stackalloc byte[4096];
        while (!expected.IsEmpty)
        {
            var got = RandomAccess.Read(handle, piece[..Math.Min(piece.Length, expected.Length)], offset);
            if (got <= 0 || !piece[..got].SequenceEqual(expected[..got]))
            {
                return false;
            }

            expected = expected[got..];
            offset += got;
        }

        return true;
    }

    /// <summary>Forces what was written to the disk.</summary>
    public void FlushToDisk()
    {
        if (_handle is not null)
        {
            if (UnixFileNativeMethods.FSyncUninterrupted(_handle) != 0)
            {
                throw new IOException($"Could not flush '{Path}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        else
        {
            _stream!.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// Forces a folder's entries (a file or folder created in it) to the disk, so that a new file flushed to disk is
    /// also found after a power loss. Nothing to do where folders cannot be synced this way (Windows).
    /// </summary>
    /// <remarks>
    /// Opened by path, so only for the folder above the root (which gains an entry when the root is created); the
    /// folders below it are flushed through the handles the store holds (<see cref="FolderHandle.FlushToDisk"/>).
    /// </remarks>
    /// <param name="folder">The folder.</param>
    public static void FlushFolderToDisk(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int fd;
        do
        {
            fd = UnixFileNativeMethods.Open(folder, UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.Directory | UnixFileNativeMethods.CloseOnExec, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == UnixFileNativeMethods.EINTR);

        if (fd < 0)
        {
            throw new IOException($"Could not open the folder '{folder}' to flush it to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (UnixFileNativeMethods.FSyncUninterrupted(handle) != 0)
        {
            throw new IOException($"Could not flush the folder '{folder}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _stream?.Dispose();
    }

    private void WriteAll(ReadOnlySpan<byte> data)
    {
        if (_stream is not null)
        {
            _stream.Write(data);
            return;
        }

        // The append gate shared while appending: writers do not wait for one another (O_APPEND keeps their lines
        // whole), but a store that opens the file and checks its last byte waits until no append is half done.
        var locked = UnixFileNativeMethods.LockAppendGate(_handle!, exclusive: false);
        try
        {
            WriteLines(data, _writeOnce, Path);
        }
        finally
        {
            if (locked)
            {
                UnixFileNativeMethods.UnlockAppendGate(_handle!);
            }
        }
    }

    private unsafe nint WriteOnce(ReadOnlySpan<byte> data, out int errno)
    {
        fixed (byte* start = data)
        {
            var written = UnixFileNativeMethods.Write(_handle!, start, data.Length);
            errno = written < 0 ? Marshal.GetLastPInvokeError() : 0;
            return written;
        }
    }

    /// <summary>One <c>write(2)</c> of <paramref name="data"/>: the bytes written, or -1 and <paramref name="errno"/>.</summary>
    internal delegate nint Writer(ReadOnlySpan<byte> data, out int errno);

    /// <summary>
    /// Writes <paramref name="data"/> (whole lines) with <paramref name="write"/>, one call when the kernel takes it all,
    /// and never finishes a line cut by a short write with a second write.
    /// </summary>
    /// <remarks>
    /// A short write (a full disk, a file size limit, a signal on some file systems) leaves part of a line at the end of
    /// the file; finishing it with a second write lets another writer's line land between the two parts, which makes two
    /// lines that are both damaged. So a line cut in its middle is left as a torn line, ended by the newline that starts
    /// the next write, and written again whole after it: readers skip and count the torn part and read the line. A write
    /// that stopped at a line's end goes on with the next line; one that stopped just before a line's newline goes on
    /// with that newline (writing the line again would show it twice when nothing came between). A write that writes
    /// nothing is an error, not a loop; and after <see cref="MaxRewrites"/> rewrites that were cut again, the rest is
    /// written as it comes, so that a kernel that only ever takes part of a line still gets all of it.
    /// </remarks>
    /// <param name="data">Whole lines, each ending with its newline.</param>
    /// <param name="write">One write call.</param>
    /// <param name="path">The file's path, for errors.</param>
    /// <exception cref="PartialAppendException">
    /// A write failed; part of <paramref name="data"/> may be in the file, and its
    /// <see cref="PartialAppendException.LinesWritten"/> says how many of the lines, from the first, are whole there.
    /// </exception>
    internal static void WriteLines(ReadOnlySpan<byte> data, Writer write, string path)
    {
        byte[]? again = null;
        var rewrites = 0;

        // Counted only when a write is cut short: the lines of data not yet whole in the file. A rewrite starts with
        // the newline that ends the torn part, which ends no line of data.
        var lines = -1;
        var linesLeft = 0;
        var startsWithTornEnd = false;
        try
        {
            while (!data.IsEmpty)
            {
                var written = write(data, out var errno);
                if (written == data.Length)
                {
                    return;
                }

                if (lines < 0)
                {
                    lines = linesLeft = data.Count((byte)'\n');
                }

                if (written < 0)
                {
                    if (errno == UnixFileNativeMethods.EINTR)
                    {
                        continue;
                    }

                    throw new PartialAppendException($"Could not append to '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.", WholeLines(data, lines - linesLeft, startsWithTornEnd));
                }

                if (written == 0)
                {
                    throw new PartialAppendException($"Could not append to '{path}': the system wrote nothing.", WholeLines(data, lines - linesLeft, startsWithTornEnd));
                }

                var done = data[..(int)written];
                var rest = data[(int)written..];
                linesLeft -= done.Count((byte)'\n') - (startsWithTornEnd ? 1 : 0);
                startsWithTornEnd = false;
                if (done[^1] == (byte)'\n' || rest[0] == (byte)'\n' || ++rewrites > MaxRewrites)
                {
                    data = rest;
                    continue;
                }

                // Cut mid-line: end the torn part and write the line again whole, newline first, in one write. The
                // buffer is rented once: every later attempt is a newline and a tail of what was first left to write.
                var line = data[(done.LastIndexOf((byte)'\n') + 1)..];
                again ??= ArrayPool<byte>.Shared.Rent(data.Length + 1);
                line.CopyTo(again.AsSpan(1)); // may overlap when line lies in again: CopyTo copies as memmove does
                again[0] = (byte)'\n';
                data = again.AsSpan(0, line.Length + 1);
                startsWithTornEnd = true;
            }
        }
        finally
        {
            if (again is not null)
            {
                ArrayPool<byte>.Shared.Return(again);
            }
        }
    }

    /// <summary>
    /// The lines of an append that failed which are whole in the file, or will be: those written with their newline,
    /// and one written all but its newline (what is left to write starts with that newline), since the next append to
    /// the file starts with a newline (<see cref="Append"/>, and the check at every open) and so ends it.
    /// </summary>
    private static int WholeLines(ReadOnlySpan<byte> left, int ended, bool startsWithTornEnd) =>
        ended + (!startsWithTornEnd && !left.IsEmpty && left[0] == (byte)'\n' ? 1 : 0);

    /// <summary>The error for a symbolic link found where the store writes or deletes: refused, never followed.</summary>
    internal static IOException SymbolicLinkRefused(string path) =>
        new($"Refusing to use '{path}': it is a symbolic link, and the audit store never follows links out of its folders.");

    /// <summary>The error for a file that another name reaches too (a hard link) found where the store writes: refused.</summary>
    internal static IOException HardLinkRefused(string path, long linkCount) =>
        new($"Refusing to use '{path}': it is a file with {linkCount} names (a hard link), and the audit store never writes or reads a file that another name reaches.");

    /// <summary>The error for a file the store would append to that is not a regular file (a FIFO, a device).</summary>
    internal static IOException NotARegularFile(string path) =>
        new($"Refusing to append to '{path}': it is not a regular file.");

    /// <summary>Throws unless <paramref name="status"/> is that of a regular file with no name but its own.</summary>
    private static void ThrowUnlessOwnRegularFile(OpenFileStatus status, string path)
    {
        if (!status.IsRegularFile)
        {
            throw NotARegularFile(path);
        }

        if (status.LinkCount > 1)
        {
            throw HardLinkRefused(path, status.LinkCount);
        }
    }

    /// <summary>
    /// <see cref="EndsWithoutNewline(SafeFileHandle, string)"/> holding the file's append gate exclusively, which waits
    /// for the appends in progress (each holds it shared, see <see cref="WriteAll"/>): another process's append of more
    /// than a page, seen half written, would read as a torn line, and the newline written for it would leave a blank
    /// line. Writers that take no gate (another program, an older version) are not waited for.
    /// </summary>
    private static bool EndsWithoutNewlineLocked(SafeFileHandle handle, string path, TimeSpan patience, Action<string>? heldHook, out bool gateStayedHeld)
    {
        var locked = UnixFileNativeMethods.TryLockAppendGateExclusive(handle, patience, out gateStayedHeld, heldHook is null ? null : () => heldHook(path));
        try
        {
            return EndsWithoutNewline(handle, path);
        }
        finally
        {
            if (locked)
            {
                UnixFileNativeMethods.UnlockAppendGate(handle);
            }
        }
    }

    /// <summary>Whether the file's last line was torn (a crash, a full disk): our first line then needs a newline first.</summary>
    /// <remarks>
    /// Read through the descriptor just opened, never by path: the path may name another file by now. Only a regular
    /// file gets here (checked on the descriptor); one that cannot seek is refused all the same.
    /// </remarks>
    private static bool EndsWithoutNewline(SafeFileHandle handle, string path)
    {
        long length;
        try
        {
            // fstat's size; documented to need a handle that can seek, in every .NET version.
            length = RandomAccess.GetLength(handle);
        }
        catch (NotSupportedException)
        {
            throw NotARegularFile(path);
        }

        Span<byte> last = stackalloc byte[1];
        return length > 0 && RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n'; // pread
    }

    /// <summary>The fallback where folders are not held open: a check, then the open by path.</summary>
    private static AppendOnlyFile OpenByPath(string path, out bool created, Action<string>? openedHook)
    {
        // A link planted between the check and the open is followed (one process per folder there).
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw SymbolicLinkRefused(path);
        }

        // No FileShare.Delete: while the store holds a day file, no one can delete, move or rename it (where the held
        // file is checked by its name instead, on Unix, the file system has no such share mode). The store's own
        // purge closes a file before it deletes it; readers open with any share mode and are not held back.
        created = !File.Exists(path);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            ThrowUnlessOwnRegularFile(OpenFileStatus.Of(stream.SafeFileHandle), path);
            openedHook?.Invoke(path);
            return new AppendOnlyFile(path, null, default, stream, EndsWithoutNewline(path), writerHook: null);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The fallback's <see cref="EndsWithoutNewline(SafeFileHandle, string)"/>: by path, after the open.</summary>
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
