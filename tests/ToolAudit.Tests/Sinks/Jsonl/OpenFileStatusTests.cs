using Microsoft.Win32.SafeHandles;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// What the store asks of a file it opened before it reads or writes it: how many names it has, and whether it is a
/// regular file (a FIFO, a device such as <c>/dev/null</c>, a folder are not).
/// </summary>
public sealed class OpenFileStatusTests
{
    [Fact]
    public void Of_RegularFileWithOneName_IsRegularWithOneLink()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        File.WriteAllText(path, "{}\n");
        using var handle = File.OpenHandle(path);

        var status = OpenFileStatus.Of(handle);

        (status.LinkCount, status.IsRegularFile).Should().Be((1L, true));
    }

    [Fact]
    public void Of_FileWithASecondName_CountsBothNames()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        File.WriteAllText(path, "{}\n");
        UnixFiles.HardLink(path, Path.Combine(folder.Path, "second-name"));
        using var handle = File.OpenHandle(path);

        var status = OpenFileStatus.Of(handle);

        (status.LinkCount, status.IsRegularFile).Should().Be((2L, true));
    }

    [Fact]
    public void Of_Fifo_IsNotRegular()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        UnixFiles.MakeFifo(path);
        using var handle = OpenWithoutWaiting(path, UnixFileNativeMethods.ReadOnly);

        OpenFileStatus.Of(handle).IsRegularFile.Should().BeFalse();
    }

    [Fact]
    public void Of_DevNull_IsNotRegular()
    {
        // A character device that can seek and has a size (0): what a test of seeking would take for a regular file.
        using var handle = OpenWithoutWaiting("/dev/null", UnixFileNativeMethods.ReadWrite);

        OpenFileStatus.Of(handle).IsRegularFile.Should().BeFalse();
    }

    [Fact]
    public void Of_Folder_IsNotRegular()
    {
        using var folder = new TempFolder();
        using var handle = OpenWithoutWaiting(folder.Path, UnixFileNativeMethods.ReadOnly | UnixFileNativeMethods.Directory);

        OpenFileStatus.Of(handle).IsRegularFile.Should().BeFalse();
    }

    private static SafeFileHandle OpenWithoutWaiting(string path, int flags)
    {
        var fd = UnixFileNativeMethods.Open(path, flags | UnixFileNativeMethods.NonBlock | UnixFileNativeMethods.CloseOnExec, 0);
        fd.Should().BeGreaterThanOrEqualTo(0);
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
