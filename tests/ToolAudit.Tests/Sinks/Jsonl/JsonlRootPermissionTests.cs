using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A root that every user of the machine may write (<c>o+w</c>, as <c>/tmp</c> is) lets anyone delete day files or plant
/// folders and links in the trail: the store warns once, the first time it opens the root to write, and writes all the
/// same (where the trail lies is the host's choice).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JsonlRootPermissionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new();
    private readonly FakeLogger<JsonlAuditStore> _logger = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "0777")]
    [InlineData(UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "1777")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "0703")]
    public async Task RootWritableByEveryUser_WarnsOnceNamingItsModeAndStillWrites(UnixFileMode mode, string shown)
    {
        var root = Path.Combine(_folder.Path, "audit");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, mode);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root }, _logger);

        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1)], CancellationToken.None);
        await store.WriteAsync([Entries.At(Now, "bob", sequence: 2)], CancellationToken.None);

        var warning = _logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (warning.Level, warning.Id.Id).Should().Be((LogLevel.Warning, 15));
        warning.Message.Should().Be(
            $"The audit root {root} can be written by every user of the machine (mode {shown}): anyone can delete day files or plant folders and links in the trail. Let only the host's user and group write it (chmod o-w).");
        (await store.CountAsync(new AuditQuery())).Should().Be(2);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)]
    public async Task RootNotWritableByOthers_LogsNothing(UnixFileMode? mode)
    {
        // null: the root the store creates (0750).
        var root = Path.Combine(_folder.Path, "audit");
        if (mode is { } given)
        {
            Directory.CreateDirectory(root);
            File.SetUnixFileMode(root, given);
        }

        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = root }, _logger);

        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1)], CancellationToken.None);

        _logger.Collector.Count.Should().Be(0);
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
    }
}
