using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// With <see cref="JsonlAuditOptions.FlushToDisk"/>, a line is durable only if the file it is in can be found after a
/// power loss: the store flushes the folder entries of every file and folder it creates, up to the root, once.
/// </summary>
public sealed class JsonlFolderDurabilityTests
{
    private static readonly DateOnly Day = new(2026, 12, 2);
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FirstWriteOfANewUser_FlushesTheRootTheUsersFolderAndItsAuditFolder_ThenNothingMore()
    {
        using var temp = new TempFolder();
        var root = Path.Combine(temp.Path, "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root, FlushToDisk = true });
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;
        var auditFolder = Path.GetDirectoryName(store.GetFilePath("alice", Day))!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;

        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        flushed.Should().BeEquivalentTo([temp.Path, store.Root, userFolder, auditFolder], "each holds a new entry: the root, alice's folder, tool_audit, the day file");
        flushed.Should().OnlyHaveUniqueItems();

        flushed.Clear();
        await store.WriteAsync([Entries.At(At.AddMinutes(1), "alice")], CancellationToken.None);
        flushed.Should().BeEmpty("nothing new was created");

        await store.WriteAsync([Entries.At(At.AddDays(1), "alice")], CancellationToken.None);
        flushed.Should().Equal([auditFolder], "only the next day's file is new");
    }

    [Fact]
    public async Task HashedUser_FlushesTheFolderOfItsNameFileToo()
    {
        using var temp = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = temp.Path, FlushToDisk = true });
        var user = new string('u', 200);
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;
        var auditFolder = Path.GetDirectoryName(store.GetFilePath(user, Day))!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;

        await store.WriteAsync([Entries.At(At, user)], CancellationToken.None);

        flushed.Should().BeEquivalentTo([store.Root, userFolder, auditFolder]);
        File.Exists(Path.Combine(userFolder, ".user")).Should().BeTrue();
    }

    [Fact]
    public async Task DayFileCreatedButItsOpenThenFailed_TheNextWriteFlushesItsFolder()
    {
        // The day file was created, then something after its creation failed (here the test hook; in life a refused
        // fchmod or fstat): the next open finds the file there, but its folder's entry for it was never flushed.
        using var temp = new TempFolder();
        var root = Path.Combine(temp.Path, "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root, FlushToDisk = true });
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;
        var dayFile = store.GetFilePath("alice", Day);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;
        var fail = true;
        store.DayFileOpenedHook = _ =>
        {
            if (fail)
            {
                fail = false;
                throw new IOException("Failed once, after the day file was created.");
            }
        };

        var first = async () => await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);
        await first.Should().ThrowAsync<IOException>();
        File.Exists(dayFile).Should().BeTrue("the failure came after the file was created");
        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        flushed.Should().BeEquivalentTo([temp.Path, store.Root, userFolder, auditFolder], "every folder that gained an entry is flushed before a line relies on it");
        flushed.Should().OnlyHaveUniqueItems();
        AuditFiles.Lines(dayFile).Should().ContainSingle();
    }

    [Fact]
    public async Task FoldersMadeForADayFileThatFailed_AreFlushedForTheNextDayFileInThem()
    {
        // The first day's file cannot be opened (the store made the user's folders for it first); the next day's
        // file is opened in those same folders, so their entries must reach the disk before its lines rely on them.
        using var temp = new TempFolder();
        var root = Path.Combine(temp.Path, "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root, FlushToDisk = true });
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;
        var dayFile = store.GetFilePath("alice", Day);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;
        store.BeforeFileOpenHook = path =>
        {
            if (path == dayFile)
            {
                Directory.CreateDirectory(dayFile); // a folder in the day file's place: it cannot be opened
            }
        };

        var first = async () => await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);
        await first.Should().ThrowAsync<IOException>();
        await store.WriteAsync([Entries.At(At.AddDays(1), "alice")], CancellationToken.None);

        flushed.Should().BeEquivalentTo([temp.Path, store.Root, userFolder, auditFolder], "the root, alice's folder and tool_audit were new, and so is the next day's file");
        flushed.Should().OnlyHaveUniqueItems();
        AuditFiles.Lines(store.GetFilePath("alice", Day.AddDays(1))).Should().ContainSingle();
    }

    [Fact]
    public async Task FileMadeByAnotherProcess_IsOpenedWithoutFlushingItsFolder()
    {
        using var temp = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = temp.Path, FlushToDisk = true });
        var path = store.GetFilePath("alice", Day);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, string.Empty);
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;

        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        flushed.Should().BeEmpty();
        AuditFiles.Lines(path).Should().ContainSingle();
    }

    [Fact]
    public async Task WithoutFlushToDisk_NoFolderIsFlushed()
    {
        using var temp = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = temp.Path });
        var flushed = new List<string>();
        store.FolderFlushedHook = flushed.Add;

        await store.WriteAsync([Entries.At(At, "alice")], CancellationToken.None);

        flushed.Should().BeEmpty();
        AuditFiles.Lines(store.GetFilePath("alice", Day)).Should().ContainSingle();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task NewFilesAndFolders_AreForOwnerAndGroupOnly_0640And0750()
    {
        using var temp = new TempFolder();
        var root = Path.Combine(temp.Path, "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root });
        var user = new string('u', 200);

        await store.WriteAsync([Entries.At(At, "alice"), Entries.At(At, user)], CancellationToken.None);

        const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute;
        foreach (var name in new[] { "alice", user })
        {
            var dayFile = store.GetFilePath(name, Day);
            File.GetUnixFileMode(dayFile).Should().Be(FileMode, dayFile);
            File.GetUnixFileMode(Path.GetDirectoryName(dayFile)!).Should().Be(FolderMode);
            File.GetUnixFileMode(Path.GetDirectoryName(Path.GetDirectoryName(dayFile))!).Should().Be(FolderMode);
        }

        File.GetUnixFileMode(root).Should().Be(FolderMode);
        File.GetUnixFileMode(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(user, Day)))!, ".user")).Should().Be(FileMode);
    }
}
