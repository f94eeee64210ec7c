using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// What the store must know of a file it opened before it reads or writes it, asked of the open descriptor (never by
/// path, which may name another file by now): how many names it has, whether it is a regular file, and which file it
/// is (device and inode), so that a path asked later (<see cref="TryOfPath"/>) can be told to name it still or not.
/// </summary>
/// <remarks>
/// A day file with a second name (a hard link) could be another user's day file or a file outside the audit tree, so
/// entries would land in it or be read from it under the wrong name; and a FIFO or a device is no day file at all.
/// Linux asks <c>statx(2)</c>, macOS <c>fstat(2)</c> (<c>lstat(2)</c> for a path), Windows <c>GetFileInformationByHandle</c> and <c>GetFileType</c>.
/// </remarks>
internal readonly partial struct OpenFileStatus
{
    private const uint WindowsDiskFile = 0x1; // FILE_TYPE_DISK
    private const uint WindowsDirectory = 0x10; // FILE_ATTRIBUTE_DIRECTORY
    private const uint StatxMask = UnixFileNativeMethods.StatxTypeAndLinkCount | UnixFileNativeMethods.StatxInode | UnixFileNativeMethods.StatxOwner;

    private OpenFileStatus(long linkCount, bool isRegularFile, ulong device = 0, ulong inode = 0, UnixFileMode permissions = UnixFileMode.None, uint? ownerId = null)
    {
        LinkCount = linkCount;
        IsRegularFile = isRegularFile;
        Device = device;
        Inode = inode;
        Permissions = permissions;
        OwnerId = ownerId;
    }

    /// <summary>How many names (hard links) the file has; 1 for a file only its own name reaches.</summary>
    public long LinkCount { get; }

    /// <summary>Whether it is a regular file: a folder, a FIFO, a socket or a device is not.</summary>
    public bool IsRegularFile { get; }

    /// <summary>The device the file is on (with <see cref="Inode"/>, which file it is); 0 where unknown (Windows).</summary>
    public ulong Device { get; }

    /// <summary>The file's inode number on <see cref="Device"/>; 0 where unknown (Windows, or a file system that does not say).</summary>
    public ulong Inode { get; }

    /// <summary>Its permission bits (and set-id and sticky bits); <see cref="UnixFileMode.None"/> where unknown (Windows).</summary>
    public UnixFileMode Permissions { get; }

    /// <summary>The user id of its owner; null where unknown (Windows, or a file system that does not say).</summary>
    public uint? OwnerId { get; }

    /// <summary>Whether this and <paramref name="other"/> are the status of one file: same device and inode, both known.</summary>
    /// <param name="other">Another status.</param>
    /// <returns>True when both name the same file.</returns>
    public bool IsSameFileAs(OpenFileStatus other) => Inode != 0 && Inode == other.Inode && Device == other.Device;

    /// <summary>The status of the open file <paramref name="handle"/>.</summary>
    /// <param name="handle">An open file.</param>
    /// <returns>Its link count and whether it is a regular file.</returns>
    /// <exception cref="IOException">The system could not tell.</exception>
    public static unsafe OpenFileStatus Of(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return OfWindowsFile(handle);
        }

        // Room for either layout; statx fills 256 bytes, macOS's stat 144.
        var buffer = stackalloc byte[UnixFileNativeMethods.StatxSize];
        new Span<byte>(buffer, UnixFileNativeMethods.StatxSize).Clear();
        if (OperatingSystem.IsLinux())
        {
            byte emptyPath = 0;
            if (UnixFileNativeMethods.Statx(handle, &emptyPath, UnixFileNativeMethods.AtEmptyPath, StatxMask, buffer) != 0)
            {
                throw Failed();
            }

            return FromStatx(buffer);
        }

        var result = RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? UnixFileNativeMethods.MacFStatInode64(handle, buffer)
            : UnixFileNativeMethods.MacFStat(handle, buffer);
        if (result != 0)
        {
            throw Failed();
        }

        return FromMacStat(buffer);
    }

    /// <summary>
    /// The status of what <paramref name="path"/> names now, a symbolic link itself (never its target), without opening
    /// it; on Linux and macOS only.
    /// </summary>
    /// <param name="path">A path.</param>
    /// <param name="status">The status; default when nothing is there.</param>
    /// <returns>False when nothing is there (<c>ENOENT</c>, or a folder on the way is no folder now: <c>ENOTDIR</c>).</returns>
    /// <exception cref="IOException">The system could not tell (no permission to a folder on the way, say).</exception>
    /// <exception cref="PlatformNotSupportedException">On Windows.</exception>
    public static unsafe bool TryOfPath(string path, out OpenFileStatus status)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The status of a path is asked on Linux and macOS only.");
        }

        var buffer = stackalloc byte[UnixFileNativeMethods.StatxSize];
        new Span<byte>(buffer, UnixFileNativeMethods.StatxSize).Clear();
        int result;
        do
        {
            result = OperatingSystem.IsLinux()
                ? UnixFileNativeMethods.StatxPath(UnixFileNativeMethods.AtCurrentFolder, path, UnixFileNativeMethods.AtSymbolicLinkNoFollow, StatxMask, buffer)
                : RuntimeInformation.ProcessArchitecture == Architecture.X64
                    ? UnixFileNativeMethods.MacLStatInode64(path, buffer)
                    : UnixFileNativeMethods.MacLStat(path, buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == UnixFileNativeMethods.EINTR);

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is UnixFileNativeMethods.ENOENT or UnixFileNativeMethods.ENOTDIR)
            {
                status = default;
                return false;
            }

            throw new IOException($"Could not read the status of '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        status = OperatingSystem.IsLinux() ? FromStatx(buffer) : FromMacStat(buffer);
        return true;
    }

    private static IOException Failed() =>
        new($"Could not read the status of an open audit file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");

    private static unsafe OpenFileStatus FromStatx(byte* buffer)
    {
        // stx_mask says which fields the file system filled: without the type or the link count, nothing is known; the
        // inode number is asked for too, but a file system that does not give it only leaves the file's identity unknown.
        var filled = *(uint*)buffer;
        if ((filled & UnixFileNativeMethods.StatxTypeAndLinkCount) != UnixFileNativeMethods.StatxTypeAndLinkCount)
        {
            throw new IOException("Could not read the status of an audit file: the file system did not report its type and link count.");
        }

        var inode = (filled & UnixFileNativeMethods.StatxInode) != 0 ? *(ulong*)(buffer + UnixFileNativeMethods.StatxInodeOffset) : 0;
        var device = ((ulong)*(uint*)(buffer + UnixFileNativeMethods.StatxDeviceOffset) << 32) | *(uint*)(buffer + UnixFileNativeMethods.StatxDeviceOffset + 4);
        uint? owner = (filled & UnixFileNativeMethods.StatxOwner) != 0 ? *(uint*)(buffer + UnixFileNativeMethods.StatxOwnerOffset) : null;
        return FromMode(*(ushort*)(buffer + UnixFileNativeMethods.StatxModeOffset), *(uint*)(buffer + UnixFileNativeMethods.StatxLinkCountOffset), device, inode, owner);
    }

    private static unsafe OpenFileStatus FromMacStat(byte* buffer) =>
        FromMode(
            *(ushort*)(buffer + UnixFileNativeMethods.MacStatModeOffset),
            *(ushort*)(buffer + UnixFileNativeMethods.MacStatLinkCountOffset),
            *(uint*)buffer,
            *(ulong*)(buffer + UnixFileNativeMethods.MacStatInodeOffset),
            *(uint*)(buffer + UnixFileNativeMethods.MacStatOwnerOffset));

    private static OpenFileStatus FromMode(int mode, long linkCount, ulong device, ulong inode, uint? owner) =>
        new(linkCount, (mode & UnixFileNativeMethods.FileTypeMask) == UnixFileNativeMethods.RegularFileType, device, inode, (UnixFileMode)(mode & 0xFFF), owner);

    private static unsafe OpenFileStatus OfWindowsFile(SafeFileHandle handle)
    {
        // A pipe or a console is not a disk file; a folder is a disk file with the folder attribute.
        if (GetFileType(handle) != WindowsDiskFile)
        {
            return new OpenFileStatus(1, isRegularFile: false);
        }

        // BY_HANDLE_FILE_INFORMATION: thirteen 32-bit fields, dwFileAttributes first and nNumberOfLinks the eleventh.
        var information = stackalloc uint[13];
        if (!GetFileInformationByHandle(handle, information))
        {
            throw new IOException($"Could not read the status of an open audit file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        return new OpenFileStatus(information[10], (information[0] & WindowsDirectory) == 0);
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial uint GetFileType(SafeFileHandle file);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool GetFileInformationByHandle(SafeFileHandle file, uint* information);
}
