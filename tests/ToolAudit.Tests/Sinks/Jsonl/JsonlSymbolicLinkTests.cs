using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A symbolic link planted under the audit root (in place of a day file, a user's folder, its <c>tool_audit</c> folder
/// or a hashed folder's <c>.user</c> file) is refused, never followed: nothing is written outside the root through it,
/// the entries meant for it are counted failed, and other users' entries in the same batch are still written.
/// </summary>
public sealed partial class JsonlSymbolicLinkTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);
    private static readonly DateOnly Yesterday = Today.AddDays(-1);
    private static readonly string LongUser = new('x', 200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new();
    private readonly string _root;
    private readonly string _outside;

    public JsonlSymbolicLinkTests()
    {
        _root = _folder.Subfolder("audit");
        _outside = _folder.Subfolder("outside");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DayFileIsALink_NothingIsAppendedToItsTargetAndTheEntryIsCountedFailed()
    {
        var target = Path.Combine(_outside, "precious.txt");
        await File.WriteAllTextAsync(target, "not an audit file\n");
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        File.CreateSymbolicLink(dayFile, target);

        var counters = await RecordAliceAndBobAsync(store);

        (await File.ReadAllTextAsync(target)).Should().Be("not an audit file\n");
        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        new FileInfo(dayFile).LinkTarget.Should().Be(target, "the link is left for the admin to see");
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task OneFileOfABatchFails_EachCallIsCountedAndAnsweredByItsOwnFile()
    {
        var target = Path.Combine(_outside, "precious.txt");
        await File.WriteAllTextAsync(target, "not an audit file\n");
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        File.CreateSymbolicLink(dayFile, target);
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));

        // The writer holds carol's call while alice's and bob's queue up, so that theirs are one batch.
        using var hold = new ManualResetEventSlim(false);
        using var entered = new SemaphoreSlim(0);
        var runs = 0;
        recorder.BeforePrepareHook = () =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                entered.Release();
                hold.Wait(Patience);
            }
        };
        recorder.Record(Calls.Typical(user: "carol", sequence: 0));
        (await entered.WaitAsync(Patience)).Should().BeTrue("the writer takes carol's call");
        var alice = recorder.RecordDurableAsync(Calls.Typical(user: "alice", sequence: 1)).AsTask();
        var bob = recorder.RecordDurableAsync(Calls.Typical(user: "bob", sequence: 2)).AsTask();
        hold.Set();

        await FluentActions.Awaiting(() => alice.WaitAsync(Patience)).Should().ThrowAsync<AuditWriteException>();
        await bob.WaitAsync(Patience);
        await recorder.FlushAsync();
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 2, Dropped: 0, Failed: 1, Pending: 0));
        Volatile.Read(ref runs).Should().Be(2, "alice's and bob's calls were one batch");
        await BobIsOnRecordAsync(store);
        (await File.ReadAllTextAsync(target)).Should().Be("not an audit file\n");
    }

    [Fact]
    public async Task UserFolderIsALink_NothingIsCreatedInItsTarget()
    {
        using var store = NewStore();
        var userFolder = Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath("alice", Today)))!;
        Directory.CreateSymbolicLink(userFolder, _outside);

        var counters = await RecordAliceAndBobAsync(store);

        Directory.EnumerateFileSystemEntries(_outside).Should().BeEmpty();
        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task AuditFolderIsALink_NothingIsCreatedInItsTarget()
    {
        using var store = NewStore();
        var auditFolder = Path.GetDirectoryName(store.GetFilePath("alice", Today))!;
        Directory.CreateDirectory(Path.GetDirectoryName(auditFolder)!);
        Directory.CreateSymbolicLink(auditFolder, _outside);

        var counters = await RecordAliceAndBobAsync(store);

        Directory.EnumerateFileSystemEntries(_outside).Should().BeEmpty();
        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task NameFileIsADanglingLink_ItsTargetIsNotCreated()
    {
        using var store = NewStore();
        var userFolder = Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(LongUser, Today)))!;
        Directory.CreateDirectory(userFolder);
        var nameFile = Path.Combine(userFolder, ".user");
        var target = Path.Combine(_outside, "created-through-the-link");
        File.CreateSymbolicLink(nameFile, target);

        var counters = await RecordAsync(store, LongUser, "bob");

        File.Exists(target).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_outside).Should().BeEmpty();
        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        await BobIsOnRecordAsync(store);
    }

    [Theory]
    [InlineData("user folder")]
    [InlineData("tool_audit folder")]
    [InlineData("day file")]
    [InlineData(".user file")]
    public async Task WriteAsync_LinkAtAnyLevelBelowTheRoot_ThrowsTheLinkRefusalNamingIt(string level)
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath(LongUser, Today);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;
        var link = level switch
        {
            "user folder" => userFolder,
            "tool_audit folder" => auditFolder,
            "day file" => dayFile,
            _ => Path.Combine(userFolder, ".user"),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (level.EndsWith("folder", StringComparison.Ordinal))
        {
            Directory.CreateSymbolicLink(link, _outside);
        }
        else
        {
            File.CreateSymbolicLink(link, Path.Combine(_outside, "target"));
        }

        var write = () => store.WriteAsync([Entries.At(Now, LongUser)], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should().Be(
            $"Refusing to use '{link}': it is a symbolic link, and the audit store never follows links out of its folders.");
        Directory.EnumerateFileSystemEntries(_outside).Should().BeEmpty();
    }

    [Fact]
    public async Task HashedUserWithoutLinks_NameFileIsWrittenOnceAndTheEntryReadsBack()
    {
        using var store = NewStore();

        var counters = await RecordAsync(store, LongUser, LongUser);

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 2, Dropped: 0, Failed: 0, Pending: 0));
        var userFolder = Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(LongUser, Today)))!;
        (await File.ReadAllTextAsync(Path.Combine(userFolder, ".user"))).Should().Be(LongUser);
        (await store.ReadRecentAsync(LongUser, timeProvider: new FakeTimeProvider(Now))).Should().HaveCount(2).And.OnlyContain(e => e.User == LongUser);
    }

    [Fact]
    public async Task RootIsALink_TheHostsChoiceIsFollowed()
    {
        var linkedRoot = Path.Combine(_folder.Path, "linked-root");
        Directory.CreateSymbolicLink(linkedRoot, _outside);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = linkedRoot });

        var counters = await RecordAliceAndBobAsync(store);

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 2, Dropped: 0, Failed: 0, Pending: 0));
        Directory.EnumerateFiles(_outside, "*.jsonl", SearchOption.AllDirectories).Should().HaveCount(2);
    }

    [Fact]
    public async Task Purge_LinksPlantedAsAUserFolderAToolAuditFolderOrADayFile_DeletesNothingOutsideTheRoot()
    {
        Directory.CreateDirectory(Path.Combine(_outside, "tool_audit"));
        var throughUserFolder = Path.Combine(_outside, "tool_audit", "2020-01-01.jsonl");
        var throughAuditFolder = Path.Combine(_outside, "2021-05-05.jsonl");
        var throughDayFile = Path.Combine(_outside, "precious.jsonl");
        foreach (var file in new[] { throughUserFolder, throughAuditFolder, throughDayFile })
        {
            await File.WriteAllTextAsync(file, "{\"precious\":true}\n");
        }

        Directory.CreateSymbolicLink(Path.Combine(_root, "mallory"), _outside);
        Directory.CreateDirectory(Path.Combine(_root, "trudy"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "trudy", "tool_audit"), _outside);
        Directory.CreateDirectory(Path.Combine(_root, "eve", "tool_audit"));
        File.CreateSymbolicLink(Path.Combine(_root, "eve", "tool_audit", "2019-01-01.jsonl"), throughDayFile);
        using var store = NewStore();
        await RecordAliceAndBobAsync(store);
        var old = store.GetFilePath("alice", new DateOnly(2020, 6, 1));
        Directory.CreateDirectory(Path.GetDirectoryName(old)!);
        await File.WriteAllTextAsync(old, "");

        await store.PurgeAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        File.Exists(throughUserFolder).Should().BeTrue();
        File.Exists(throughAuditFolder).Should().BeTrue();
        File.Exists(throughDayFile).Should().BeTrue();
        File.Exists(old).Should().BeFalse("a real old day file is still purged");
        File.Exists(store.GetFilePath("alice", Today)).Should().BeTrue();
    }

    [Fact]
    public async Task DayFileIsAFifoNobodyReads_TheWriterDoesNotHangAndOnlyThatFilesEntryFails()
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        MakeFifo(dayFile);

        var counters = await RecordAliceAndBobAsync(store).WaitAsync(Patience);

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task DayFileIsAFifoSomeoneReads_NothingIsWrittenIntoItAndOnlyThatFilesEntryFails()
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        MakeFifo(dayFile);
        var fd = ToolAudit.Sinks.Jsonl.UnixFileNativeMethods.Open(dayFile, 0x800 | 0x80000, 0); // O_RDONLY | O_NONBLOCK | O_CLOEXEC
        fd.Should().BeGreaterThanOrEqualTo(0);
        using var reader = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);

        var counters = await RecordAliceAndBobAsync(store).WaitAsync(Patience);

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task Purge_OldDayFileIsAFifo_SkipsItWithoutHangingAndStillPurgesTheOthers()
    {
        using var store = NewStore();
        var fifo = store.GetFilePath("alice", new DateOnly(2020, 6, 1));
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        MakeFifo(fifo);
        var old = store.GetFilePath("bob", new DateOnly(2020, 6, 1));
        AuditFiles.Write(old, "{}\n");

        await Task.Run(() => store.PurgeAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).AsTask()).WaitAsync(Patience);

        File.Exists(fifo).Should().BeTrue("what is not a regular file is not a day file: it is left for the admin to see");
        File.Exists(old).Should().BeFalse();
    }

    [Fact]
    public async Task Readers_UserFolderIsALinkToAFolderOutsideTheRoot_SeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        var outsideUserFolder = await OutsideTrailAsync("mallory");
        Directory.CreateSymbolicLink(Path.Combine(_root, "mallory"), outsideUserFolder);

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: "mallory");
    }

    [Fact]
    public async Task Readers_ToolAuditFolderIsALinkToAFolderOutsideTheRoot_SeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        var outsideUserFolder = await OutsideTrailAsync("trudy");
        Directory.CreateDirectory(Path.Combine(_root, "trudy"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "trudy", "tool_audit"), Path.Combine(outsideUserFolder, "tool_audit"));

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: "trudy");
    }

    [Fact]
    public async Task Readers_DayFileIsALinkToAnOutsideFileOfValidLines_SeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        var outsideDayFile = Path.Combine(await OutsideTrailAsync("alice"), "tool_audit", $"{Yesterday:yyyy-MM-dd}.jsonl");
        File.CreateSymbolicLink(store.GetFilePath("alice", Yesterday), outsideDayFile);

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: null);
        (await store.ReadRecentAsync("alice", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.Id.Should().Be("id-1");
    }

    [Fact]
    public async Task Readers_NameFileOfAHashedFolderIsALink_TheFolderIsSkippedAndTheRealEntriesAreSeen()
    {
        using var store = await StoreWithRealEntriesAsync();

        // A hashed folder whose entries and folder name are another long name's, but whose .user is a link (to a file
        // holding that very name): it is no user's folder, as if .user were missing.
        var planted = new string('m', 200);
        var outsideUserFolder = await OutsideTrailAsync(planted);
        var nameFile = Path.Combine(outsideUserFolder, ".user");
        var plantedFolder = Path.Combine(_root, Path.GetFileName(outsideUserFolder));
        Directory.CreateDirectory(plantedFolder);
        Directory.Move(Path.Combine(outsideUserFolder, "tool_audit"), Path.Combine(plantedFolder, "tool_audit"));
        File.CreateSymbolicLink(Path.Combine(plantedFolder, ".user"), nameFile);
        Path.GetFileName(plantedFolder).Should().StartWith("~~");

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: null);
    }

    [Fact]
    public async Task Readers_DayFileIsAFifoWithAWriter_AreNotStoppedAndSeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        var fifo = store.GetFilePath("alice", Yesterday);
        MakeFifo(fifo);

        // Someone holds the FIFO open for writing, so that an open of it for reading does not wait.
        var fd = ToolAudit.Sinks.Jsonl.UnixFileNativeMethods.Open(
            fifo,
            ToolAudit.Sinks.Jsonl.UnixFileNativeMethods.ReadWrite | ToolAudit.Sinks.Jsonl.UnixFileNativeMethods.NonBlock | ToolAudit.Sinks.Jsonl.UnixFileNativeMethods.CloseOnExec,
            0);
        fd.Should().BeGreaterThanOrEqualTo(0);
        using var writer = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);

        await Task.Run(() => ReadersSeeOnlyTheRealEntriesAsync(store, planted: null)).WaitAsync(Patience);
    }

    /// <summary>A store with alice's and bob's real entries of today and a real long-named (hashed) user's.</summary>
    private async Task<JsonlAuditStore> StoreWithRealEntriesAsync()
    {
        var store = NewStore();
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1), Entries.At(Now, "bob", sequence: 2), Entries.At(Now, LongUser, sequence: 3)], CancellationToken.None);
        return store;
    }

    /// <summary>
    /// Writes, outside the root, a trail of <paramref name="user"/>'s with entries of yesterday (valid lines, as the store
    /// writes them) and returns that user's folder there.
    /// </summary>
    private async Task<string> OutsideTrailAsync(string user)
    {
        using var outsideStore = new JsonlAuditStore(new JsonlAuditOptions { Root = Path.Combine(_outside, "trail") });
        await outsideStore.WriteAsync([Entries.At(Now.AddDays(-1), user, sequence: 100), Entries.At(Now.AddDays(-1), user, sequence: 101)], CancellationToken.None);
        return Path.GetDirectoryName(Path.GetDirectoryName(outsideStore.GetFilePath(user, Yesterday)))!;
    }

    /// <summary>Every reader sees alice's, bob's and the long-named user's real entries only, and none throws.</summary>
    private static async Task ReadersSeeOnlyTheRealEntriesAsync(JsonlAuditStore store, string? planted)
    {
        var all = new List<AuditEntry>();
        await foreach (var entry in store.QueryAsync(new AuditQuery()))
        {
            all.Add(entry);
        }

        all.Select(e => e.Id).Should().BeEquivalentTo(["id-1", "id-2", "id-3"]);
        (await store.CountAsync(new AuditQuery())).Should().Be(3);
        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(3);
        stats.ByUser.Keys.Should().BeEquivalentTo(["alice", "bob", LongUser]);
        stats.SkippedLines.Should().Be(0);
        var users = new List<string>();
        await foreach (var user in store.GetUsersAsync())
        {
            users.Add(user);
        }

        users.Should().BeEquivalentTo(["alice", "bob", LongUser]);
        foreach (var user in new[] { "alice", "bob", LongUser })
        {
            (await store.CountAsync(new AuditQuery { User = user })).Should().Be(1);
            (await store.ReadRecentAsync(user, timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.User.Should().Be(user);
        }

        if (planted is not null)
        {
            (await store.CountAsync(new AuditQuery { User = planted })).Should().Be(0);
            (await store.ReadRecentAsync(planted, timeProvider: new FakeTimeProvider(Now))).Should().BeEmpty();
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.Should().Be(0);
    }

    private JsonlAuditStore NewStore() => new(new JsonlAuditOptions { Root = _root });

    private static Task<AuditCounters> RecordAliceAndBobAsync(JsonlAuditStore store) => RecordAsync(store, "alice", "bob");

    /// <summary>Records one call for each user and returns the counters once all are accounted for.</summary>
    private static async Task<AuditCounters> RecordAsync(JsonlAuditStore store, string first, string second)
    {
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        recorder.Record(Calls.Typical(user: first, sequence: 1));
        recorder.Record(Calls.Typical(user: second, sequence: 2));
        await recorder.FlushAsync();
        return recorder.Counters;
    }

    private static async Task BobIsOnRecordAsync(JsonlAuditStore store) =>
        (await store.ReadRecentAsync("bob", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.User.Should().Be("bob");
}
