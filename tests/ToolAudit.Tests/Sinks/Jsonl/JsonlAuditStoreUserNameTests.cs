using Microsoft.Extensions.Time.Testing;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>Hostile user names: never out of the root, never colliding, always read back under their real name.</summary>
public sealed class JsonlAuditStoreUserNameTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Names = new()
    {
        ["dot-dot"] = "..",
        ["dot"] = ".",
        ["three-dots"] = "...",
        ["slash"] = "a/b",
        ["absolute"] = "/etc",
        ["backslash-up"] = "..\\x",
        ["drive"] = "C:\\Windows",
        ["colon"] = "a:b",
        ["device-upper"] = "CON",
        ["device-lower"] = "con",
        ["device-with-extension"] = "nul.txt",
        ["device-lpt"] = "LPT1",
        ["device-com-extension"] = "com1.txt",
        ["nul-inside"] = "a\0b",
        ["nul-only"] = "\0",
        ["long-300"] = new string('n', 300),
        ["long-cjk-300"] = new string('名', 300),
        ["plain-64"] = new string('p', 64),
        ["plain-65"] = new string('p', 65),
        ["bytes-120"] = new string('Q', 120),
        ["bytes-121"] = new string('Q', 121),
        ["upper"] = "Alice",
        ["lower"] = "alice",
        ["tilde"] = "~x",
        ["tilde-hash-lookalike"] = "~~" + new string('0', 64),
        ["hidden"] = ".hidden",
        ["trailing-dot"] = "name.",
        ["space"] = "a b",
        ["only-space"] = " ",
        ["tab"] = "\t",
        ["newline"] = "a\nb",
        ["emoji"] = "🙂",
        ["zwj-emoji"] = "👩‍💻",
        ["flag"] = "🇫🇷",
        ["cjk"] = "用户",
        ["audit-folder-name"] = "tool_audit",
    };

    public static TheoryData<string> Labels => new(Names.Keys);

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task WriteAsync_HostileUserName_StaysUnderRootAndReadsBackUnderTheExactName(string label)
    {
        var name = Names[label];
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "root");
        var clock = new FakeTimeProvider(Now);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root });

        await store.WriteAsync([Entries.At(Now, user: name, sequence: 1)], default);

        Directory.EnumerateFileSystemEntries(folder.Path).Should().Equal(root);
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Should().OnlyContain(path => Path.GetFullPath(path).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        Directory.GetDirectories(root).Should().ContainSingle("one user, one folder directly under the root");
        AuditFiles.All(root).Should().ContainSingle().Which.Should().Be(store.GetFilePath(name, DateOnly.FromDateTime(Now.UtcDateTime)));

        var recent = await store.ReadRecentAsync(name, timeProvider: clock);
        recent.Should().ContainSingle().Which.User.Should().Be(name);
        (await store.GetUsersAsync().ToListAsync()).Should().Equal(name);

        // A fresh store (a restarted process) finds the name from the disk alone.
        using var fresh = new JsonlAuditStore(new JsonlAuditOptions { Root = root });
        (await fresh.ReadRecentAsync(name, timeProvider: clock)).Should().ContainSingle().Which.User.Should().Be(name);
        (await fresh.GetUsersAsync().ToListAsync()).Should().Equal(name);
        (await fresh.GetStatsAsync(new AuditQuery())).ByUser.Should().BeEquivalentTo(new Dictionary<string, long> { [name] = 1 });
    }

    [Fact]
    public async Task WriteAsync_EveryHostileUserNameInOneStore_KeepsEachUserInItsOwnFolder()
    {
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "root");
        var clock = new FakeTimeProvider(Now);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root });
        var names = Names.Values.ToList();

        await store.WriteAsync(names.Select((name, i) => Entries.At(Now.AddSeconds(i), user: name, sequence: i)).ToList(), default);

        Directory.EnumerateFileSystemEntries(folder.Path).Should().Equal(root);
        Directory.GetDirectories(root).Should().HaveCount(names.Count, "no two names share a folder");
        (await store.GetUsersAsync().ToListAsync()).Should().Equal(names.Order(StringComparer.Ordinal));
        for (var i = 0; i < names.Count; i++)
        {
            var recent = await store.ReadRecentAsync(names[i], timeProvider: clock);
            recent.Select(e => (e.User, e.Seq())).Should().Equal([(names[i], i)], $"user #{i} reads only its own entry");
        }

        var stats = await store.GetStatsAsync(new AuditQuery());
        stats.Total.Should().Be(names.Count);
        stats.ByUser.Keys.Should().BeEquivalentTo(names);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(200)]
    public async Task GetUsersAsync_NameStartingWithAByteOrderMark_ReturnsTheNameWithIt(int length)
    {
        // Long names live in a hashed folder with the real name in a file; U+FEFF at its start is part of the name,
        // not a byte order mark to strip.
        var name = "\uFEFF" + new string('x', length);
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        await store.WriteAsync([Entries.At(Now, user: name)], default);

        using var fresh = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        (await fresh.GetUsersAsync().ToListAsync()).Should().Equal(name);
        (await fresh.GetStatsAsync(new AuditQuery())).ByUser.Keys.Should().Equal(name);
    }

    [Fact]
    public async Task WriteAsync_UsersDifferingOnlyInCase_AreDifferentUsers()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        await store.WriteAsync([Entries.At(Now, user: "Alice", sequence: 1), Entries.At(Now, user: "alice", sequence: 2), Entries.At(Now, user: "ALICE", sequence: 3)], default);

        store.GetFilePath("Alice", DateOnly.FromDateTime(Now.UtcDateTime))
            .Should().NotBeEquivalentTo(store.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime)), "folders must differ also on case-insensitive file systems");
        (await store.QueryAsync(new AuditQuery { User = "Alice" }).ToListAsync()).Select(e => e.Seq()).Should().Equal(1);
        (await store.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Select(e => e.Seq()).Should().Equal(2);
        (await store.QueryAsync(new AuditQuery { User = "ALICE" }).ToListAsync()).Select(e => e.Seq()).Should().Equal(3);
        (await store.GetUsersAsync().ToListAsync()).Should().Equal("ALICE", "Alice", "alice");
    }

    [Fact]
    public async Task Readers_NonCanonicalTwinOfAUsersFolder_IgnoreItLikeAnyForeignFolder()
    {
        // "A" lives in ~ie; ~if differs only in the padding bits, which decode to nothing, so it would read as "A" too.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Now, user: "A", sequence: 1)], default);
        var path = store.GetFilePath("A", DateOnly.FromDateTime(Now.UtcDateTime));
        path.Should().Be(Path.Combine(folder.Path, "~ie", "tool_audit", "2025-03-04.jsonl"));
        AuditFiles.Write(Path.Combine(folder.Path, "~if", "tool_audit", "2025-03-04.jsonl"), File.ReadAllText(path));

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Which.User.Should().Be("A");
        (await store.GetStatsAsync(new AuditQuery())).Total.Should().Be(1);
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
        (await store.GetUsersAsync().ToListAsync()).Should().Equal("A");
        (await store.PurgeAsync(Now.AddDays(2))).Should().Be(1, "the purge deletes only the store's own files");
        File.Exists(Path.Combine(folder.Path, "~if", "tool_audit", "2025-03-04.jsonl")).Should().BeTrue();
    }

    [Fact]
    public async Task Readers_HashedFolderWhoseNameFileDoesNotHashToIt_IgnoreItLikeAnyForeignFolder()
    {
        // A long name lives in ~~<sha-256 of the name>, with the name in .user. A .user copied into another ~~ folder,
        // or a folder's .user edited to name someone else, must not make that folder theirs.
        var user = new string('u', 200);
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Now, user: user, sequence: 1)], default);
        var path = store.GetFilePath(user, DateOnly.FromDateTime(Now.UtcDateTime));
        var own = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
        Path.GetFileName(own).Should().StartWith("~~");
        var twin = Path.Combine(folder.Path, "~~" + new string('0', 64));
        AuditFiles.Write(Path.Combine(twin, "tool_audit", "2025-03-04.jsonl"), File.ReadAllText(path));
        File.Copy(Path.Combine(own, ".user"), Path.Combine(twin, ".user"));
        var edited = Path.Combine(folder.Path, "~~" + new string('1', 64));
        AuditFiles.Write(Path.Combine(edited, "tool_audit", "2025-03-04.jsonl"), File.ReadAllText(path).Replace(user, "alice", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(edited, ".user"), "alice");

        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Which.User.Should().Be(user);
        (await store.CountAsync(new AuditQuery { User = "alice" })).Should().Be(0);
        (await store.GetStatsAsync(new AuditQuery())).Total.Should().Be(1);
        (await store.GetUsersAsync().ToListAsync()).Should().Equal(user);
    }

    [Fact]
    public async Task Readers_HashedFolderWithANameFileTooLongToBeAName_IgnoreItAndThrowNothing()
    {
        // A planted .user of 3 GB (sparse: it takes no disk) cannot be read into one array, let alone be a name that
        // hashes to its folder: the folder is nobody's, as for any .user that does not hash to it, and no read fails.
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Now, user: "alice", sequence: 1)], default);
        var planted = Path.Combine(folder.Path, "~~" + new string('0', 64));
        AuditFiles.Write(Path.Combine(planted, "tool_audit", "2025-03-04.jsonl"), File.ReadAllText(store.GetFilePath("alice", DateOnly.FromDateTime(Now.UtcDateTime))));
        using (var nameFile = File.Create(Path.Combine(planted, ".user")))
        {
            nameFile.SetLength(3L << 30);
        }

        (await store.GetUsersAsync().ToListAsync()).Should().Equal("alice");
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle();
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
        (await store.GetStatsAsync(new AuditQuery())).Total.Should().Be(1);
        (await store.PurgeAsync(Now.AddDays(2))).Should().Be(1, "only the store's own file is purged");
    }

    [Fact]
    public async Task Readers_HashedFolderWhoseNameFileHashesToItButIsLongerThanALineCanBe_IgnoreIt()
    {
        // A name longer than the longest line a reader reads (64 MiB) is no user's whose entries could be read (each line
        // holds the name): its .user is not hashed, so a planted one costs a listing at most 64 MiB of hashing. Made of
        // zeros (sparse: no disk is used), which are a name: only its length keeps it out.
        const int Length = JsonlLineReader.MaxLineBytes + 1;
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Entries.At(Now, user: "alice", sequence: 1)], default);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var zeros = new byte[1 << 20];
        for (var left = Length; left > 0; left -= zeros.Length)
        {
            hash.AppendData(zeros, 0, Math.Min(left, zeros.Length));
        }

        var planted = Path.Combine(folder.Path, "~~" + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
        AuditFiles.Write(Path.Combine(planted, "tool_audit", "2025-03-04.jsonl"), "");
        using (var nameFile = File.Create(Path.Combine(planted, ".user")))
        {
            nameFile.SetLength(Length);
        }

        UserFolderNames.Encode(new string('\0', Length), out _).Should().Be(Path.GetFileName(planted), "the file holds a name that hashes to its folder");
        (await store.GetUsersAsync().ToListAsync()).Should().Equal("alice");
    }

    [Theory]
    [InlineData("", "torn: created, then a crash before its bytes were written")]
    [InlineData("alice", "edited to name someone else")]
    public async Task WriteAsync_HashedFolderWhoseNameFileIsWrong_RewritesItSoTheEntriesAreReadAgain(string planted, string why)
    {
        // A ~~ folder whose .user does not hash to it is nobody's (see above): the store, which knows the name, must
        // put it right the next time it writes there, or every entry of that user would stay out of every query.
        var user = new string('u', 200);
        using var folder = new TempFolder();
        using (var first = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }))
        {
            await first.WriteAsync([Entries.At(Now, user: user, sequence: 1)], default);
        }

        var nameFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }).GetFilePath(user, DateOnly.FromDateTime(Now.UtcDateTime)))!)!, ".user");
        File.WriteAllText(nameFile, planted);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        (await store.CountAsync(new AuditQuery())).Should().Be(0, why);

        await store.WriteAsync([Entries.At(Now.AddSeconds(1), user: user, sequence: 2)], default);

        File.ReadAllText(nameFile).Should().Be(user);
        (await store.QueryAsync(new AuditQuery { User = user }).ToListAsync()).Should().HaveCount(2);
        Directory.GetFiles(Path.GetDirectoryName(nameFile)!).Should().ContainSingle("the new file is renamed into place, nothing is left beside it");
    }

    [Theory]
    [InlineData("mallory", "edited to name someone else")]
    [InlineData(null, "deleted")]
    public async Task WriteAsync_NameFileSpoiledWhileTheStoreHoldsTheDayFile_IsRewrittenWithinTheHeldFileCheck(string? planted, string why)
    {
        // The day file stays open between batches, so no open puts the .user right: the held file's check does.
        var user = new string('u', 200);
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }) { HeldFileClock = clock };
        await store.WriteAsync([Entries.At(Now, user: user, sequence: 1)], default);
        var nameFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(store.GetFilePath(user, DateOnly.FromDateTime(Now.UtcDateTime)))!)!, ".user");
        if (planted is null)
        {
            File.Delete(nameFile);
        }
        else
        {
            File.WriteAllText(nameFile, planted);
        }

        (await store.CountAsync(new AuditQuery())).Should().Be(0, why);

        clock.Advance(TimeSpan.FromMilliseconds(10));
        await store.WriteAsync([Entries.At(Now.AddSeconds(1), user: user, sequence: 2)], default);

        File.ReadAllText(nameFile).Should().Be(user);
        (await store.CountAsync(new AuditQuery())).Should().Be(2, "an unfiltered read takes the folder for the user's again");
        (await store.GetUsersAsync().ToListAsync()).Should().Equal(user);
    }

    [Fact]
    public async Task WriteAsync_PlainLowerCaseName_KeepsThePythonLayout()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });

        await store.WriteAsync([Entries.At(Now, user: "alice.smith-2")], default);

        AuditFiles.All(folder.Path).Should().Equal(Path.Combine(folder.Path, "alice.smith-2", "tool_audit", "2025-03-04.jsonl"));
    }
}
