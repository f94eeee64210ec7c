using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// A folder of the audit tree. On Linux and macOS it is held open, and the next level (a folder, a day file, a
/// <c>.user</c> file) is opened through it with <c>openat(2)</c> and <c>O_NOFOLLOW</c>: a folder swapped for a symbolic
/// link after it was opened cannot send a later open elsewhere, and a link at any level is refused, never followed.
/// </summary>
/// <remarks>
/// Elsewhere (Windows) it is only a path: each level is checked for a link and then used by path, so a link planted
/// between the check and the use is followed (one process per folder there).
/// </remarks>
internal sealed class FolderHandle : IDisposable
{
    // What a skipped entry is, as told to the root's callback (and logged: "Skipped '…': it is a symbolic link.").
    private const string IsASymbolicLink = "is a symbolic link";
    private const string NotARegularFile = "is not a regular file (a folder, a FIFO, a socket, a device)";

    // A folder below the root: never through a link.
    private static readonly int FolderFlags =
        UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.Directory | UnixFileNativeMethods.NoFollow | UnixFileNativeMethods.CloseOnExec;

    // A file to read: never through a link, and never waiting on a FIFO.
    private static readonly int ReadFlags =
        UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.NoFollow | UnixFileNativeMethods.NonBlock | UnixFileNativeMethods.CloseOnExec;

    private readonly SafeFileHandle? _handle;
    private readonly FolderHandle? _parent;
    private readonly Action<string, string>? _skipped;

    private FolderHandle(string path, SafeFileHandle? handle, FolderHandle? parent, Action<string, string>? skipped = null)
    {
        Path = path;
        _handle = handle;
        _parent = parent;
        _skipped = skipped ?? parent?._skipped;
    }

    /// <summary>The folder's path, for messages and for the fallback that works by path.</summary>
    public string Path { get; }

    /// <summary>The open folder; null where folders are not held open.</summary>
    internal SafeFileHandle? Handle => _handle;

    /// <summary>
    /// The owner of the root this folder was opened through (null where unknown): whoever owns the root the host chose
    /// could change anything below it anyway, so what that user owns below it is no one else's (a root-squashed NFS
    /// mount gives the store's own files to <c>nobody</c>, the root included).
    /// </summary>
    internal uint? RootOwner => _parent is { } parent ? parent.RootOwner : _handle is null ? null : _rootOwner ??= OpenFileStatus.Of(_handle).OwnerId;

    private uint? _rootOwner;

    /// <summary>What <see cref="OpenFolder"/> did to the folder's mode, when others could enter it or the group write it; null otherwise.</summary>
    public LooseModeChange? LooseMode { get; private set; }

    /// <summary>Whether folders are held open and opened through, or used by path.</summary>
    [UnsupportedOSPlatformGuard("windows")]
    internal static bool HeldOpen => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>
    /// Creates <paramref name="folder"/> and each missing folder above it, each exactly <c>0750</c> whatever the umask:
    /// <see cref="Directory.CreateDirectory(string, UnixFileMode)"/> gives its mode to the last folder only, and a folder
    /// above the root that anyone could write (a umask of 000) would let anyone swap the root for their own.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static void CreateWithParents(string folder)
    {
        var missing = new Stack<string>();
        for (var path = System.IO.Path.TrimEndingDirectorySeparator(folder); !string.IsNullOrEmpty(path) && !Directory.Exists(path); path = System.IO.Path.GetDirectoryName(path))
        {
            missing.Push(path);
        }

        while (missing.TryPop(out var path))
        {
            if (Directory.Exists(path))
            {
                continue; // made by another process meanwhile: its mode is its own
            }

            Directory.CreateDirectory(path, AppendOnlyFile.NewFolderMode);
            try
            {
                File.SetUnixFileMode(path, AppendOnlyFile.NewFolderMode);
            }
            catch (UnauthorizedAccessException)
            {
                // Made by another user just before this call: not ours to change.
            }
        }
    }

