using System.Text;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A store that opens a day file checks whether its last line was torn, and writes a newline first if so. Another
/// process's large append, caught half written by that check, is no torn line: the check waits for it (the appender
/// holds a shared <c>flock</c>, the check an exclusive one), so no blank line is left between the two.
/// </summary>
public sealed class JsonlTornTailLockTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Open_WhileAnotherWriterIsHalfWayThroughAnAppend_WaitsForItAndWritesNoNewline()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/locks tells when the store waits; the lock itself is taken on macOS too.
        }

        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var path = store.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime));
        var otherLine = """{"ts":"2025-03-04T09:00:00.000+00:00","user":"alice","tool":"other","status":"ok","result_chars":0}""";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);

        var done = false;
        Thread? appender = null;
        store.DayFileOpenedHook = opened =>
        {
            // Another writer, mid-way through one append: its first bytes are in the file, the rest still to come.
            var other = File.OpenHandle(opened, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            UnixFileNativeMethods.FlockUninterrupted(other, UnixFileNativeMethods.LockShared).Should().BeTrue();
            RandomAccess.Write(other, Encoding.UTF8.GetBytes(otherLine[..40]), 0);
            var inode = UnixFiles.Inode(opened);
            appender = new Thread(() =>
            {
                // Until the store waits for the lock (or, without one, has written its line).
                while (!Volatile.Read(ref done) && !IsWaitedFor(inode))
                {
                    Thread.Yield();
                }

                // At the end, as an append is: after the store's line, had the store not waited.
                RandomAccess.Write(other, Encoding.UTF8.GetBytes(otherLine[40..] + "\n"), RandomAccess.GetLength(other));
                UnixFileNativeMethods.Flock(other, UnixFileNativeMethods.Unlock);
                other.Dispose();
            });
            appender.Start();
        };

        await store.WriteAsync([Entries.At(Now, tool: "mine", sequence: 1)], default);
        Volatile.Write(ref done, true);
        appender!.Join();

        var lines = File.ReadAllText(path).Split('\n');
        lines.Should().HaveCount(3).And.Subject.Last().Should().BeEmpty("every line ends with its newline");
        lines[0].Should().Be(otherLine, "the other writer's line is whole");
        lines[1].Should().Contain("\"tool\":\"mine\"", "no blank line stands between them");
    }

    /// <summary>Whether a <c>flock</c> on the file with inode <paramref name="inode"/> is waited for (a "->" line of /proc/locks).</summary>
    private static bool IsWaitedFor(ulong inode) =>
        File.ReadAllLines("/proc/locks").Any(line => line.Contains("->", StringComparison.Ordinal)
            && line.Contains("FLOCK", StringComparison.Ordinal)
            && line.Contains($":{inode} ", StringComparison.Ordinal));
}
