using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A store that opens a day file checks whether its last line was torn, and writes a newline first if so. Another
/// process's large append, caught half written by that check, is no torn line: the check waits for it (the appender
/// holds the file's append gate shared, the check exclusively: an open file description lock), so no blank line is
/// left between the two; but only so long: a reader that keeps the gate held delays an open by the patience, not for
/// ever. .NET's own <c>flock</c> locks (its <see cref="FileShare"/>) never meet the gate.
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
        var waited = false;
        Thread? appender = null;
        store.AppendGateHeldHook = _ => Volatile.Write(ref waited, true);
        store.DayFileOpenedHook = opened =>
        {
            // Another writer, mid-way through one append: its first bytes are in the file, the rest still to come.
            var other = File.OpenHandle(opened, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            UnixFileNativeMethods.LockAppendGate(other, exclusive: false).Should().BeTrue();
            RandomAccess.Write(other, Encoding.UTF8.GetBytes(otherLine[..40]), 0);
            appender = new Thread(() =>
            {
                // Until the store finds the gate held (or, without one, has written its line).
                while (!Volatile.Read(ref done) && !Volatile.Read(ref waited))
                {
                    Thread.Yield();
                }

                // At the end, as an append is: after the store's line, had the store not waited.
                RandomAccess.Write(other, Encoding.UTF8.GetBytes(otherLine[40..] + "\n"), RandomAccess.GetLength(other));
                UnixFileNativeMethods.UnlockAppendGate(other);
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

    [Fact]
    public async Task Open_WhileAReaderHoldsTheGateAsLongAsItLikes_WaitsOnlyItsPatienceWritesAndWarns()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the gate is a Linux lock
        }

        // Anyone who can read a day file can take a read lock on the gate's byte (a read-only descriptor suffices) and
        // keep it: a store that waited for it would hold every entry back, its write lock taken.
        using var folder = new TempFolder();
        var logger = new FakeLogger<JsonlAuditStore>();
        using var first = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await first.WriteAsync([Entries.At(Now, sequence: 1)], default);
        var path = first.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime));
        using var reader = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        UnixFileNativeMethods.LockAppendGate(reader, exclusive: false).Should().BeTrue("a read-only descriptor takes a read lock");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }, logger) { AppendGatePatience = TimeSpan.FromMilliseconds(50) };
        var attempts = 0;
        store.AppendGateHeldHook = _ => Interlocked.Increment(ref attempts);

        try
        {
            // Bounded: a store that waited for the reader would wait until the lock is given back (below).
            await Task.Run(async () => await store.WriteAsync([Entries.At(Now.AddSeconds(1), sequence: 2)], default)).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            UnixFileNativeMethods.UnlockAppendGate(reader);
        }

        AuditFiles.Lines(path).Should().HaveCount(2, "the entry is written, with no blank line: the file ended whole");
        Volatile.Read(ref attempts).Should().BeGreaterThan(1, "the gate was asked for again while held");
        var warning = logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (warning.Level, warning.Id.Id).Should().Be((LogLevel.Warning, 19));
        warning.Message.Should().Contain(path);
    }

    [Fact]
    public async Task WriteAsync_WhileADotNetReaderHoldsTheDayFileOpen_NeitherWaitsNorRefusesIt()
    {
        // .NET locks the files it opens with flock (FileShare): a reader holding a day file open, and one that opens it
        // while the store checks it, must neither hold the store back nor be refused.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, MaxOpenFiles = 1 });
        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);
        var path = store.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime));
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var exclusive = new FileStream(Path.Combine(folder.Path, "other.txt"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        // Another user's file first, so that alice's is closed (MaxOpenFiles = 1) and opened, and checked, again. Bounded:
        // a store that waited for the reader would wait until the reader closed the file.
        var writes = Task.Run(async () =>
        {
            await store.WriteAsync([Entries.At(Now, user: "bob", sequence: 2)], default);
            await store.WriteAsync([Entries.At(Now.AddSeconds(1), sequence: 3)], default);
        });
        await writes.WaitAsync(TimeSpan.FromSeconds(30));

        AuditFiles.Lines(path).Should().HaveCount(2);
    }

    [Fact]
    public async Task Append_WhileAnotherStoreChecksTheFile_WaitsForTheCheck()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Each append holds a shared lock, so that a store checking the file's last byte (under an exclusive one) never
        // sees an append half written: while another holds the exclusive lock, the append waits.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);
        var path = store.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime));
        var inode = UnixFiles.Inode(path);
        using var checker = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        UnixFileNativeMethods.LockAppendGate(checker, exclusive: true).Should().BeTrue();

        var append = Task.Run(async () => await store.WriteAsync([Entries.At(Now.AddSeconds(1), sequence: 2)], default));
        while (!append.IsCompleted && !IsWaitedFor(inode))
        {
            Thread.Yield();
        }

        append.IsCompleted.Should().BeFalse("the append waits for the check's lock");
        AuditFiles.Lines(path).Should().HaveCount(1, "a .NET reader opens the file meanwhile: the gate is no flock");
        UnixFileNativeMethods.UnlockAppendGate(checker);
        await append;
        AuditFiles.Lines(path).Should().HaveCount(2);
    }

    /// <summary>Whether an open file description lock on the file with inode <paramref name="inode"/> is waited for (a "->" line of /proc/locks).</summary>
    private static bool IsWaitedFor(ulong inode) =>
        File.ReadAllLines("/proc/locks").Any(line => line.Contains("->", StringComparison.Ordinal)
            && line.Contains("OFDLCK", StringComparison.Ordinal)
            && line.Contains($":{inode} ", StringComparison.Ordinal));
}
