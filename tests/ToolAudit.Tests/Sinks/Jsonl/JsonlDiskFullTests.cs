using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Recording;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// A disk that fills in the middle of a batch: the lines whole in the file before the write was cut are on record and
/// counted written, their durable callers told so; only the rest are failed. The disk is the one thing mocked: the day
/// file's <c>write(2)</c> writes for real until its byte budget is spent, then answers <c>ENOSPC</c>.
/// </summary>
public sealed class JsonlDiskFullTests
{
    private const int NoSpaceOnDevice = FillingDisk.NoSpaceOnDevice;
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly March4 = DateOnly.FromDateTime(Now.UtcDateTime);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DiskFillsInTheFourthLineOfABatch_TheThreeBeforeAreWrittenAndTheirCallersToldSo_TheRestFail(bool flushToDisk)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, FlushToDisk = flushToDisk });
        var disk = new FillingDisk();
        store.DayFileWriterHook = (path, write) => path.Contains("alice", StringComparison.Ordinal) ? disk.Wrap(write) : write;
        await using var recorder = new AuditRecorder(store, new ToolAuditOptions(), new FakeTimeProvider(Now));
        var aliceFile = store.GetFilePath("alice", March4);
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 0));

        // Room for three and a half more lines of the same length ("seq":1 to 9; 10 is a byte longer).
        var lineLength = new FileInfo(aliceFile).Length;
        disk.Left = (lineLength * 7) / 2;
        var durable = await OneBatchAsync(recorder, Enumerable.Range(1, 10).Select(i => Calls.Typical(sequence: i)).ToArray());

        durable.Take(3).Should().AllSatisfy(task => task.IsCompletedSuccessfully.Should().BeTrue("its line is whole in the file"));
        durable.Skip(3).Should().AllSatisfy(task => task.Exception!.InnerException.Should().BeOfType<AuditWriteException>());
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 12, Written: 5, Dropped: 0, Failed: 7, Pending: 0), "carol's call, alice's first and three of the batch are written");
        (await store.ReadDayAsync("alice", March4)).Select(Sequence).Should().Equal(0, 1, 2, 3);

        // Room again: the next line starts on a line of its own, after the torn part readers skip and count.
        disk.Left = long.MaxValue;
        await recorder.RecordDurableAsync(Calls.Typical(sequence: 11));
        (await store.ReadDayAsync("alice", March4)).Select(Sequence).Should().Equal(0, 1, 2, 3, 11);
        var stats = await store.GetStatsAsync(new AuditQuery { User = "alice" });
        (stats.Total, stats.SkippedLines).Should().Be((5, 1));
    }

    [Fact]
    public void StagedCommit_DiskFillsInTheSecondPart_NamesExactlyTheCallsPastTheCut_SkippingACallThatHadNoLine()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var disk = new FillingDisk();
        store.DayFileWriterHook = (_, write) => disk.Wrap(write);
        var staged = (IStagedAuditSink)store;
        var factory = new AuditEntryFactory(new ToolAuditOptions());
        var calls = Enumerable.Range(1, 6).Select(i => Captured(Calls.Typical(sequence: i))).ToArray();

        // A call the sink cannot prepare (the recorder counts it failed, as a bug): it has no line in any file.
        var unpreparable = new CapturedCall { Call = null!, UtcTicks = Now.UtcTicks };
        object? front = null;
        object? tail = null;
        staged.Prepare(calls[0], 1, factory, ref front);
        staged.Prepare(calls[1], 2, factory, ref front);
        // First in the second part: the part is started for it, as the recorder's own ref keeps it.
        PrepareFailure(staged, unpreparable, 3, factory, ref tail).Should().BeOfType<NullReferenceException>();
        for (var i = 2; i < calls.Length; i++)
        {
            staged.Prepare(calls[i], i + 2, factory, ref tail);
        }

        // The first part's two lines go whole; of the second part's four, one whole and half the next.
        var commit = () => staged.Commit(front!, tail);
        disk.CutAfterLines = [2, 1];

        var partial = commit.Should().Throw<PartialCommitException>().Which;
        var batch = new[] { calls[0], calls[1], unpreparable, calls[2], calls[3], calls[4], calls[5] };
        partial.NotWrittenIn(batch).Should().BeEquivalentTo(new[] { calls[3], calls[4], calls[5] });
        partial.NotWrittenCount.Should().Be(3);
        partial.InnerException.Should().BeOfType<PartialAppendException>().Which.Message.Should().Contain("No space left on device");
    }

    [Fact]
    public async Task StagedCommit_CallWithNoLineBeforeTheCutInTheSameFile_DoesNotShiftTheCallsAfterIt()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var disk = new FillingDisk();
        store.DayFileWriterHook = (_, write) => disk.Wrap(write);
        var staged = (IStagedAuditSink)store;
        var factory = new AuditEntryFactory(new ToolAuditOptions());
        var first = Captured(Calls.Typical(sequence: 1));

        // Alice's too, and of her day, but with a status the files have no word for (the recorder refuses it; a bug
        // would be needed to get here): preparing it throws half way through its line, so it has no line in her file.
        var unpreparable = Captured(Calls.Typical(sequence: 2) with { Status = (AuditStatus)7 });
        var second = Captured(Calls.Typical(sequence: 3));
        var third = Captured(Calls.Typical(sequence: 4));
        object? front = null;
        staged.Prepare(first, 1, factory, ref front);
        PrepareFailure(staged, unpreparable, 2, factory, ref front).Should().BeOfType<ArgumentOutOfRangeException>();
        staged.Prepare(second, 3, factory, ref front);
        staged.Prepare(third, 4, factory, ref front);
        disk.CutAfterLines = [2];

        var commit = () => staged.Commit(front!, null);

        var partial = commit.Should().Throw<PartialCommitException>().Which;
        partial.NotWrittenCount.Should().Be(1);
        partial.NotWrittenIn([first, unpreparable, second, third]).Should().BeEquivalentTo(new[] { third }, "the file's two whole lines are the first's and the second's");
        (await store.ReadDayAsync("alice", March4)).Select(Sequence).Should().Equal(1, 3);
    }

    [Fact]
    public void StagedCommit_FileEndsTornAndTheDiskIsFull_TheNewlineThatWouldEndItIsNoLineOfTheBatch()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var dayFile = store.GetFilePath("alice", March4);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        File.WriteAllText(dayFile, "{\"ts\":\"2025-03-04T09:00:00.000+00:00\",\"us");
        store.DayFileWriterHook = (_, write) => new FillingDisk { Left = 0 }.Wrap(write);
        var staged = (IStagedAuditSink)store;
        var factory = new AuditEntryFactory(new ToolAuditOptions());
        var calls = Enumerable.Range(1, 2).Select(i => Captured(Calls.Typical(sequence: i))).ToArray();
        object? front = null;
        staged.Prepare(calls[0], 1, factory, ref front);
        staged.Prepare(calls[1], 2, factory, ref front);

        var commit = () => staged.Commit(front!, null);

        var partial = commit.Should().Throw<PartialCommitException>().Which;
        partial.NotWrittenCount.Should().Be(2, "the store's newline before them was refused, and nothing of theirs was written");
        partial.NotWrittenIn(calls).Should().BeEquivalentTo(calls);
    }

    [Fact]
    public async Task GapMarkersTheFullDiskRefused_AreKeptAndWrittenBeforeTheStoresNextLines_OnlyThoseNotWritten()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var disk = new FillingDisk { Left = 0 };
        store.DayFileWriterHook = (_, write) => disk.Wrap(write);

        // The disk is full: both markers are kept.
        var full = () => store.WriteGapsAsync([new AuditGap("alice", 5, Now, Now.AddSeconds(1)), new AuditGap("bob", 2, Now, Now)], default).AsTask();
        (await full.Should().ThrowAsync<AggregateException>()).Which.InnerExceptions.Should().AllBeOfType<PartialAppendException>()
            .And.AllSatisfy(error => error.Message.Should().Contain("No space left on device"));
        (await Dropped(store, "alice"), await Dropped(store, "bob")).Should().Be((0, 0));

        // Room for alice's kept marker, and in bob's file for his kept one and half his new one.
        disk.CutAfterLines = [1, 1];
        var someRoom = () => store.WriteGapsAsync([new AuditGap("bob", 3, Now.AddSeconds(2), Now.AddSeconds(3))], default).AsTask();
        await someRoom.Should().ThrowAsync<PartialAppendException>();
        (await Dropped(store, "alice"), await Dropped(store, "bob")).Should().Be((5, 2));

        // Room again: the next write, for anyone, writes bob's new marker first, and none a second time.
        disk.Left = long.MaxValue;
        await store.WriteAsync([Entries.At(Now.AddSeconds(4), user: "carol", sequence: 1)], default);
        (await Dropped(store, "alice"), await Dropped(store, "bob")).Should().Be((5, 5));
        (await store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(10);
    }

    [Fact]
    public async Task GapMarkersKeptForOneFile_AreMergedIntoOne_SoWhatIsKeptStaysSmall()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var disk = new FillingDisk { Left = 0 };
        store.DayFileWriterHook = (_, write) => disk.Wrap(write);
        for (var i = 1; i <= 3; i++)
        {
            var gaps = () => store.WriteGapsAsync([new AuditGap("alice", i, Now.AddSeconds(i), Now.AddSeconds(i + 1))], default).AsTask();
            await gaps.Should().ThrowAsync<PartialAppendException>();
        }

        disk.Left = long.MaxValue;
        await store.WriteAsync([Entries.At(Now.AddSeconds(10), user: "bob", sequence: 1)], default);

        var gapLines = AuditFiles.Lines(store.GetFilePath("alice", March4)).Where(line => line.StartsWith("{\"_gap\"", StringComparison.Ordinal)).ToList();
        gapLines.Should().ContainSingle().Which.Should().Contain("\"dropped\":6").And.Contain("10:00:01.000").And.Contain("10:00:04.000");
    }

    [Fact]
    public async Task GapMarkerForAFileThatCannotBeOpened_IsNotKept_NoRetryWouldGetPast()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var dayFile = store.GetFilePath("alice", March4);
        Directory.CreateDirectory(Path.GetDirectoryName(dayFile)!);
        File.CreateSymbolicLink(dayFile, Path.Combine(folder.Path, "elsewhere.jsonl"));
        var gaps = () => store.WriteGapsAsync([new AuditGap("alice", 5, Now, Now)], default).AsTask();
        (await gaps.Should().ThrowAsync<IOException>()).Which.Message.Should().Contain("symbolic link");

        // The link gone, the next write writes only its own lines: the marker was not kept for a retry.
        File.Delete(dayFile);
        await store.WriteAsync([Entries.At(Now, user: "alice", sequence: 1)], default);

        AuditFiles.Lines(dayFile).Should().ContainSingle().Which.Should().NotContain("_gap");
    }

    [Fact]
    public async Task GapMarkersStillKeptWhenTheStoreIsDisposed_AreLoggedAsLost()
    {
        using var folder = new TempFolder();
        var logger = new FakeLogger<JsonlAuditStore>();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }, logger);
        store.DayFileWriterHook = (_, write) => new FillingDisk { Left = 0 }.Wrap(write);
        var gaps = () => store.WriteGapsAsync([new AuditGap("alice", 5, Now, Now.AddSeconds(1))], default).AsTask();
        await gaps.Should().ThrowAsync<IOException>();

        store.Dispose();

        var lost = logger.Collector.GetSnapshot().Should().ContainSingle().Subject;
        (lost.Level, lost.Id.Id).Should().Be((LogLevel.Error, 20));
        lost.Message.Should().StartWith("1 gap markers, telling 5 dropped audit entries, could not be written");
    }

    [Fact]
    public async Task GapMarkersKeptWhenTheStoreIsDisposedWithRoomAgain_AreWrittenThen()
    {
        using var folder = new TempFolder();
        var logger = new FakeLogger<JsonlAuditStore>();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }, logger);
        var disk = new FillingDisk { Left = 0 };
        store.DayFileWriterHook = (_, write) => disk.Wrap(write);
        var gaps = () => store.WriteGapsAsync([new AuditGap("alice", 5, Now, Now.AddSeconds(1))], default).AsTask();
        await gaps.Should().ThrowAsync<IOException>();
        disk.Left = long.MaxValue;

        store.Dispose();

        logger.Collector.GetSnapshot().Should().BeEmpty();
        using var reader = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        (await Dropped(reader, "alice")).Should().Be(5);
    }

    private static async Task<long> Dropped(JsonlAuditStore store, string user) =>
        (await store.GetStatsAsync(new AuditQuery { User = user })).Dropped;

    [Theory]
    [InlineData(new int[0], 0, "refused at once")]
    [InlineData(new[] { 0 }, 0, "half the first line, then refused")]
    [InlineData(new[] { 2 }, 2, "two whole lines and half the third, then refused")]
    [InlineData(new[] { 2, 0 }, 2, "two whole lines and half the third; its rewrite cut again in it")]
    [InlineData(new[] { 1, 0 }, 1, "a line and half the second; its rewrite cut again in it")]
    [InlineData(new[] { 1, 1, 0 }, 2, "a line and half the second; its rewrite whole, and half the third")]
    [InlineData(new[] { 0, 0 }, 0, "half the first line; its rewrite cut again in it")]
    [InlineData(new[] { 0, 1, 0 }, 1, "half the first line; its rewrite whole, and half the second")]
    [InlineData(new[] { -1 }, 1, "the first line all but its newline, then refused: the next append starts with a newline, which ends it")]
    [InlineData(new[] { 1, -1 }, 2, "a line and half the second; its rewrite all but its newline, then refused")]
    public void WriteLines_WriteRefusedAfterSomeLines_SaysHowManyLinesAreWholeInTheFile(int[] wholeLinesPerWrite, int expected, string because)
    {
        // Each write takes its count of whole lines (after the newline that ends a torn part, when it starts with one),
        // then half of the next line, or (-1) all of the next line but its newline; then ENOSPC.
        var data = string.Concat(Enumerable.Range(1, 4).Select(i => $"{{\"line\":{i},\"pad\":\"{new string('x', 20)}\"}}\n"));
        var file = new List<byte>();
        var writes = 0;

        var write = () => AppendOnlyFile.WriteLines(System.Text.Encoding.UTF8.GetBytes(data), Write, "test");

        write.Should().Throw<PartialAppendException>().Which.LinesWritten.Should().Be(expected, because);
        file.Add((byte)'\n'); // what the next append starts with
        var text = System.Text.Encoding.UTF8.GetString([.. file]);
        text.Split('\n').Count(line => line.StartsWith("{\"line\":", StringComparison.Ordinal) && line.EndsWith('}'))
            .Should().Be(expected, "the count is the file's whole lines");

        nint Write(ReadOnlySpan<byte> chunk, out int errno)
        {
            if (writes == wholeLinesPerWrite.Length)
            {
                errno = NoSpaceOnDevice;
                return -1;
            }

            var lines = wholeLinesPerWrite[writes++];
            var offset = chunk[0] == (byte)'\n' && file.Count > 0 && file[^1] != (byte)'\n' ? 1 : 0;
            if (lines < 0)
            {
                // All of the next line but its newline.
                var upTo = offset + chunk[offset..].IndexOf((byte)'\n');
                file.AddRange(chunk[..upTo].ToArray());
                errno = 0;
                return upTo;
            }

            for (var i = 0; i < lines; i++)
            {
                offset += chunk[offset..].IndexOf((byte)'\n') + 1;
            }

            var take = offset + (chunk[offset..].IndexOf((byte)'\n') / 2);
            if (take == 0)
            {
                errno = NoSpaceOnDevice;
                return -1;
            }

            file.AddRange(chunk[..take].ToArray());
            errno = 0;
            return take;
        }
    }

    /// <summary>What <see cref="IStagedAuditSink.Prepare"/> threw for <paramref name="call"/> (null when it did not), <paramref name="prepared"/> kept as the recorder keeps it.</summary>
    private static Exception? PrepareFailure(IStagedAuditSink staged, CapturedCall call, long sequence, AuditEntryFactory factory, ref object? prepared)
    {
        try
        {
            staged.Prepare(call, sequence, factory, ref prepared);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static int Sequence(AuditEntry entry) => ((System.Text.Json.JsonElement)entry.Args!["seq"]!).GetInt32();

    private static CapturedCall Captured(ToolCall call) => new() { Call = call, UtcTicks = Now.UtcTicks, Args = ArgumentCapture.Capture(call.Args, out _) };

    /// <summary>Holds the writer while <paramref name="calls"/> queue, so that they are one batch; their durable tasks, once done.</summary>
    private static async Task<Task[]> OneBatchAsync(AuditRecorder recorder, ToolCall[] calls)
    {
        using var hold = new ManualResetEventSlim(false);
        using var entered = new SemaphoreSlim(0);
        var holding = 1;
        recorder.BeforePrepareHook = () =>
        {
            if (Interlocked.Exchange(ref holding, 0) == 1)
            {
                entered.Release();
                hold.Wait(Patience);
            }
        };
        recorder.Record(Calls.Typical(user: "carol", sequence: 100));
        (await entered.WaitAsync(Patience)).Should().BeTrue("the writer takes carol's call");
        var durable = calls.Select(call => recorder.RecordDurableAsync(call).AsTask()).ToArray();
        hold.Set();
        await Task.WhenAll(durable.Select(task => task.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(Patience);
        await recorder.FlushAsync();
        return durable;
    }
}
