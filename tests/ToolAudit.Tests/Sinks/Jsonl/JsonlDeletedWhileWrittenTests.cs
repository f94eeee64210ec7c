using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Recording;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A day file deleted while a batch is written to it, together with a disk that fills or a second deletion: nothing
/// counted written is only in a deleted file, and a gap marker that could not get in is kept for the next write.
/// </summary>
public sealed class JsonlDeletedWhileWrittenTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly March4 = DateOnly.FromDateTime(Now.UtcDateTime);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose() => _folder.Dispose();

    private static CapturedCall Captured(ToolCall call) => new() { Call = call, UtcTicks = Now.UtcTicks, Args = ArgumentCapture.Capture(call.Args, out _) };

    private static int Sequence(AuditEntry entry) => ((System.Text.Json.JsonElement)entry.Args!["seq"]!).GetInt32();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeletedThenDiskFull_LinesCountedWrittenAreOnRecord(bool flushToDisk)
    {
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path, FlushToDisk = flushToDisk }) { HeldFileClock = _clock };
        var dayFile = store.GetFilePath("alice", March4);
        var deletions = new DeletingWrites(dayFile);
        var disk = new FillingDisk();
        store.DayFileWriterHook = (_, write) => disk.Wrap(deletions.Wrap(write));
        var staged = (IStagedAuditSink)store;
        var factory = new AuditEntryFactory(new ToolAuditOptions());
        object? first = null;
        staged.Prepare(Captured(Calls.Typical(sequence: 0)), 0, factory, ref first);
        staged.Commit(first!, null);

        var calls = Enumerable.Range(1, 3).Select(i => Captured(Calls.Typical(sequence: i))).ToArray();
        object? front = null;
        for (var i = 0; i < calls.Length; i++)
        {
            staged.Prepare(calls[i], i + 1, factory, ref front);
        }

        deletions.Left = 1;
        disk.CutAfterLines = [1];
        var commit = () => staged.Commit(front!, null);
        var partial = commit.Should().Throw<PartialCommitException>().Which;
        var notWritten = partial.NotWrittenIn(calls);
        var toldWritten = Enumerable.Range(0, calls.Length).Where(i => !notWritten.Contains(calls[i])).Select(i => i + 1).ToArray();
        var onRecord = (await store.ReadDayAsync("alice", March4)).Select(Sequence).ToArray();
        toldWritten.Should().BeSubsetOf(onRecord, "a call counted written must be on record");
        toldWritten.Should().BeEmpty("the one line that got in went to the deleted file");
    }

    [Fact]
    public async Task GapMarkerWhoseFileIsDeletedTwice_IsKeptForTheNextWrite()
    {
        var logger = new FakeLogger<JsonlAuditStore>();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }, logger) { HeldFileClock = _clock };
        var dayFile = store.GetFilePath("alice", March4);
        var deletions = new DeletingWrites(dayFile);
        store.DayFileWriterHook = (_, write) => deletions.Wrap(write);
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 1)], CancellationToken.None);
        deletions.Left = 2;
        var gaps = () => store.WriteGapsAsync([new AuditGap("alice", 42, Now, Now)], CancellationToken.None).AsTask();
        await gaps.Should().ThrowAsync<IOException>();

        // The disk is fine and the file is left alone now: the next write should carry the kept marker.
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 2)], CancellationToken.None);
        (await store.GetStatsAsync(new AuditQuery { User = "alice" })).Dropped.Should().Be(42, "a drop counted is a drop the trail tells");
    }

    [Fact]
    public async Task HashedUserFolderDeletedDuringTheWrite_EntryIsReadBackUnderItsUser()
    {
        var User = new string('X', 130);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = _folder.Path }) { HeldFileClock = _clock };
        var dayFile = store.GetFilePath(User, March4);
        var deletions = new DeletingWrites(dayFile, wholeFolder: true);
        store.DayFileWriterHook = (_, write) => deletions.Wrap(write);
        await store.WriteAsync([Entries.At(Now, User, sequence: 1)], CancellationToken.None);
        File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(dayFile))!, ".user")).Should().BeTrue("the user is hashed");
        deletions.Left = 1;
        await store.WriteAsync([Entries.At(Now, User, sequence: 2)], CancellationToken.None);

        (await store.GetUsersAsync().ToListAsync()).Should().Equal(User);
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle();
    }
}