    /// <summary>Opens the audit root, creating it (and the folders above it) if it is missing.</summary>
    /// <param name="root">The root's full path. It is followed if it is a link: where the root lies is the host's choice.</param>
    /// <param name="created">Whether this call created it (the folder above then holds a new entry).</param>
    /// <returns>The root, to open the levels below through.</returns>
    /// <exception cref="IOException">The root cannot be opened or created.</exception>
    public static FolderHandle OpenRoot(string root, out bool created)
    {
        created = false;
        if (!HeldOpen)
        {
            if (!Directory.Exists(root))
            {
                Directory.CreateDirectory(root);
                created = true;
            }

            return new FolderHandle(root, null, null);
        }

        while (true)
        {
            var fd = UnixFileNativeMethods.Open(root, UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.Directory | UnixFileNativeMethods.CloseOnExec, 0);
            if (fd >= 0)
            {
                return Opened(root, fd, parent: null, created);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == UnixFileNativeMethods.EINTR)
            {
                continue;
            }

            if (errno == UnixFileNativeMethods.ENOENT && !created)
            {
                // Audit trails are not for everyone on the machine: owner and group only (made exact once it is open).
                CreateWithParents(root);
                created = true;
                continue;
            }

            throw new IOException($"Could not open the audit root '{root}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
    }

    /// <summary>Opens the audit root if it is there; never creates it (a purge or a read creates nothing).</summary>
    /// <param name="root">The root's full path. It is followed if it is a link, as by <see cref="OpenRoot"/>.</param>
    /// <param name="skipped">
    /// Told the path and what it is (<c>"is a symbolic link"</c>, ...) of every entry that <see cref="OpenExistingFolder"/>
    /// or <see cref="OpenExistingRegularFile"/>, through this root or a folder below it, skip although something is
    /// there: someone planted it, or made it another way than the store does, and an admin should hear of it.
    /// </param>
    /// <returns>The root, held open (on Windows, its path); null when there is no folder there.</returns>
    /// <exception cref="IOException">The root is there but cannot be opened.</exception>
    public static FolderHandle? OpenExistingRoot(string root, Action<string, string>? skipped = null)
    {
        if (!HeldOpen)
        {
            return Directory.Exists(root) ? new FolderHandle(root, null, null, skipped) : null;
        }

        while (true)
        {
            var fd = UnixFileNativeMethods.Open(root, UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.Directory | UnixFileNativeMethods.CloseOnExec, 0);
            if (fd >= 0)
            {
                return Opened(root, fd, parent: null, created: false, skipped);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == UnixFileNativeMethods.EINTR)
            {
                continue;
            }

            if (errno is UnixFileNativeMethods.ENOENT or UnixFileNativeMethods.ENOTDIR)
            {
                return null;
            }

            throw new IOException($"Could not open the audit root '{root}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
    }

    /// <summary>
    /// Opens the folder <paramref name="name"/> in this one, held open, if it is there and is a folder; never creates it
    /// and never follows a link.
    /// </summary>
    /// <param name="name">One folder name (no separator, not <c>.</c> or <c>..</c>).</param>
    /// <returns>The folder; null when it is missing, a symbolic link (left in place) or not a folder.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is not one folder name: it could lead out of the audit root.</exception>
    /// <exception cref="IOException">It is there but cannot be opened.</exception>
    /// <remarks>
    /// Where folders are not held open (Windows) it is checked for a link and then used by path: a link planted between
    /// the check and the use is followed.
    /// </remarks>
    public FolderHandle? OpenExistingFolder(string name)
    {
        var path = PathOf(name);
        if (!HeldOpen || _handle is null)
        {
            var info = new DirectoryInfo(path);
            if (info.LinkTarget is not null)
            {
                return Skipped<FolderHandle>(path, IsASymbolicLink);
            }

            return info.Exists ? new FolderHandle(path, null, this) : null;
        }

        var fd = UnixFileNativeMethods.OpenAtUninterrupted(_handle, name, FolderFlags, 0, out var errno);
        if (fd >= 0)
        {
            return Opened(path, fd, this, created: false);
        }

        // Gone, a link (ELOOP, or ENOTDIR on some systems), or a file: nothing of ours to open.
        if (errno == UnixFileNativeMethods.ENOENT)
        {
            return null;
        }

        return errno == UnixFileNativeMethods.ELOOP || errno == UnixFileNativeMethods.ENOTDIR
            ? Skipped<FolderHandle>(path, errno == UnixFileNativeMethods.ELOOP || IsLink(name) ? IsASymbolicLink : "is not a folder")
            : throw new IOException($"Could not open the folder '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
    }

    /// <summary>Opens the regular file <paramref name="name"/> in this folder for reading, through the folder held open; never follows a link.</summary>
    /// <param name="name">One file name.</param>
    /// <param name="otherNamesAllowed">
    /// Whether a file that has other names too (a hard link) may be read: not a day file (it could be another user's,
    /// or a file outside the tree), but a <c>.user</c> file, whose content is checked against its folder's name.
    /// </param>
    /// <returns>
    /// The open file; null when it is missing, a symbolic link (left in place), not a regular file, or (unless
    /// <paramref name="otherNamesAllowed"/>) a file with other names (left in place too).
    /// </returns>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is not one file name: it could lead out of the audit root.</exception>
    /// <exception cref="IOException">It is there but cannot be opened.</exception>
    /// <remarks>
    /// Where folders are not held open (Windows) it is checked for a link and then opened by path: a link planted between
    /// the check and the open is followed.
    /// </remarks>
    public SafeFileHandle? OpenExistingRegularFile(string name, bool otherNamesAllowed)
    {
        var path = PathOf(name);
        SafeFileHandle handle;
        if (!HeldOpen || _handle is null)
        {
            // Check, then use. Exists is false for a folder, which is not a file to read either.
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                return Skipped<SafeFileHandle>(path, IsASymbolicLink);
            }

            if (!info.Exists)
            {
                return null;
            }

            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }
        else
        {
            // O_NONBLOCK: a FIFO in place of a day file does not block the open (it is skipped once open).
            var fd = UnixFileNativeMethods.OpenAtUninterrupted(_handle, name, ReadFlags, 0, out var errno);
            if (fd < 0)
            {
                return errno == UnixFileNativeMethods.ENOENT ? null
                    : errno == UnixFileNativeMethods.ELOOP ? Skipped<SafeFileHandle>(path, IsASymbolicLink)
                    : UnixFileNativeMethods.IsUnopenableSpecialFile(errno) ? Skipped<SafeFileHandle>(path, NotARegularFile)
                    : throw new IOException($"Could not open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
            }

            handle = new SafeFileHandle(fd, ownsHandle: true);
        }

        try
        {
            // Asked of the descriptor, so what is checked is what is read.
            var status = OpenFileStatus.Of(handle);
            if (!status.IsRegularFile || (status.LinkCount > 1 && !otherNamesAllowed))
            {
                handle.Dispose();
                return Skipped<SafeFileHandle>(path, status.IsRegularFile
                    ? $"is a file with {status.LinkCount} names (a hard link)"
                    : NotARegularFile);
            }

            if (_handle is not null)
            {
                // Opened non-blocking against a FIFO; a regular file does not keep the flag.
                UnixFileNativeMethods.ClearNonBlocking(handle, path);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes the file <paramref name="name"/> from this folder with <c>unlinkat(2)</c>, through the folder held open,
    /// unless it is a symbolic link (left in place, as a link found there before is).
    /// </summary>
    /// <param name="name">One file name.</param>
    /// <returns>Whether it was deleted: false when it is a link or gone already.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is not one file name: it could lead out of the audit root.</exception>
    /// <exception cref="IOException">It cannot be deleted.</exception>
    /// <remarks>Where folders are not held open (Windows) it is checked for a link and then deleted by path.</remarks>
    public bool DeleteFileUnlessLink(string name)
    {
        var path = PathOf(name);
        if (!HeldOpen || _handle is null)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null || !info.Exists)
            {
                return false;
            }

            File.Delete(path);
            return true;
        }

        var folder = _handle;

        // Even a link swapped in after this check would lose only itself (unlinkat never follows the last name), but
        // a link is left for the admin to see.
        if (IsLink(name))
        {
            return false;
        }

        while (UnixFileNativeMethods.UnlinkAt(folder, name, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == UnixFileNativeMethods.EINTR)
            {
                continue;
            }

            return errno == UnixFileNativeMethods.ENOENT
                ? false
                : throw new IOException($"Could not delete '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        return true;
    }

    /// <summary>Opens the folder <paramref name="name"/> in this one, creating it if it is missing.</summary>
    /// <param name="name">One folder name (no separator, not <c>.</c> or <c>..</c>).</param>
    /// <param name="created">Whether this call created it (this folder then holds a new entry).</param>
    /// <returns>The folder, to open the next level through.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is not one folder name: it could lead out of the audit root.</exception>
    /// <exception cref="IOException">It is a symbolic link (refused, never followed), or it cannot be opened or created.</exception>
    public FolderHandle OpenFolder(string name, out bool created)
    {
        var path = PathOf(name);
        created = false;
        if (!HeldOpen || _handle is null)
        {
            ThrowIfLink(path);
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                created = true;
            }

            return new FolderHandle(path, null, this);
        }

        while (true)
        {
            var fd = UnixFileNativeMethods.OpenAtUninterrupted(_handle, name, FolderFlags, 0, out var errno);
            if (fd >= 0)
            {
                var folder = Opened(path, fd, this, created);
                if (!created)
                {
                    try
                    {
                        // One that was there: planted by another user who could write this one, or left with a looser umask.
                        var status = OpenFileStatus.Of(folder._handle!);
                        TrailOwnership.ThrowIfForeign(status, path, RootOwner);
                        folder.LooseMode = TrailOwnership.TightenIfLoose(folder._handle!, status);
                    }
                    catch
                    {
                        folder.Dispose();
                        throw;
                    }
                }

                return folder;
            }

            if (errno == UnixFileNativeMethods.ENOENT && !created)
            {
                if (UnixFileNativeMethods.MkdirAt(_handle, name, (uint)AppendOnlyFile.NewFolderMode) == 0)
                {
                    created = true;
                    continue;
                }

                errno = Marshal.GetLastPInvokeError();

                // Made by another writer meanwhile, or interrupted: open it.
                if (errno is UnixFileNativeMethods.EEXIST or UnixFileNativeMethods.EINTR)
                {
                    continue;
                }

                throw new IOException($"Could not create the folder '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
            }

            throw OpenFailed(errno, name, $"Could not open the folder '{path}'");
        }
    }

    /// <summary>
    /// Makes the file <paramref name="name"/> in this folder hold exactly <paramref name="content"/> (owner read-write,
    /// group read). It is written to a new file beside it, flushed, then renamed into place, so it is never seen torn:
    /// a crash while it is written leaves it missing, to be written again, never empty. A file there with other bytes
    /// (torn before this rule, or edited), or one that has other names too (a hard link), is replaced the same way,
    /// never written through: what it must hold is known, and the file behind the other name is left as it was.
    /// </summary>
    /// <returns>Whether this call wrote it.</returns>
    /// <exception cref="IOException">A symbolic link is there (refused, never followed), or the file cannot be written.</exception>
    public bool EnsureFile(string name, ReadOnlySpan<byte> content)
    {
        var path = PathOf(name);
        if (!HeldOpen || _handle is null)
        {
            return EnsureFileByPath(path, content);
        }

        if (HoldsExactly(name, content))
        {
            return false;
        }

        // O_CREAT | O_EXCL on a name of our own: never follows a link, never truncates another writer's file.
        var temporary = name + ".tmp-" + Guid.NewGuid().ToString("N");
        var flags = UnixFileNativeMethods.WriteOnly | UnixFileNativeMethods.Create | UnixFileNativeMethods.Exclusive
            | UnixFileNativeMethods.NoFollow | UnixFileNativeMethods.CloseOnExec;
        var fd = UnixFileNativeMethods.OpenAtUninterrupted(_handle, temporary, flags, (int)AppendOnlyFile.NewFileMode, out var errno);
        if (fd < 0)
        {
            throw OpenFailed(errno, temporary, $"Could not create '{PathOf(temporary)}'");
        }

        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                // Exactly that mode, whatever the umask, as for day files.
                File.SetUnixFileMode(handle, AppendOnlyFile.NewFileMode);
                RandomAccess.Write(handle, content, 0);
                if (UnixFileNativeMethods.FSyncUninterrupted(handle) != 0)
                {
                    throw new IOException($"Could not flush '{PathOf(temporary)}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
                }
            }

            // A link planted at the name now is replaced, not followed: rename(2) acts on the entry itself.
            int renamed;
            do
            {
                renamed = UnixFileNativeMethods.RenameAt(_handle, temporary, _handle, name);
            }
            while (renamed != 0 && Marshal.GetLastPInvokeError() == UnixFileNativeMethods.EINTR);

            if (renamed != 0)
            {
                throw new IOException($"Could not write '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }

            return true;
        }
        catch
        {
            UnixFileNativeMethods.UnlinkAt(_handle, temporary, 0);
            throw;
        }
    }

    /// <summary>Whether <paramref name="name"/> in this folder is a file that holds exactly <paramref name="content"/>.</summary>
    /// <exception cref="IOException">It is a symbolic link (refused, never followed), or it cannot be read.</exception>
    private bool HoldsExactly(string name, ReadOnlySpan<byte> content)
    {
        var fd = UnixFileNativeMethods.OpenAtUninterrupted(_handle!, name, ReadFlags, 0, out var errno);
        if (fd < 0)
        {
            // Missing, or a socket (which cannot be opened, and is replaced like any file that is not the right one).
            return errno == UnixFileNativeMethods.ENOENT || UnixFileNativeMethods.IsUnopenableSpecialFile(errno)
                ? false
                : throw OpenFailed(errno, name, $"Could not read '{PathOf(name)}'");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        return HoldsExactly(handle, content);
    }

    private static bool HoldsExactly(SafeFileHandle handle, ReadOnlySpan<byte> content)
    {
        // Not a regular file (a folder, a FIFO), or a file that another name reaches too (a hard link): it is replaced
        // by a file of our own renamed into place, never written through, so the other name keeps what it held.
        var status = OpenFileStatus.Of(handle);
        if (!status.IsRegularFile || status.LinkCount > 1 || RandomAccess.GetLength(handle) != content.Length)
        {
            return false;
        }

        var held = new byte[content.Length];
        var read = 0;
        while (read < held.Length)
        {
            var got = RandomAccess.Read(handle, held.AsSpan(read), read);
            if (got == 0)
            {
                return false;
            }

            read += got;
        }

        return content.SequenceEqual(held);
    }

    /// <summary>Forces the folder's entries to the disk. Nothing to do where folders are not held open (Windows).</summary>
    /// <exception cref="IOException">The flush failed.</exception>
    public void FlushToDisk()
    {
        if (_handle is not null && UnixFileNativeMethods.FSyncUninterrupted(_handle) != 0)
        {
            throw new IOException($"Could not flush the folder '{Path}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }

    /// <summary>
    /// Where folders are not held open, checks this folder and those above it up to the root again for a link planted
    /// while they were made; nothing to do where they are held open.
    /// </summary>
    /// <exception cref="IOException">One of them is now a symbolic link.</exception>
    public void CheckNoLinkAbove()
    {
        if (_handle is not null)
        {
            return;
        }

        for (var folder = this; folder._parent is not null; folder = folder._parent)
        {
            ThrowIfLink(folder.Path);
        }
    }

    /// <summary>Closes the folder.</summary>
    public void Dispose() => _handle?.Dispose();

    /// <summary>The error for a failed open of <paramref name="name"/> in this folder: the link refusal when a link is there.</summary>
    internal IOException OpenFailed(int errno, string name, string message) =>
        errno == UnixFileNativeMethods.ELOOP || (errno == UnixFileNativeMethods.ENOTDIR && IsLink(name))
            ? AppendOnlyFile.SymbolicLinkRefused(PathOf(name))
            : new IOException($"{message}: {Marshal.GetPInvokeErrorMessage(errno)}.");

    /// <summary>The path of <paramref name="name"/> in this folder, once it is known to be one name that stays in it.</summary>
    internal string PathOf(string name)
    {
        // Defence in depth: whatever the encoding of user names, nothing is opened or created outside the root.
        if (name.Length == 0 || name is "." or ".." || name.Contains('\0', StringComparison.Ordinal)
            || name.AsSpan().IndexOfAny(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) >= 0
            || System.IO.Path.IsPathRooted(name))
        {
            throw new InvalidOperationException($"Refusing to open '{name}' in '{Path}': it is not one folder or file name, so it could lead out of the audit root.");
        }

        return System.IO.Path.Combine(Path, name);
    }

    [UnsupportedOSPlatform("windows")]
    private static FolderHandle Opened(string path, int fd, FolderHandle? parent, bool created, Action<string, string>? skipped = null)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (created)
            {
                // Exactly owner all, group read and enter, whatever the umask.
                File.SetUnixFileMode(handle, AppendOnlyFile.NewFolderMode);
            }

            return new FolderHandle(path, handle, parent, skipped);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Tells the root's <c>skipped</c> callback that <paramref name="path"/> is there but is not opened.</summary>
    /// <returns>Null, what the caller returns for it.</returns>
    private T? Skipped<T>(string path, string what)
        where T : class
    {
        _skipped?.Invoke(path, what);
        return null;
    }

    private static void ThrowIfLink(string path)
    {
        if (new DirectoryInfo(path).LinkTarget is not null)
        {
            throw AppendOnlyFile.SymbolicLinkRefused(path);
        }
    }

    /// <summary>Whether <paramref name="name"/> in this folder is a symbolic link (asked of the folder held open, not by path).</summary>
    private unsafe bool IsLink(string name)
    {
        byte target;
        return _handle is not null && UnixFileNativeMethods.ReadLinkAt(_handle, name, &target, 1) >= 0;
    }

    /// <summary>The fallback for <see cref="EnsureFile"/> where folders are not held open: a check, then a write beside it and a move into place.</summary>
    private static bool EnsureFileByPath(string path, ReadOnlySpan<byte> content)
    {
        var existing = new FileInfo(path);
        if (existing.LinkTarget is not null)
        {
            throw AppendOnlyFile.SymbolicLinkRefused(path);
        }

        if (existing.Exists)
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (HoldsExactly(handle, content))
            {
                return false;
            }
        }

        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
