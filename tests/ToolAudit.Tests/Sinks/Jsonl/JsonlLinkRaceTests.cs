using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Races against the store's opens: a folder swapped for a symbolic link after the store made it and before it opens
/// the file inside, or a day file replaced just after it was opened; and the same swaps just before a purge deletes a
/// day file. The store holds each folder open and opens (or deletes) the next level through it, so the link is never
/// followed and the file it writes or deletes is the one it opened and checked.
/// </summary>
public sealed class JsonlLinkRaceTests : IDisposable
{
    private const string Precious = "{\"precious\":true}\n";

    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Day = DateOnly.FromDateTime(At.UtcDateTime);
    private static readonly string LongUser = new('x', 200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new();
    private readonly string _root;
    private readonly string _outside;

    public JsonlLinkRaceTests()
    {
        _root = Path.Combine(_folder.Path, "audit");
        _outside = Path.Combine(_folder.Path, "outside");
        Directory.CreateDirectory(_root);

        // A tool_audit folder outside too, so that an open through a swapped user folder would succeed there.
        Directory.CreateDirectory(Path.Combine(_outside, "tool_audit"));
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task WriteAsync_FolderSwappedForALinkJustBeforeTheDayFileIsOpened_WritesIntoTheFolderItMadeNeverThroughTheLink(bool userFolder, bool flushToDisk)
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root, FlushToDisk = flushToDisk });
        var dayFile = store.GetFilePath("alice", Day);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var swapped = userFolder ? Path.GetDirectoryName(auditFolder)! : auditFolder;
        string? moved = null;
        store.BeforeFileOpenHook = path =>
        {
            if (path == dayFile)
            {
                moved ??= SwapForLink(swapped);
            }
        };

