using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// What the store must know of a file it opened before it reads or writes it, asked of the open descriptor (never by
/// path, which may name another file by now): how many names it has, and whether it is a regular file.
/// </summary>
/// <remarks>
/// A day file with a second name (a hard link) could be another user's day file or a file outside the audit tree, so
/// entries would land in it or be read from it under the wrong name; and a FIFO or a device is no day file at all.
/// Linux asks <c>statx(2)</c>, macOS <c>fstat(2)</c>, Windows <c>GetFileInformationByHandle</c> and <c>GetFileType</c>.
/// </remarks>
internal readonly partial struct OpenFileStatus
{
    private const uint WindowsDiskFile = 0x1; // FILE_TYPE_DISK
    private const uint WindowsDirectory = 0x10; // FILE_ATTRIBUTE_DIRECTORY

    private OpenFileStatus(long linkCount, bool isRegularFile)
    {
        LinkCount = linkCount;
        IsRegularFile = isRegularFile;
    }

    /// <summary>How many names (hard links) the file has; 1 for a file only its own name reaches.</summary>
    public long LinkCount { get; }

    /// <summary>Whether it is a regular file: a folder, a FIFO, a socket or a device is not.</summary>
    public bool IsRegularFile { get; }

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
            if (UnixFileNativeMethods.Statx(handle, &emptyPath, UnixFileNativeMethods.AtEmptyPath, UnixFileNativeMethods.StatxTypeAndLinkCount, buffer) != 0)
            {
                throw Failed();
            }

            // stx_mask says which fields the file system filled: without the type or the link count, nothing is known.
            if ((*(uint*)buffer & UnixFileNativeMethods.StatxTypeAndLinkCount) != UnixFileNativeMethods.StatxTypeAndLinkCount)
            {
                throw new IOException("Could not read the status of an open audit file: the file system did not report its type and link count.");
            }

            return FromMode(*(ushort*)(buffer + UnixFileNativeMethods.StatxModeOffset), *(uint*)(buffer + UnixFileNativeMethods.StatxLinkCountOffset));
        }

        var result = RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? UnixFileNativeMethods.MacFStatInode64(handle, buffer)
            : UnixFileNativeMethods.MacFStat(handle, buffer);
        if (result != 0)
        {
            throw Failed();
        }

        return FromMode(*(ushort*)(buffer + UnixFileNativeMethods.MacStatModeOffset), *(ushort*)(buffer + UnixFileNativeMethods.MacStatLinkCountOffset));

        static IOException Failed() =>
            new($"Could not read the status of an open audit file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
    }

    private static OpenFileStatus FromMode(int mode, long linkCount) =>
        new(linkCount, (mode & UnixFileNativeMethods.FileTypeMask) == UnixFileNativeMethods.RegularFileType);

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
