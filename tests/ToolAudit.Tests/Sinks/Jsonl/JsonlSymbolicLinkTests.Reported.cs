using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// What readers and purges skip although something is there (a symbolic link, a hard-linked day file, a FIFO, a socket,
/// a folder that cannot be opened) is logged as a warning naming it, once per path and store, so that an admin hears of
/// what someone planted in the trail; and a socket, which cannot even be opened, is skipped like a FIFO rather than
/// failing every read.
/// </summary>
public sealed partial class JsonlSymbolicLinkTests
{
    [Fact]
    public async Task Readers_DayFileIsASocket_AreNotFailedAndSeeOnlyTheRealEntries()
    {
        using var store = await StoreWithRealEntriesAsync();
        using var socket = BindSocket(store.GetFilePath("alice", Yesterday));

        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: null);
    }

    [Fact]
    public async Task Readers_NameFileOfAHashedFolderIsASocket_AreNotFailedAndUnfilteredOnesLeaveTheFolderOut()
    {
        using var store = await StoreWithRealEntriesAsync();
        var planted = new string('m', 200);
        var outsideUserFolder = await OutsideTrailAsync(planted);
        var plantedFolder = Path.Combine(_root, Path.GetFileName(outsideUserFolder));
        Directory.CreateDirectory(plantedFolder);
        Directory.Move(Path.Combine(outsideUserFolder, "tool_audit"), Path.Combine(plantedFolder, "tool_audit"));
        using var socket = BindSocket(Path.Combine(plantedFolder, ".user"));

        // Unfiltered reads list users by their .user: this folder is no one's. (A read of that user by name reads the
        // folder its name hashes to, as with a .user that is a link.)
        await ReadersSeeOnlyTheRealEntriesAsync(store, planted: null);
    }

    [Fact]
    public async Task Readers_LinkNamedToForgeALogLine_IsLoggedOnOneLineWithTheControlCharactersEscaped()
    {
        // Anyone who can write a folder of the trail names what they plant: a newline in the name would make a second,
        // forged line in a plain-text log.
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root }, logger);
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1)], CancellationToken.None);
        var planted = Path.Combine(_root, "evil\nCRITICAL: the audit root was deleted by admin\u2028");
        Directory.CreateSymbolicLink(planted, _outside);

        await store.GetStatsAsync(new AuditQuery());

        var warning = logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 13).Subject;
        warning.Message.Should().NotContainAny("\n", "\u2028")
            .And.Contain(Path.Combine(_root, "evil\\u000ACRITICAL: the audit root was deleted by admin\\u2028"));
    }

    [Fact]
    public async Task Purge_OldDayFileIsASocket_LeavesItAndPurgesTheOthers()
    {
        using var store = NewStore();
        var old = new DateTimeOffset(2020, 6, 1, 9, 0, 0, TimeSpan.Zero);
        await store.WriteAsync([Entries.At(old, "bob", sequence: 1)], CancellationToken.None);
        var socketPath = store.GetFilePath("alice", DateOnly.FromDateTime(old.UtcDateTime));
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        using var socket = BindSocket(socketPath);

        (await store.PurgeAsync(old.AddDays(30))).Should().Be(1);

        File.Exists(socketPath).Should().BeTrue("a socket is not the store's to delete");
        File.Exists(store.GetFilePath("bob", DateOnly.FromDateTime(old.UtcDateTime))).Should().BeFalse();
    }

    [Fact]
    public async Task Readers_PlantedLinkHardLinkAndFifo_EachIsLoggedOnceAsAWarningNamingIt()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root }, logger);
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1), Entries.At(Now, "bob", sequence: 2), Entries.At(Now, LongUser, sequence: 3)], CancellationToken.None);
        var link = store.GetFilePath("alice", Yesterday);
        File.CreateSymbolicLink(link, Path.Combine(await OutsideTrailAsync("alice"), "tool_audit", $"{Yesterday:yyyy-MM-dd}.jsonl"));
        var hardLink = store.GetFilePath("bob", Yesterday);
        UnixFiles.HardLink(store.GetFilePath("bob", Today), hardLink);
        var fifo = store.GetFilePath("carol", Yesterday);
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        MakeFifo(fifo);
        var linkedFolder = Path.Combine(_root, "dave");
        Directory.CreateSymbolicLink(linkedFolder, _outside);

        // Twice: each path is logged once, however many reads skip it.
        for (var pass = 0; pass < 2; pass++)
        {
            await foreach (var entry in store.QueryAsync(new AuditQuery()))
            {
                entry.User.Should().NotBe("carol");
            }

            await store.GetStatsAsync(new AuditQuery());
        }

        var warnings = logger.Collector.GetSnapshot();
        warnings.Should().OnlyContain(r => r.Level == LogLevel.Warning && r.Id.Id == 13);
        warnings.Select(r => r.Message).Should().BeEquivalentTo(
        [
            $"Skipped '{link}' in the audit trail: it is a symbolic link. It is left in place, and neither read nor purged (logged once per path).",
            $"Skipped '{hardLink}' in the audit trail: it is a file with 2 names (a hard link). It is left in place, and neither read nor purged (logged once per path).",
            $"Skipped '{Path.Combine(_root, "bob", "tool_audit", $"{Today:yyyy-MM-dd}.jsonl")}' in the audit trail: it is a file with 2 names (a hard link). It is left in place, and neither read nor purged (logged once per path).",
            $"Skipped '{fifo}' in the audit trail: it is not a regular file (a folder, a FIFO, a socket, a device). It is left in place, and neither read nor purged (logged once per path).",
            $"Skipped '{linkedFolder}' in the audit trail: it is a symbolic link. It is left in place, and neither read nor purged (logged once per path).",
        ]);
    }

    [Fact]
    public async Task Purge_PlantedLink_IsLoggedAsAWarningNamingIt()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root }, logger);
        var old = new DateOnly(2020, 6, 1);
        var link = store.GetFilePath("alice", old);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        var target = Path.Combine(_outside, "precious.jsonl");
        await File.WriteAllTextAsync(target, "{}\n");
        File.CreateSymbolicLink(link, target);

        (await store.PurgeAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))).Should().Be(0);

        logger.Collector.GetSnapshot().Should().ContainSingle().Which.Message.Should().Be(
            $"Skipped '{link}' in the audit trail: it is a symbolic link. It is left in place, and neither read nor purged (logged once per path).");
        File.Exists(target).Should().BeTrue();
    }

    [Fact]
    public async Task UnfilteredReaders_AUserFolderCannotBeRead_SkipItLogItOnceAndReadTheOthers()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root }, logger);
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1), Entries.At(Now, "bob", sequence: 2), Entries.At(Now, LongUser, sequence: 3)], CancellationToken.None);
        var longUsersFolder = Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(LongUser, Today)))!;
        var unreadable = new IOException("Input/output error.");
        store.UserFolderReadHook = folder =>
        {
            if (folder == longUsersFolder)
            {
                throw unreadable; // what reading its .user meets on a failing disk, or without permission
            }
        };

        for (var pass = 0; pass < 2; pass++)
        {
            (await store.GetStatsAsync(new AuditQuery())).ByUser.Keys.Should().BeEquivalentTo(["alice", "bob"]);
            var users = new List<string>();
            await foreach (var user in store.GetUsersAsync())
            {
                users.Add(user);
            }

            users.Should().BeEquivalentTo(["alice", "bob"]);
        }

        var warning = logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (warning.Level, warning.Id.Id, warning.Exception).Should().Be((LogLevel.Warning, 14, unreadable));
        warning.Message.Should().Contain(longUsersFolder);
    }

    [Fact]
    public async Task Write_DayFileIsASocket_FailsNamingItAsNoRegularFile()
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        using var socket = BindSocket(dayFile);

        var write = () => store.WriteAsync([Entries.At(Now, "alice")], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should().Be($"Refusing to append to '{dayFile}': it is not a regular file.");
    }

    [Fact]
    public async Task Write_NameFileOfAHashedFolderIsASocket_IsReplacedByTheStoresOwnAndTheUserIsListed()
    {
        using var store = NewStore();
        var nameFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(LongUser, Today)))!, ".user");
        using var socket = BindSocket(nameFile);

        await store.WriteAsync([Entries.At(Now, LongUser, sequence: 3)], CancellationToken.None);

        (await File.ReadAllTextAsync(nameFile)).Should().Be(LongUser);
        var users = new List<string>();
        await foreach (var user in store.GetUsersAsync())
        {
            users.Add(user);
        }

        users.Should().Equal([LongUser]);
    }

    [Fact]
    public async Task Readers_NothingPlanted_LogNothing()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root }, logger);
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1), Entries.At(Now, LongUser, sequence: 3)], CancellationToken.None);

        (await store.GetStatsAsync(new AuditQuery())).Total.Should().Be(2);
        (await store.ReadRecentAsync(LongUser, timeProvider: new FakeTimeProvider(Now))).Should().ContainSingle();

        logger.Collector.Count.Should().Be(0);
    }

    /// <summary>
    /// A Unix domain socket at <paramref name="path"/>: bound at a short name in the test's folder (a socket's path has
    /// at most 108 bytes), then moved into place.
    /// </summary>
    private Socket BindSocket(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bound = Path.Combine(_outside, "s");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(bound));
        File.Move(bound, path);
        return socket;
    }
}
