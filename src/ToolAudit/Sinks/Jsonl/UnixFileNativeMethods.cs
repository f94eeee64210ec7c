using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>The libc calls behind <see cref="AppendOnlyFile"/>, <see cref="FolderHandle"/> and <see cref="OpenFileStatus"/> on Linux and macOS, and their flags.</summary>
/// <remarks>
/// The flag values are those of the platform's headers: Linux's generic ones (x86, x64, s390x, RISC-V, LoongArch),
/// Linux's on Arm and PowerPC (where <c>O_DIRECTORY</c> and <c>O_NOFOLLOW</c> differ), and macOS's.
/// </remarks>
internal static unsafe partial class UnixFileNativeMethods
{
    /// <summary><c>O_RDONLY</c>, the same everywhere.</summary>
    public const int ReadOnly = 0x0;

    /// <summary><c>O_RDWR</c>, the same everywhere.</summary>
    public const int ReadWrite = 0x2;

    /// <summary><c>O_WRONLY</c>, the same everywhere.</summary>
    public const int WriteOnly = 0x1;

    /// <summary><c>ENOENT</c>, the same on Linux and macOS.</summary>
    public const int ENOENT = 2;

    /// <summary><c>EINTR</c>, the same on Linux and macOS.</summary>
    public const int EINTR = 4;

    /// <summary><c>EAGAIN</c>: a lock taken without waiting is held by someone else (Linux).</summary>
    public const int EAGAIN = 11;

    /// <summary><c>EACCES</c>: the same, as some systems say it.</summary>
    public const int EACCES = 13;

    /// <summary><c>EEXIST</c>, the same on Linux and macOS.</summary>
    public const int EEXIST = 17;

    /// <summary><c>ENOTDIR</c>, the same on Linux and macOS.</summary>
    public const int ENOTDIR = 20;

    /// <summary><c>ENXIO</c>, the same on Linux and macOS: what Linux's <c>open(2)</c> of a socket fails with.</summary>
    public const int ENXIO = 6;

    private static readonly bool Linux = OperatingSystem.IsLinux();

    // Linux on Arm and PowerPC has its own O_DIRECTORY (040000 octal) and O_NOFOLLOW (0100000); elsewhere 0200000 and 0400000.
    private static readonly bool LinuxArmOrPowerPC = RuntimeInformation.ProcessArchitecture
        is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

    /// <summary><c>O_APPEND</c>.</summary>
    public static readonly int Append = Linux ? 0x400 : 0x8;

    /// <summary><c>O_NONBLOCK</c>.</summary>
    public static readonly int NonBlock = Linux ? 0x800 : 0x4;

    /// <summary><c>O_CLOEXEC</c>.</summary>
    public static readonly int CloseOnExec = Linux ? 0x80000 : 0x1000000;

    /// <summary><c>O_CREAT</c>.</summary>
    public static readonly int Create = Linux ? 0x40 : 0x200;

    /// <summary><c>O_EXCL</c>.</summary>
    public static readonly int Exclusive = Linux ? 0x80 : 0x800;

    /// <summary><c>O_NOFOLLOW</c>: the last component of the path must not be a symbolic link (<c>ELOOP</c> if it is).</summary>
    public static readonly int NoFollow = Linux ? (LinuxArmOrPowerPC ? 0x8000 : 0x20000) : 0x100;

    /// <summary><c>O_DIRECTORY</c>: the path must name a folder (<c>ENOTDIR</c> otherwise).</summary>
    public static readonly int Directory = Linux ? (LinuxArmOrPowerPC ? 0x4000 : 0x10000) : 0x100000;

    /// <summary><c>ELOOP</c>, what an open with <see cref="NoFollow"/> of a symbolic link fails with.</summary>
    public static readonly int ELOOP = Linux ? 40 : 62;

    /// <summary><c>EOPNOTSUPP</c>: what macOS's <c>open(2)</c> of a socket fails with.</summary>
    public static readonly int EOPNOTSUPP = Linux ? 95 : 102;

    /// <summary>Whether an open failed with <paramref name="errno"/> because the entry is a socket (or a device with nothing behind it): there, but no file to open.</summary>
    /// <param name="errno">The open's error.</param>
    /// <returns>True for <c>ENXIO</c> and <c>EOPNOTSUPP</c>.</returns>
    public static bool IsUnopenableSpecialFile(int errno) => errno == ENXIO || errno == EOPNOTSUPP;

