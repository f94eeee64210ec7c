using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A day file with a second name (a hard link: to a file outside the audit tree, or to another user's day file) is
/// refused like a symbolic link: both names of the pair, for writes (that file's entries fail, the batch's other files
/// are written), reads and purges (skipped and left in place). A hashed folder's <c>.user</c> file with a second name is
/// replaced by a file of the store's own, never written through. The day files the store holds open are not left
/// non-blocking (they are opened so, so that a FIFO planted in their place cannot hang the open).
/// </summary>
public sealed partial class JsonlSymbolicLinkTests
{
    [Fact]
    public async Task DayFileIsAHardLinkToAnOutsideFile_NothingIsAppendedToItAndOnlyThatFilesEntryFails()
    {
        var target = Path.Combine(_outside, "precious.txt");
        await File.WriteAllTextAsync(target, "not an audit file\n");
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        UnixFiles.HardLink(target, dayFile);

        var counters = await RecordAliceAndBobAsync(store);

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        (await File.ReadAllTextAsync(target)).Should().Be("not an audit file\n");
        UnixFiles.LinkCount(dayFile).Should().Be(2, "both names are left for the admin to see");
        await BobIsOnRecordAsync(store);
    }

    [Fact]
    public async Task TwoUsersDayFilesAreOneFile_BothNamesAreRefusedTheOtherFileIsWrittenAndNothingRecordedIsLost()
    {
        var bobsFile = Path.Combine(_root, "bob", "tool_audit", $"{Today:yyyy-MM-dd}.jsonl");
        using (var earlier = NewStore())
        {
            await earlier.WriteAsync([Entries.At(Now, "bob", sequence: 7)], CancellationToken.None);
        }

        var recorded = await File.ReadAllTextAsync(bobsFile);
        using var store = NewStore();
        var alicesFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(alicesFile)!);
        UnixFiles.HardLink(bobsFile, alicesFile);

        await using (var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now)))
        {
            recorder.Record(Calls.Typical(user: "alice", sequence: 1));
            recorder.Record(Calls.Typical(user: "bob", sequence: 2));
            recorder.Record(Calls.Typical(user: "carol", sequence: 3));
            await recorder.FlushAsync();
            recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 1, Dropped: 0, Failed: 2, Pending: 0));
        }

        (await File.ReadAllTextAsync(bobsFile)).Should().Be(recorded, "nothing is appended to either name, and nothing there is lost");
        UnixFiles.LinkCount(bobsFile).Should().Be(2);
        (await store.ReadRecentAsync("carol", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.User.Should().Be("carol");
    }

    [Fact]
    public async Task WriteAsync_DayFileIsAHardLink_ThrowsTheRefusalNamingIt()
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        var target = Path.Combine(_outside, "target");
        await File.WriteAllTextAsync(target, "");
        UnixFiles.HardLink(target, dayFile);

        var write = () => store.WriteAsync([Entries.At(Now, "alice")], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should().Be(
            $"Refusing to use '{dayFile}': it is a file with 2 names (a hard link), and the audit store never writes or reads a file that another name reaches.");
        (await File.ReadAllTextAsync(target)).Should().BeEmpty();
    }

    [Fact]
    public async Task Readers_DayFileIsAHardLinkToAnOutsideFileOfValidLines_SeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        var outsideDayFile = Path.Combine(await OutsideTrailAsync("alice"), "tool_audit", $"{Yesterday:yyyy-MM-dd}.jsonl");
        UnixFiles.HardLink(outsideDayFile, store.GetFilePath("alice", Yesterday));

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: null);
        (await store.ReadRecentAsync("alice", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.Id.Should().Be("id-1");
    }

    [Fact]
    public async Task Readers_AnotherUsersDayFileIsHardLinkedAsAUsersDayFile_NeitherNameIsRead()
    {
        using var store = await StoreWithRealEntriesAsync();
        UnixFiles.HardLink(store.GetFilePath("bob", Today), store.GetFilePath("alice", Yesterday));

        var all = new List<AuditEntry>();
        await foreach (var entry in store.QueryAsync(new AuditQuery()))
        {
            all.Add(entry);
        }

        all.Select(e => e.Id).Should().BeEquivalentTo(["id-1", "id-3"], "bob's entry is in a file that has alice's name too");
        (await store.CountAsync(new AuditQuery { User = "bob" })).Should().Be(0);
        (await store.ReadRecentAsync("alice", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle().Which.Id.Should().Be("id-1");
        (await store.ReadRecentAsync("bob", timeProvider: new FakeTimeProvider(Now))).Should().BeEmpty();
        var stats = await store.GetStatsAsync(new AuditQuery());
        (stats.Total, stats.SkippedLines).Should().Be((2, 0), "a refused file holds no lines of the trail");
    }

    [Fact]
    public async Task Purge_OldDayFileIsAHardLink_LeavesBothNamesAndStillPurgesTheOthers()
    {
        var outsideName = Path.Combine(_outside, "precious.jsonl");
        await File.WriteAllTextAsync(outsideName, "{}\n");
        using var store = NewStore();
        var linked = store.GetFilePath("alice", new DateOnly(2020, 6, 1));
        Directory.CreateDirectory(Path.GetDirectoryName(linked)!);
        UnixFiles.HardLink(outsideName, linked);
        var old = store.GetFilePath("bob", new DateOnly(2020, 6, 1));
        AuditFiles.Write(old, "{}\n");

        await store.PurgeAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        File.Exists(linked).Should().BeTrue("a file with a second name is not a day file of the store's: it is left for the admin to see");
        UnixFiles.LinkCount(outsideName).Should().Be(2);
        (await File.ReadAllTextAsync(outsideName)).Should().Be("{}\n");
        File.Exists(old).Should().BeFalse("a real old day file is still purged");
    }

    [Fact]
    public async Task NameFileIsAHardLinkHoldingTheRightName_ItIsReplacedByAFileOfTheStoresOwn()
    {
        using (var earlier = NewStore())
        {
            await earlier.WriteAsync([Entries.At(Now, LongUser, sequence: 7)], CancellationToken.None);
        }

        using var store = NewStore();
        var nameFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(LongUser, Today)))!, ".user");
        var otherName = Path.Combine(_outside, "other-name");
        UnixFiles.HardLink(nameFile, otherName);

        var counters = await RecordAsync(store, LongUser, "bob");

        counters.Should().Be(new AuditCounters(Accepted: 2, Written: 2, Dropped: 0, Failed: 0, Pending: 0));
        UnixFiles.LinkCount(nameFile).Should().Be(1, "the .user file was replaced (a new file renamed into place), not kept or written through");
        UnixFiles.LinkCount(otherName).Should().Be(1);
        (await File.ReadAllTextAsync(nameFile)).Should().Be(LongUser);
        (await File.ReadAllTextAsync(otherName)).Should().Be(LongUser, "the file behind the other name is not touched");
        (await store.ReadRecentAsync(LongUser, timeProvider: new FakeTimeProvider(Now))).Should().HaveCount(2).And.OnlyContain(e => e.User == LongUser);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WriteAsync_DayFileTheStoreHoldsOpen_IsNotLeftNonBlocking()
    {
        using var store = NewStore();

        await store.WriteAsync([Entries.At(Now, "alice")], CancellationToken.None);

        UnixFiles.StatusFlagsOfOpen(store.GetFilePath("alice", Today)).Should().ContainSingle()
            .Which.Should().Match(flags => (flags & UnixFiles.NonBlock) == 0, "O_NONBLOCK is cleared once the file is known to be a regular file");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Readers_DayFileOpenForReading_IsNotLeftNonBlocking()
    {
        using (var writer = NewStore())
        {
            await writer.WriteAsync([Entries.At(Now, "alice")], CancellationToken.None);
        }

        using var store = NewStore();
        var flags = new List<int>();
        store.DayFileReadHook = path => flags.AddRange(UnixFiles.StatusFlagsOfOpen(path));

        (await store.ReadRecentAsync("alice", timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle();

        flags.Should().ContainSingle().Which.Should().Match(f => (f & UnixFiles.NonBlock) == 0);
    }
}
