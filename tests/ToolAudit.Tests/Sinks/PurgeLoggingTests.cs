using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks;

/// <summary>Audit data deleted leaves a trace: every purge that removes something is logged with what and how much.</summary>
public sealed class PurgeLoggingTests : IDisposable
{
    private static readonly DateTimeOffset Old = new(2020, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recent = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Jsonl_PurgeDeletesDayFiles_LogsTheEntriesTheCutoffAndTheFiles()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, logger);
        await store.WriteAsync(
            [Entries.At(Old, "alice", sequence: 1), Entries.At(Old, "alice", sequence: 2), Entries.At(Old.AddDays(1), "bob", sequence: 3), Entries.At(Recent, "bob", sequence: 4)],
            CancellationToken.None);

        var alicesFile = store.GetFilePath("alice", DateOnly.FromDateTime(Old.UtcDateTime));
        var bobsFile = store.GetFilePath("bob", DateOnly.FromDateTime(Old.UtcDateTime.AddDays(1)));

        (await store.PurgeAsync(Cutoff)).Should().Be(3);

        var records = logger.Collector.GetSnapshot();
        records.Select(r => (r.Level, r.Id.Id)).Should().Equal((LogLevel.Information, 18), (LogLevel.Information, 18), (LogLevel.Information, 16));
        records.Take(2).Select(r => r.Message).Should().BeEquivalentTo(
            $"Purged the audit day file {alicesFile} (2 entries).", $"Purged the audit day file {bobsFile} (1 entries).");
        records[2].Message.Should().Be("Purged 3 audit entries from before 2026-01-01T00:00:00.0000000+00:00 (2 day files deleted).");
    }

    [Fact]
    public async Task Jsonl_PurgeFindsNothingOldEnough_LogsNothing()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, logger);
        await store.WriteAsync([Entries.At(Recent, "alice", sequence: 1)], CancellationToken.None);

        (await store.PurgeAsync(Cutoff)).Should().Be(0);

        logger.Collector.Count.Should().Be(0);
    }

    [Fact]
    public async Task Jsonl_PurgeCancelledAfterItDeletedAFile_StillLogsWhatItDeleted()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, logger);
        await store.WriteAsync([Entries.At(Old, "alice", sequence: 1), Entries.At(Old.AddDays(1), "alice", sequence: 2)], CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        store.BeforeFileDeleteHook = _ => cancel.Cancel(); // the first file is deleted, the purge stops before the next

        var purge = async () => await store.PurgeAsync(Cutoff, cancel.Token);

        await purge.Should().ThrowAsync<OperationCanceledException>();
        var left = AuditFiles.All(_folder.Path).Should().ContainSingle().Subject;
        var deleted = new[] { Old, Old.AddDays(1) }.Select(day => store.GetFilePath("alice", DateOnly.FromDateTime(day.UtcDateTime))).Single(path => path != left);
        logger.Collector.GetSnapshot().Select(r => r.Message).Should().Equal(
            $"Purged the audit day file {deleted} (1 entries).",
            "Purged 1 audit entries from before 2026-01-01T00:00:00.0000000+00:00 (1 day files deleted).");
    }

    [Fact]
    public async Task InMemory_PurgeRemovesEntries_LogsTheEntriesAndTheCutoff()
    {
        var logger = new FakeLogger<InMemoryAuditStore>();
        var store = new InMemoryAuditStore(10, logger);
        await store.WriteAsync([Entries.At(Old, sequence: 1), Entries.At(Recent, sequence: 2)], CancellationToken.None);

        (await store.PurgeAsync(Cutoff)).Should().Be(1);
        (await store.PurgeAsync(Cutoff)).Should().Be(0);

        var record = logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (record.Level, record.Id.Id).Should().Be((LogLevel.Information, 17));
        record.Message.Should().Be("Purged 1 audit entries from before 2026-01-01T00:00:00.0000000+00:00 from memory.");
    }
}