    /// <summary><c>open(2)</c>, by path (the root, which may be a link, and the folder above it).</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    /// <summary><c>openat(2)</c>: opens <paramref name="path"/> relative to the folder <paramref name="folder"/> holds open.</summary>
    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int OpenAt(SafeFileHandle folder, string path, int flags, int mode);

    /// <summary><c>mkdirat(2)</c>: creates the folder <paramref name="path"/> in the folder <paramref name="folder"/> holds open.</summary>
    [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkdirAt(SafeFileHandle folder, string path, uint mode);

    /// <summary><c>readlinkat(2)</c>: succeeds only when <paramref name="path"/> in <paramref name="folder"/> is a symbolic link.</summary>
    [LibraryImport("libc", EntryPoint = "readlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ReadLinkAt(SafeFileHandle folder, string path, byte* buffer, nint size);

    /// <summary>
    /// <c>unlinkat(2)</c> with no flags: removes the entry <paramref name="path"/> (a file, or a symbolic link itself, never
    /// its target) from the folder <paramref name="folder"/> holds open.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int UnlinkAt(SafeFileHandle folder, string path, int flags);

    /// <summary>
    /// <c>renameat(2)</c>: moves the entry <paramref name="from"/> of one held folder to <paramref name="to"/> in another,
    /// replacing what is there (a symbolic link itself, never its target).
    /// </summary>
    [LibraryImport("libc", EntryPoint = "renameat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameAt(SafeFileHandle fromFolder, string from, SafeFileHandle toFolder, string to);

    // fcntl(2)'s open file description locks (Linux 3.15 and later), and their lock types.
    private const int OfdSetLock = 37;
    private const int OfdSetLockWait = 38;
    private const short ReadLock = 0;
    private const short WriteLock = 1;
    private const short Unlocked = 2;

    // The byte an append gate locks: far past any end a file reaches, so no lock another tool takes on a file's bytes
    // meets it.
    private const long AppendGateOffset = long.MaxValue - 1;

    /// <summary>
    /// Takes the append gate of the file open at <paramref name="fd"/>: a read lock (<paramref name="exclusive"/> false,
    /// held while appending: appenders do not wait for one another) or a write lock (held while reading the file's
    /// last byte: it waits for appends in progress), waiting for it. An open file description lock on one byte past
    /// any end (<c>F_OFD_SETLKW</c>), not <c>flock(2)</c>: .NET takes <c>flock</c> locks of its own on the files it opens
    /// (its <see cref="FileShare"/>), and a reader holding one must neither hold the store back nor be refused. Linux
    /// only, 64-bit; false where there is no such lock (another system, an older kernel, a file system without locks):
    /// the caller goes on without it.
    /// </summary>
    public static bool LockAppendGate(SafeFileHandle fd, bool exclusive)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            // FileLockRange is the 64-bit layout of struct flock.
            return false;
        }

        var range = new FileLockRange { Type = exclusive ? WriteLock : ReadLock, Start = AppendGateOffset, Length = 1 };
        int result;
        do
        {
            result = FcntlLock(fd, OfdSetLockWait, ref range);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        return result == 0;
    }

    /// <summary>
    /// Takes the append gate of the file open at <paramref name="fd"/> exclusively (see <see cref="LockAppendGate"/>), but
    /// waits at most <paramref name="patience"/>: any process that can read the file can hold a conflicting read lock on
    /// it for as long as it likes, and the store must not wait on it forever (holding its write lock, with every entry
    /// queued behind it). False, with <paramref name="stayedHeld"/>, when the gate was held all that time; false without
    /// it where there is no such lock.
    /// </summary>
    /// <param name="fd">The file.</param>
    /// <param name="patience">How long to ask again while the gate is held.</param>
    /// <param name="stayedHeld">Whether it was held all that time.</param>
    /// <param name="heldHook">Test hook: called each time the gate was found held.</param>
    /// <returns>True when the gate is taken; give it back with <see cref="UnlockAppendGate"/>.</returns>
    public static bool TryLockAppendGateExclusive(SafeFileHandle fd, TimeSpan patience, out bool stayedHeld, Action? heldHook = null)
    {
        stayedHeld = false;
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return false;
        }

        var range = new FileLockRange { Type = WriteLock, Start = AppendGateOffset, Length = 1 };
        var deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        for (var attempt = 0; ; attempt++)
        {
            if (FcntlLock(fd, OfdSetLock, ref range) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno != EAGAIN && errno != EACCES)
            {
                return false;
            }

            heldHook?.Invoke();
            if (Environment.TickCount64 >= deadline)
            {
                stayedHeld = true;
                return false;
            }

            // Appends hold the gate for the time of one write: yield first, then nap.
            Thread.Sleep(attempt < 16 ? 0 : 1);
        }
    }

    /// <summary>Gives back the append gate <see cref="LockAppendGate"/> took.</summary>
    public static void UnlockAppendGate(SafeFileHandle fd)
    {
        var range = new FileLockRange { Type = Unlocked, Start = AppendGateOffset, Length = 1 };
        FcntlLock(fd, OfdSetLock, ref range);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(SafeFileHandle fd, int command, ref FileLockRange range);

    /// <summary>Linux's <c>struct flock</c> (64-bit): type, whence, start, length, pid (0 for an open file description lock).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLockRange
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
        private readonly int _padding;
    }

    /// <summary><c>geteuid(2)</c>: the process's effective user id.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary><c>write(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeFileHandle fd, byte* buffer, nint count);

    /// <summary><see cref="OpenAt"/>, tried again while a signal interrupts it (<c>EINTR</c>).</summary>
    /// <param name="folder">The folder held open.</param>
    /// <param name="path">The name in it.</param>
    /// <param name="flags">The open flags.</param>
    /// <param name="mode">The mode of a file it creates.</param>
    /// <param name="errno">The error when it failed; 0 when it opened.</param>
    /// <returns>The descriptor, or -1.</returns>
    public static int OpenAtUninterrupted(SafeFileHandle folder, string path, int flags, int mode, out int errno)
    {
        int fd;
        do
        {
            fd = OpenAt(folder, path, flags, mode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (errno == EINTR);

        return fd;
    }

    /// <summary><see cref="FSync"/>, tried again while a signal interrupts it (<c>EINTR</c>).</summary>
    /// <returns>0, or -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    public static int FSyncUninterrupted(SafeFileHandle fd)
    {
        int result;
        do
        {
            result = FSync(fd);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        return result;
    }

    /// <summary><c>fsync(2)</c>, of a file or a folder.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(SafeFileHandle fd);

    /// <summary><c>AT_EMPTY_PATH</c> (Linux): <see cref="Statx"/> of the descriptor itself, its path being empty.</summary>
    public const int AtEmptyPath = 0x1000;

    /// <summary><c>STATX_TYPE | STATX_NLINK</c> (Linux): the file's type and its link count.</summary>
    public const uint StatxTypeAndLinkCount = 0x1 | 0x4;

    /// <summary><c>STATX_INO</c> (Linux): the file's inode number (with the device, always filled, which file it is).</summary>
    public const uint StatxInode = 0x100;

    /// <summary><c>STATX_UID</c> (Linux): the file's owner.</summary>
    public const uint StatxOwner = 0x8;

    /// <summary>Where <c>stx_uid</c> (32 bits) lies in <c>struct statx</c>.</summary>
    public const int StatxOwnerOffset = 20;

    /// <summary>Where <c>st_uid</c> (32 bits) lies in macOS's <c>struct stat</c>.</summary>
    public const int MacStatOwnerOffset = 16;

    /// <summary><c>AT_FDCWD</c> (Linux): a path given to <see cref="StatxPath"/> is taken as it is, not relative to a folder.</summary>
    public const int AtCurrentFolder = -100;

    /// <summary><c>AT_SYMLINK_NOFOLLOW</c> (Linux): the status of a symbolic link itself, never of its target.</summary>
    public const int AtSymbolicLinkNoFollow = 0x100;

    /// <summary>The size of <c>struct statx</c> (Linux): the same on every architecture (fixed-size fields, padded to 256 bytes).</summary>
    public const int StatxSize = 256;

    /// <summary>Where <c>stx_nlink</c> (32 bits) lies in <c>struct statx</c>.</summary>
    public const int StatxLinkCountOffset = 16;

    /// <summary>Where <c>stx_mode</c> (16 bits) lies in <c>struct statx</c>.</summary>
    public const int StatxModeOffset = 28;

    /// <summary>Where <c>stx_ino</c> (64 bits) lies in <c>struct statx</c>.</summary>
    public const int StatxInodeOffset = 32;

    /// <summary>Where <c>stx_dev_major</c> and <c>stx_dev_minor</c> (32 bits each) lie in <c>struct statx</c>.</summary>
    public const int StatxDeviceOffset = 136;

    /// <summary>
    /// The size of macOS's <c>struct stat</c> with 64-bit inode numbers (the only one on arm64, <c>fstat$INODE64</c> on
    /// x64): <c>st_dev</c> (32 bits), <c>st_mode</c> (16 bits, at 4), <c>st_nlink</c> (16 bits, at 6), ...
    /// </summary>
    public const int MacStatSize = 144;

    /// <summary>Where <c>st_mode</c> lies in macOS's <c>struct stat</c>.</summary>
    public const int MacStatModeOffset = 4;

    /// <summary>Where <c>st_nlink</c> lies in macOS's <c>struct stat</c>.</summary>
    public const int MacStatLinkCountOffset = 6;

    /// <summary>Where <c>st_ino</c> (64 bits) lies in macOS's <c>struct stat</c>; <c>st_dev</c> (32 bits) is at 0.</summary>
    public const int MacStatInodeOffset = 8;

    /// <summary><c>S_IFMT</c>, the file type bits of a mode, the same on Linux and macOS.</summary>
    public const int FileTypeMask = 0xF000;

    /// <summary><c>S_IFREG</c>, the type of a regular file, the same on Linux and macOS.</summary>
    public const int RegularFileType = 0x8000;

    /// <summary><c>F_GETFL</c>, the same on Linux and macOS.</summary>
    public const int GetStatusFlags = 3;

    /// <summary><c>F_SETFL</c>, the same on Linux and macOS.</summary>
    public const int SetStatusFlags = 4;

    /// <summary>
    /// <c>statx(2)</c> (Linux, glibc 2.28 and later): with <see cref="AtEmptyPath"/> and an empty path, the status of the
    /// open file <paramref name="fd"/>. Preferred to <c>fstat</c>, whose <c>struct stat</c> differs between x64 and Arm64.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(SafeFileHandle fd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>
    /// <c>statx(2)</c> (Linux) by path, with <see cref="AtCurrentFolder"/> and <see cref="AtSymbolicLinkNoFollow"/>: the
    /// status of whatever <paramref name="path"/> names now (a symbolic link itself), without opening it.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int StatxPath(int folder, string path, int flags, uint mask, byte* buffer);

    /// <summary><c>lstat(2)</c> on macOS arm64: the status of what a path names (a symbolic link itself).</summary>
    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MacLStat(string path, byte* buffer);

    /// <summary><c>lstat(2)</c> on macOS x64 with 64-bit inode numbers.</summary>
    [LibraryImport("libc", EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MacLStatInode64(string path, byte* buffer);

    /// <summary><c>fstat(2)</c> on macOS arm64, where <c>struct stat</c> always has 64-bit inode numbers.</summary>
    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int MacFStat(SafeFileHandle fd, byte* buffer);

    /// <summary><c>fstat(2)</c> on macOS x64 with 64-bit inode numbers (the plain symbol there fills the older layout).</summary>
    [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    public static partial int MacFStatInode64(SafeFileHandle fd, byte* buffer);

    /// <summary>
    /// <c>fcntl(2)</c> with one integer argument, on Linux only: the argument is variadic in C, which Linux's calling
    /// conventions (x64, Arm64, Arm) pass like a named one; Apple's Arm64 convention does not (see <see cref="ClearNonBlocking"/>).
    /// </summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int LinuxFcntl(SafeFileHandle fd, int command, int argument);

    /// <summary>
    /// The runtime's own <c>fcntl(F_SETFL)</c> of <c>O_NONBLOCK</c> (what its sockets and pipes use), compiled for the
    /// platform's calling convention; used on macOS, where a variadic argument cannot be passed through interop.
    /// </summary>
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FcntlSetIsNonBlocking", SetLastError = true)]
    private static partial int SystemNativeSetIsNonBlocking(SafeFileHandle fd, int isNonBlocking);

    /// <summary>
    /// Clears <c>O_NONBLOCK</c> on <paramref name="fd"/>: files are opened with it so that a FIFO planted in place of
    /// one cannot block the open, and once the file is known to be a regular file the flag must not stay set (it means
    /// nothing for a regular file today, but the descriptor should be what a plain open gives).
    /// </summary>
    /// <param name="fd">The open file.</param>
    /// <param name="path">Its path, for the error.</param>
    /// <exception cref="IOException">The flag could not be read or cleared.</exception>
    public static void ClearNonBlocking(SafeFileHandle fd, string path)
    {
        int result;
        if (Linux)
        {
            result = LinuxFcntl(fd, GetStatusFlags, 0);
            if (result >= 0 && (result & NonBlock) != 0)
            {
                result = LinuxFcntl(fd, SetStatusFlags, result & ~NonBlock);
            }
        }
        else
        {
            result = SystemNativeSetIsNonBlocking(fd, 0);
        }

        if (result < 0)
        {
            throw new IOException($"Could not clear O_NONBLOCK on '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }
}
