using Microsoft.Win32.SafeHandles;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// What the store asks of a file it opened before it reads or writes it: how many names it has, and whether it is a
/// regular file (a FIFO, a device such as <c>/dev/null</c>, a folder are not); and later, whether its path still names
/// it (<see cref="OpenFileStatus.TryOfPath"/>, compared by device and inode).
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

    [Fact]
    public void TryOfPath_PathOfTheOpenFile_IsTheSameFile()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        File.WriteAllText(path, "{}\n");
        using var handle = File.OpenHandle(path);

        OpenFileStatus.TryOfPath(path, out var named).Should().BeTrue();

        named.IsSameFileAs(OpenFileStatus.Of(handle)).Should().BeTrue();
        (named.LinkCount, named.IsRegularFile).Should().Be((1L, true));
        named.Inode.Should().NotBe(0UL);
    }

    [Fact]
    public void TryOfPath_AnotherFileWithTheSameContent_IsNotTheSameFile()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        var other = Path.Combine(folder.Path, "other.jsonl");
        File.WriteAllText(path, "{}\n");
        File.WriteAllText(other, "{}\n");
        using var handle = File.OpenHandle(path);

        OpenFileStatus.TryOfPath(other, out var named).Should().BeTrue();

        named.IsSameFileAs(OpenFileStatus.Of(handle)).Should().BeFalse();
    }

    [Fact]
    public void TryOfPath_SecondNameOfTheOpenFile_IsTheSameFileWithTwoLinks()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        var second = Path.Combine(folder.Path, "second-name");
        File.WriteAllText(path, "{}\n");
        using var handle = File.OpenHandle(path);
        UnixFiles.HardLink(path, second);

        OpenFileStatus.TryOfPath(second, out var named).Should().BeTrue();

        named.IsSameFileAs(OpenFileStatus.Of(handle)).Should().BeTrue();
        named.LinkCount.Should().Be(2);
    }

    [Fact]
    public void TryOfPath_SymbolicLinkToTheOpenFile_IsTheLinkItselfNotItsTarget()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "day.jsonl");
        var link = Path.Combine(folder.Path, "link.jsonl");
        File.WriteAllText(path, "{}\n");
        File.CreateSymbolicLink(link, path);
        using var handle = File.OpenHandle(path);

        OpenFileStatus.TryOfPath(link, out var named).Should().BeTrue();

        named.IsSameFileAs(OpenFileStatus.Of(handle)).Should().BeFalse();
        named.IsRegularFile.Should().BeFalse();
    }

    [Theory]
    [InlineData("missing.jsonl")]
    [InlineData("file.jsonl/below")]
    public void TryOfPath_NothingThere_IsFalse(string name)
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "file.jsonl"), "");

        OpenFileStatus.TryOfPath(Path.Combine(folder.Path, name), out _).Should().BeFalse();
    }

    private static SafeFileHandle OpenWithoutWaiting(string path, int flags)
    {
        var fd = UnixFileNativeMethods.Open(path, flags | UnixFileNativeMethods.NonBlock | UnixFileNativeMethods.CloseOnExec, 0);
        fd.Should().BeGreaterThanOrEqualTo(0);
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