        await store.WriteAsync([Entries.At(At, "alice"), Entries.At(At, "bob")], CancellationToken.None);

        Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories).Should().Equal([Path.Combine(_outside, "tool_audit")], "nothing is written through the link");
        moved.Should().NotBeNull();
        var written = userFolder ? Path.Combine(moved!, "tool_audit", Path.GetFileName(dayFile)) : Path.Combine(moved!, Path.GetFileName(dayFile));
        AuditFiles.Lines(written).Should().ContainSingle("alice's line is in the folder the store made, wherever that went").Which.Should().Contain("\"user\":\"alice\"");
        new FileInfo(swapped).LinkTarget.Should().Be(_outside, "the link is left for the admin to see");
        AuditFiles.Lines(store.GetFilePath("bob", Day)).Should().ContainSingle();
    }

    [Fact]
    public async Task WriteAsync_UserFolderSwappedForALinkJustBeforeItsNameFileIsCreated_CreatesNothingThroughTheLink()
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        var dayFile = store.GetFilePath(LongUser, Day);
        var userFolder = Path.GetDirectoryName(Path.GetDirectoryName(dayFile))!;
        var seen = new List<string>();
        string? moved = null;
        store.BeforeFileOpenHook = path =>
        {
            seen.Add(path);
            moved ??= SwapForLink(userFolder);
        };

        await store.WriteAsync([Entries.At(At, LongUser)], CancellationToken.None);

        seen.Should().StartWith(Path.Combine(userFolder, ".user"));
        Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories).Should().Equal([Path.Combine(_outside, "tool_audit")], "nothing is written through the link");
        (await File.ReadAllTextAsync(Path.Combine(moved!, ".user"))).Should().Be(LongUser);
        AuditFiles.Lines(Path.Combine(moved!, "tool_audit", Path.GetFileName(dayFile))).Should().ContainSingle();
    }

    [Fact]
    public async Task WriteAsync_AuditFolderMovedJustBeforeTheDayFileIsOpened_WithFlushToDisk_FlushesTheFoldersItHoldsOpen()
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root, FlushToDisk = true });
        var dayFile = store.GetFilePath("alice", Day);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;
        var moved = auditFolder + ".moved";
        store.BeforeFileOpenHook = path => Directory.Move(auditFolder, moved);

        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        AuditFiles.Lines(Path.Combine(moved, Path.GetFileName(dayFile))).Should().ContainSingle();
        Directory.Exists(auditFolder).Should().BeFalse("nothing recreated it by its path");
        flushed.Should().BeEquivalentTo([store.Root, Path.GetDirectoryName(auditFolder)!, auditFolder], "each was flushed through the folder held open, not reopened by a path that no longer leads to it");
    }

    [Theory]
    [InlineData("{\"torn\":", "{}\n")]
    [InlineData("{}\n", "{\"torn\":")]
    public async Task WriteAsync_DayFileReplacedJustAfterItIsOpened_EndsATornLineOfTheFileOpenedNotOfItsReplacement(string opened, string replacement)
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        var dayFile = store.GetFilePath("alice", Day);
        AuditFiles.Write(dayFile, opened);
        var kept = Path.Combine(Path.GetDirectoryName(dayFile)!, "kept.txt");
        store.DayFileOpenedHook = path =>
        {
            File.Move(dayFile, kept);
            File.WriteAllText(dayFile, replacement);
        };

        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        var lines = AuditFiles.Lines(kept);
        lines.Should().HaveCount(2, "the torn line is ended before the new one, and a whole one gets no empty line after it");
        lines[0].Should().Be(opened.TrimEnd('\n'));
        lines[1].Should().Contain("\"user\":\"alice\"");
        (await File.ReadAllTextAsync(dayFile)).Should().Be(replacement);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PurgeAsync_FolderSwappedForALinkJustBeforeADayFileIsDeleted_DeletesNothingThroughTheLink(bool userFolder)
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);
        var dayFile = store.GetFilePath("alice", Day);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var swapped = userFolder ? Path.GetDirectoryName(auditFolder)! : auditFolder;

        // The file a delete through the link would hit: the same relative name in the link's target.
        var outsideTwin = userFolder ? Path.Combine(_outside, "tool_audit", Path.GetFileName(dayFile)) : Path.Combine(_outside, Path.GetFileName(dayFile));
        await File.WriteAllTextAsync(outsideTwin, Precious);
        var outsideBefore = OutsideEntries();
        string? moved = null;
        store.BeforeFileDeleteHook = path =>
        {
            if (path == dayFile)
            {
                moved ??= SwapForLink(swapped);
            }
        };

        var purged = await Task.Run(() => store.PurgeAsync(At.AddDays(2)).AsTask()).WaitAsync(Patience);

        moved.Should().NotBeNull("the link was planted just before the delete");
        (await File.ReadAllTextAsync(outsideTwin)).Should().Be(Precious, "the file outside the root is not deleted through the link");
        OutsideEntries().Should().Equal(outsideBefore, "nothing outside the root is deleted");
        new FileInfo(swapped).LinkTarget.Should().Be(_outside, "the link is left for the admin to see");
        var held = userFolder ? Path.Combine(moved!, "tool_audit", Path.GetFileName(dayFile)) : Path.Combine(moved!, Path.GetFileName(dayFile));
        File.Exists(held).Should().BeFalse("the file deleted is the one in the folder the purge checked and held open, wherever that went");
        purged.Should().Be(1);
    }

    [Fact]
    public async Task PurgeAsync_DayFileSwappedForALinkJustBeforeItIsDeleted_LeavesTheLinkAndItsTarget()
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);
        var dayFile = store.GetFilePath("alice", Day);
        var target = Path.Combine(_outside, "precious.jsonl");
        await File.WriteAllTextAsync(target, Precious);
        store.BeforeFileDeleteHook = path =>
        {
            File.Delete(dayFile);
            File.CreateSymbolicLink(dayFile, target);
        };

        var purged = await Task.Run(() => store.PurgeAsync(At.AddDays(2)).AsTask()).WaitAsync(Patience);

        (await File.ReadAllTextAsync(target)).Should().Be(Precious);
        new FileInfo(dayFile).LinkTarget.Should().Be(target, "a linked day file is skipped and left, as one there before the purge");
        purged.Should().Be(0, "nothing was deleted");
    }

    /// <summary>Moves <paramref name="folder"/> aside and puts a link to the outside folder in its place; returns where it went.</summary>
    private string SwapForLink(string folder)
    {
        var moved = folder + ".moved";
        Directory.Move(folder, moved);
        Directory.CreateSymbolicLink(folder, _outside);
        return moved;
    }

    private List<string> OutsideEntries() =>
        Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
}
