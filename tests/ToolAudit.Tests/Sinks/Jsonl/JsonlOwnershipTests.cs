using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A folder or day file that was there before the store writes through it: another user's (planted by someone who could
/// write the folder above it) is refused, since its owner could read and change every entry written to it; the host
/// user's own with group write or access for others has those taken away, and says so.
/// </summary>
public sealed class JsonlOwnershipTests : IDisposable
{
    private const int Nobody = 65534;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);
    private static readonly UnixFileMode Mode0640 = (UnixFileMode)0b110_100_000;
    private static readonly UnixFileMode Mode0750 = (UnixFileMode)0b111_101_000;

    private readonly TempFolder _folder = new();
    private readonly FakeLogger<JsonlAuditStore> _logger = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task TreeLeftWithLooseModes_IsGivenTheStoresModesBeforeTheFirstLine_EachChangeLogged()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, _logger);
        var dayFile = store.GetFilePath("alice", Today);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;
        Directory.CreateDirectory(auditFolder);
        await File.WriteAllTextAsync(dayFile, string.Empty);
        File.SetUnixFileMode(userFolder, (UnixFileMode)0b111_111_111);  // 0777
        File.SetUnixFileMode(auditFolder, (UnixFileMode)0b111_111_101); // 0775
        File.SetUnixFileMode(dayFile, (UnixFileMode)0b110_110_110);     // 0666

        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);

        (File.GetUnixFileMode(userFolder), File.GetUnixFileMode(auditFolder), File.GetUnixFileMode(dayFile)).Should().Be((Mode0750, Mode0750, Mode0640));
        var records = _logger.Collector.GetSnapshot();
        records.Select(r => (r.Level, r.Id.Id)).Should().Equal(Enumerable.Repeat((LogLevel.Warning, 21), 3));
        records.Select(r => r.Message).Should().SatisfyRespectively(
            user => user.Should().Contain($"'{userFolder}'").And.Contain("(mode 0777)").And.Contain("(mode 0750)"),
            audit => audit.Should().Contain($"'{auditFolder}'").And.Contain("(mode 0775)").And.Contain("(mode 0750)"),
            file => file.Should().Contain($"'{dayFile}'").And.Contain("(mode 0666)").And.Contain("(mode 0640)"));
        AuditFiles.Lines(dayFile).Should().ContainSingle();
    }

    [Fact]
    public async Task RootMissingWithFoldersAboveIt_EachFolderMadeIsExactly0750_WhateverTheUmask()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        // .NET gives the mode of CreateDirectory(path, mode) to the last folder only: the ones above got 0777 less the
        // umask, and under a umask of 000 anyone could swap the root for a folder of their own.
        var above = Path.Combine(_folder.Path, "var");
        var root = Path.Combine(above, "lib", "audit");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root }, _logger);

        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);

        new[] { above, Path.Combine(above, "lib"), root }.Select(File.GetUnixFileMode).Should().AllBeEquivalentTo(Mode0750);
    }

    [Fact]
    public async Task TreeWithTheStoresOwnModes_IsLeftAsItIs_AndNothingLogged()
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, _logger);
        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);
        using var again = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, _logger);

        await again.WriteAsync([Entries.At(Now, sequence: 2)], default);

        _logger.Collector.GetSnapshot().Should().BeEmpty();
        AuditFiles.Lines(store.GetFilePath("alice", Today)).Should().HaveCount(2);
    }

    [Fact]
    public async Task TreeOwnedByTheRootsOwner_IsWrittenThrough_AsARootSquashedMountHasIt()
    {
        if (!OperatingSystem.IsLinux() || !UnixFiles.IsRoot)
        {
            return; // only root gives a file to another user; the CI runs as root
        }

        // An NFS mount with root_squash gives a root host's own folders and files to nobody, the audit root included:
        // whoever owns the root could change anything below it anyway, so what that user owns is not someone else's.
        var root = Path.Combine(_folder.Path, "squashed");
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root }, _logger);
        await store.WriteAsync([Entries.At(Now, sequence: 1)], default);
        var dayFile = store.GetFilePath("alice", Today);
        foreach (var path in new[] { root, Path.GetDirectoryName(Path.GetDirectoryName(dayFile))!, Path.GetDirectoryName(dayFile)!, dayFile })
        {
            UnixFiles.Chown(path, Nobody);
        }

        using var again = new JsonlAuditStore(new JsonlAuditOptions { Root = root }, _logger);
        await again.WriteAsync([Entries.At(Now, sequence: 2)], default);

        AuditFiles.Lines(dayFile).Should().HaveCount(2);
    }

    [Fact]
    public async Task LooseFolderWhoseModeCannotBeChanged_IsWrittenThroughAsItIs_AndSaidSo()
    {
        if (!OperatingSystem.IsLinux() || !UnixFiles.IsRoot)
        {
            return; // only root makes a folder immutable; the CI runs as root
        }

        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, _logger);
        var dayFile = store.GetFilePath("alice", Today);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        var userFolder = Path.GetDirectoryName(auditFolder)!;
        Directory.CreateDirectory(auditFolder);
        await File.WriteAllTextAsync(dayFile, string.Empty);
        File.SetUnixFileMode(dayFile, Mode0640);
        File.SetUnixFileMode(auditFolder, Mode0750);
        File.SetUnixFileMode(userFolder, (UnixFileMode)0b111_101_101); // 0755, as an admin's mkdir leaves it
        UnixFiles.SetImmutable(userFolder, immutable: true);
        try
        {
            await store.WriteAsync([Entries.At(Now, sequence: 1)], default);
        }
        finally
        {
            UnixFiles.SetImmutable(userFolder, immutable: false);
        }

        AuditFiles.Lines(dayFile).Should().ContainSingle("the entry is written all the same");
        var warning = _logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (warning.Level, warning.Id.Id).Should().Be((LogLevel.Warning, 22));
        warning.Message.Should().Contain($"'{userFolder}'").And.Contain("(mode 0755)");
    }

    [Theory]
    [InlineData("day file")]
    [InlineData("tool_audit folder")]
    [InlineData("user folder")]
    public async Task PlantedByAnotherUser_IsRefused_AndNothingIsWrittenToIt(string planted)
    {
        if (!OperatingSystem.IsLinux() || !UnixFiles.IsRoot)
        {
            return; // only root gives a file to another user; the CI runs as root
        }

        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, _logger);
        var dayFile = store.GetFilePath("alice", Today);
        var auditFolder = Path.GetDirectoryName(dayFile)!;
        Directory.CreateDirectory(auditFolder);
        await File.WriteAllTextAsync(dayFile, string.Empty);
        File.SetUnixFileMode(dayFile, Mode0640);
        var theirs = planted switch
        {
            "day file" => dayFile,
            "tool_audit folder" => auditFolder,
            _ => Path.GetDirectoryName(auditFolder)!,
        };
        UnixFiles.Chown(theirs, Nobody);

        var write = () => store.WriteAsync([Entries.At(Now, sequence: 1), Entries.At(Now, user: "bob", sequence: 2)], default).AsTask();

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should()
            .Contain($"'{theirs}'").And.Contain($"belongs to another user (uid {Nobody})");
        new FileInfo(dayFile).Length.Should().Be(0);
        AuditFiles.Lines(store.GetFilePath("bob", Today)).Should().ContainSingle("the batch's other files are written");
    }
}
