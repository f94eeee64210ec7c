using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// The folders of the audit tree, opened level by level through the one above: a root that is the file system's root
/// (or ends in a separator) works, and a name that is not one folder name is refused before anything is opened.
/// </summary>
public sealed class FolderHandleTests
{
    [Fact]
    public void OpenRoot_TheFileSystemsRoot_OpensItAndTheLevelsBelowWithoutALeadingDoubleSeparator()
    {
        // Only opens: /usr exists on Linux and macOS, so nothing is created in the real root.
        using var root = FolderHandle.OpenRoot("/", out var created);
        using var usr = root.OpenFolder("usr", out var usrCreated);

        created.Should().BeFalse();
        usrCreated.Should().BeFalse();
        usr.Path.Should().Be("/usr");
        root.PathOf("alice").Should().Be("/alice");
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("/etc")]
    [InlineData("a\0b")]
    public void OpenFolder_NotOneFolderName_IsRefusedAndNothingIsCreated(string name)
    {
        using var temp = new TempFolder();
        using var root = FolderHandle.OpenRoot(temp.Path, out _);

        FluentActions.Invoking(() => root.OpenFolder(name, out _)).Should().Throw<InvalidOperationException>().WithMessage("*could lead out of the audit root*");
        Directory.EnumerateFileSystemEntries(temp.Path).Should().BeEmpty();
    }
}
