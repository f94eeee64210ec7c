using System.Runtime.InteropServices;

namespace ToolAudit.Tests.Support;

/// <summary>
/// What tests plant in an audit tree on Linux (the CI's system): hard links (<c>link(2)</c>) and FIFOs, and a look at
/// the status flags of a descriptor the store holds open (<c>fcntl(F_GETFL)</c>, found through <c>/proc/self/fd</c>).
/// </summary>
public static partial class UnixFiles
{
    /// <summary><c>O_NONBLOCK</c> on Linux (x86, x64, Arm, Arm64).</summary>
    public const int NonBlock = 0x800;

    private const int GetStatusFlags = 3; // F_GETFL

    /// <summary>Makes <paramref name="newName"/> a second name of the file <paramref name="existing"/> (both on one file system).</summary>
    public static void HardLink(string existing, string newName)
    {
        if (Link(existing, newName) != 0)
        {
            throw new IOException($"link('{existing}', '{newName}') failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }

    /// <summary>The inode number of the file at <paramref name="path"/>, from <c>stat -c %i</c>.</summary>
    public static ulong Inode(string path) => ulong.Parse(Run("stat", "-c", "%i", path), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many names the file at <paramref name="path"/> has (its link count), from <c>stat -c %h</c>.</summary>
    public static int LinkCount(string path) => int.Parse(Run("stat", "-c", "%h", path), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gives the file or folder at <paramref name="path"/> (not a link's target) to the user <paramref name="uid"/>; root only.</summary>
    public static void Chown(string path, int uid) => Run("chown", "-h", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path);

    /// <summary>Makes the file or folder at <paramref name="path"/> immutable (<c>chattr +i</c>), or not again; root only, on ext2/3/4 and the like.</summary>
    public static void SetImmutable(string path, bool immutable) => Run("chattr", immutable ? "+i" : "-i", path);

    /// <summary>Whether this process runs as root (effective user id 0): only root gives files to other users.</summary>
    public static bool IsRoot => GetEffectiveUserId() == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    /// <summary>Makes a FIFO at <paramref name="path"/>.</summary>
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>
    /// The status flags (<c>fcntl(F_GETFL)</c>) of every descriptor this process holds open on <paramref name="path"/>;
    /// empty when none is open.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IReadOnlyList<int> StatusFlagsOfOpen(string path)
    {
        var flags = new List<int>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            if (target == path && int.TryParse(Path.GetFileName(entry), out var fd))
            {
                var got = Fcntl(fd, GetStatusFlags, 0);
                if (got >= 0)
                {
                    flags.Add(got);
                }
            }
        }

        return flags;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}.");
        }

        return output.Trim();
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string newName);

    // F_GETFL takes no third argument; Linux passes a variadic int like any other, so the declaration is safe there.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
