using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>The libc calls behind <see cref="AppendOnlyFile"/> on Linux and macOS.</summary>
internal static unsafe partial class UnixFileNativeMethods
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeFileHandle fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(SafeFileHandle fd);
}
