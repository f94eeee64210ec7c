using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Recording;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A day file the store holds open between batches can be deleted, moved or hard-linked by someone else (an admin, a
/// rotation tool, another process). Lines appended to it then would be lost with it, hidden from every reader, or
/// written under a second name; so before a batch the store checks that the path still names the file it holds (at
/// most once per 10 ms per file, on the clock the tests drive), and when not, logs a warning and opens the file at the
/// path again (a link there is refused as at any open).
/// </summary>
public sealed class JsonlHeldFileTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    private readonly TempFolder _folder = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly FakeLogger<JsonlAuditStore> _logger = new();
    private readonly FakeTimeProvider _clock = new(Now);

    public JsonlHeldFileTests()
    {
        _root = _folder.Subfolder("audit");
        _outside = _folder.Subfolder("outside");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DayFileDeletedBetweenBatches_LaterEntriesGoToANewFileAtThePathAndAWarningSaysSo()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);

        File.Delete(dayFile);
        await WriteAsync(store, 2);
        await WriteAsync(store, 3);

        (await SequencesOnRecordAsync(store)).Should().Equal([3, 2], "the entries after the deletion are in a file readers find");
        AuditFiles.Lines(dayFile).Should().HaveCount(2);
        WarningFor(dayFile).Should().Contain("was deleted");
        _logger.Collector.GetSnapshot().Should().ContainSingle("the new file is the one held from then on");
    }

    [Fact]
    public async Task DayFileMovedAwayBetweenBatches_NothingMoreIsAppendedToItAndLaterEntriesAreAtThePath()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        var rotated = Path.Combine(_outside, "rotated.jsonl");
        var before = await File.ReadAllTextAsync(dayFile);

        File.Move(dayFile, rotated);
        await WriteAsync(store, 2);

        (await File.ReadAllTextAsync(rotated)).Should().Be(before, "a moved file is the mover's now");
        (await SequencesOnRecordAsync(store)).Should().Equal([2]);
        WarningFor(dayFile).Should().Contain("was moved or renamed");
    }

    [Fact]
    public async Task DayFileRenamedWithinItsFolder_LaterEntriesAreAtTheDayFilesPathNotUnderTheOtherName()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);

        File.Move(dayFile, dayFile + ".1");
        await WriteAsync(store, 2);

        AuditFiles.Lines(dayFile + ".1").Should().ContainSingle();
        AuditFiles.Lines(dayFile).Should().ContainSingle().Which.Should().Contain("\"id\":\"id-2\"");
    }

    [Fact]
    public async Task AnotherFileMovedOverTheDayFile_LaterEntriesAreAppendedToTheFileNowAtThePath()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the held file is checked by its name on Linux and macOS
        }

        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        var replacement = Path.Combine(Path.GetDirectoryName(dayFile)!, "replacement");
        var kept = await File.ReadAllTextAsync(dayFile);
        await File.WriteAllTextAsync(replacement, kept);
        File.SetUnixFileMode(replacement, (UnixFileMode)0b110_100_100); // 0644, as a umask of 022 makes it

        File.Move(replacement, dayFile, overwrite: true);
        await WriteAsync(store, 2);

        (await SequencesOnRecordAsync(store)).Should().Equal([2, 1]);
        var warnings = _logger.Collector.GetSnapshot();
        warnings.Select(r => (r.Level, r.Id.Id)).Should().Equal((LogLevel.Warning, 12), (LogLevel.Warning, 21));
        warnings[0].Message.Should().Contain(dayFile).And.Contain("was deleted", "the file held lost its only name");
        warnings[1].Message.Should().Contain(dayFile).And.Contain("(mode 0644)").And.Contain("(mode 0640)", "others may not read it");
        File.GetUnixFileMode(dayFile).Should().Be((UnixFileMode)0b110_100_000);
    }

    [Fact]
    public async Task DayFileHardLinkedBetweenBatches_TheBatchIsRefusedAndNeitherNameChanges()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        var second = Path.Combine(_outside, "second-name.jsonl");
        UnixFiles.HardLink(dayFile, second);
        var before = await File.ReadAllTextAsync(dayFile);

        var write = () => WriteAsync(store, 2);

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should().Contain("a hard link");
        (await File.ReadAllTextAsync(second)).Should().Be(before);
        UnixFiles.LinkCount(dayFile).Should().Be(2);
        WarningFor(dayFile).Should().Contain("was given a second name (a hard link)");
    }

    [Fact]
    public async Task DayFileHardLinkedBetweenBatches_ThroughTheRecorderOnlyThatFilesEntryFails()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        UnixFiles.HardLink(store.GetFilePath("alice", Today), Path.Combine(_outside, "second-name.jsonl"));
        await WriteAsync(store, 1, "bob");

        _clock.Advance(TimeSpan.FromSeconds(1));
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        recorder.Record(Calls.Typical(user: "alice", sequence: 2));
        recorder.Record(Calls.Typical(user: "bob", sequence: 3));
        await recorder.FlushAsync();

        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        (await store.ReadRecentAsync("bob", timeProvider: new FakeTimeProvider(Now))).Should().HaveCount(2);
    }

    [Fact]
    public async Task DayFileReplacedByASymbolicLinkBetweenBatches_TheLinksTargetIsNotWritten()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        var target = Path.Combine(_outside, "precious.txt");
        await File.WriteAllTextAsync(target, "not an audit file\n");
        File.Delete(dayFile);
        File.CreateSymbolicLink(dayFile, target);

        var write = () => WriteAsync(store, 2);

        (await write.Should().ThrowAsync<IOException>()).Which.Message.Should().Contain("symbolic link");
        (await File.ReadAllTextAsync(target)).Should().Be("not an audit file\n");
        WarningFor(dayFile).Should().Contain("was deleted");
    }

    [Fact]
    public async Task DayFileLeftAlone_IsOpenedOnceForManyBatchesAndNothingIsLogged()
    {
        using var store = NewStore();
        var opens = 0;
        store.DayFileOpenedHook = _ => opens++;

        for (var sequence = 1; sequence <= 5; sequence++)
        {
            await WriteAsync(store, sequence);
        }

        opens.Should().Be(1);
        (await SequencesOnRecordAsync(store)).Should().Equal([5, 4, 3, 2, 1]);
        _logger.Collector.Count.Should().Be(0);
    }

    [Fact]
    public async Task DayFileDeletedWhileTheStoreHoldsOtherUsersFiles_OnlyThatFileIsOpenedAgain()
    {
        using var store = NewStore();
        await WriteAsync(store, 1, "alice");
        await WriteAsync(store, 1, "bob");
        var opened = new List<string>();
        store.DayFileOpenedHook = opened.Add;

        File.Delete(store.GetFilePath("alice", Today));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 2), Entries.At(Now, "bob", sequence: 2)], CancellationToken.None);

        opened.Should().Equal([store.GetFilePath("alice", Today)]);
        (await store.ReadRecentAsync("bob", timeProvider: new FakeTimeProvider(Now))).Should().HaveCount(2);
    }

    [Fact]
    public async Task DayFileDeletedWithin10MsOfItsLastCheck_TheBatchWrittenIntoItIsWrittenAgainAtThePath()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        File.Delete(dayFile);

        // 9 ms after the last batch's check: the path is not asked before the write, so it goes where the deleted file
        // went; the open file, asked after it, has no name left, so the batch is written again, to a new file.
        _clock.Advance(TimeSpan.FromMilliseconds(9));
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 2)], CancellationToken.None);

        (await SequencesOnRecordAsync(store)).Should().Equal([2]);
        WarningFor(dayFile).Should().Contain("was deleted");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DayFileOrUserFolderDeletedWhileADurableCallIsWritten_TheLineIsWrittenAgainAndTheCallerToldOnlyThen(bool wholeFolder)
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        var deletions = new DeletingWrites(dayFile, wholeFolder);
        store.DayFileWriterHook = (_, write) => deletions.Wrap(write);
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 1));

        deletions.Left = 1;
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 2));

        deletions.Left.Should().Be(0, "the deletion happened during the second call's write");
        (await SequencesOnRecordAsync(store)).Should().Equal([2], "the caller was told its entry is on record, so it must be");
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 2, Dropped: 0, Failed: 0, Pending: 0));
        WarningFor(dayFile).Should().Contain("was deleted");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DayFileReplacedByACopyOfItselfWhileABatchIsWritten_EveryLineIsOnRecordOnce(bool copyAfterWrite)
    {
        // sed -i: a copy of the file renamed over it. Made after the write, the copy holds the batch's lines, which
        // must not be written again; made before, only the deleted file holds them, so they must be.
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        var copies = new ReplacingWrites(dayFile, copyAfterWrite);
        store.DayFileWriterHook = (_, write) => copies.Wrap(write);
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 1));

        copies.Left = 1;
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 2));
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 3));

        copies.Left.Should().Be(0, "the copy was made during the second call's write");
        (await SequencesOnRecordAsync(store)).Order().Should().Equal([1, 2, 3]);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 3, Dropped: 0, Failed: 0, Pending: 0));
        WarningFor(dayFile).Should().Contain("was deleted");
    }

    [Fact]
    public async Task DayFileDeletedAgainWhileItsBatchIsWrittenAgain_TheDurableCallerIsToldItFailed()
    {
        using var store = NewStore();
        var dayFile = store.GetFilePath("alice", Today);
        var deletions = new DeletingWrites(dayFile);
        store.DayFileWriterHook = (_, write) => deletions.Wrap(write);
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 1));

        deletions.Left = 2;
        var second = async () => await recorder.RecordDurableAsync(Calls.Typical(sequence: 2));

        (await second.Should().ThrowAsync<AuditWriteException>()).Which.InnerException.Should().BeOfType<IOException>()
            .Which.Message.Should().Contain("deleted again");
        deletions.Left.Should().Be(0, "the write and the write again each met a deletion");
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 1, Dropped: 0, Failed: 1, Pending: 0));
        (await SequencesOnRecordAsync(store)).Should().BeEmpty("both files the line went to are gone");
    }

    [Fact]
    public async Task DayFileDeletedRightAfterItWasOpened_IsNoticedOnce10MsHavePassedSinceTheOpen()
    {
        using var store = NewStore();
        await WriteAsync(store, 1);
        var dayFile = store.GetFilePath("alice", Today);
        File.Delete(dayFile);
        await WriteAsync(store, 2); // the file opened again; the clock stands there
        File.Delete(dayFile);

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        await store.WriteAsync([Entries.At(Now, "alice", sequence: 3)], CancellationToken.None);

        (await SequencesOnRecordAsync(store)).Should().Equal([3]);
        _logger.Collector.GetSnapshot().Should().HaveCount(2).And.OnlyContain(r => r.Message.Contains("was deleted"));
    }

    private JsonlAuditStore NewStore() => new(new JsonlAuditOptions { Root = _root }, _logger) { HeldFileClock = _clock };

    /// <summary>Writes one entry of <paramref name="user"/>'s in a batch of its own, a second after the last batch.</summary>
    private async Task WriteAsync(JsonlAuditStore store, int sequence, string user = "alice")
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        await store.WriteAsync([Entries.At(Now, user, sequence: sequence)], CancellationToken.None);
    }

    private static async Task<IEnumerable<int>> SequencesOnRecordAsync(JsonlAuditStore store) =>
        (await store.ReadRecentAsync("alice", timeProvider: new FakeTimeProvider(Now))).Select(e => e.Seq());

    private string WarningFor(string dayFile)
    {
        var record = _logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        record.Level.Should().Be(LogLevel.Warning);
        record.Message.Should().Contain(dayFile);
        return record.Message;
    }
}
