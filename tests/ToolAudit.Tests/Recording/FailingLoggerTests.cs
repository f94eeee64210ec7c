using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>
/// A logging provider that throws makes the framework's logger throw an <see cref="AggregateException"/>. The
/// recorder logs on the caller's thread (a drop, a call after shutdown) and on its writer threads (a sink's failure):
/// neither may fail a tool call or stop the writer for it.
/// </summary>
public sealed class FailingLoggerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Record_DroppedWhileTheLoggerThrows_DoesNotThrowAndCountsTheDrop()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ThrowingLoggerProvider()));
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(
            gated,
            new ToolAuditOptions { QueueCapacity = 1, MaxBatchSize = 1, OverflowMode = AuditOverflowMode.DropNewest },
            logger: factory.CreateLogger<AuditRecorder>());
        try
        {
            recorder.Record(Calls.Typical(sequence: 0));
            await gated.WaitForWriteStartedAsync();
            recorder.Record(Calls.Typical(sequence: 1));
            recorder.WaitForEmptyQueue(); // the writer holds entry 1 as the next batch, and parks
            recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot

            var dropped = () => recorder.Record(Calls.Typical(sequence: 3));
            dropped.Should().NotThrow("a tool call never fails for the audit's sake, nor for its logger's");
            recorder.Counters.Dropped.Should().Be(1);
        }
        finally
        {
            gated.Open();
        }

        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 4, Written: 3, Dropped: 1, Failed: 0, Pending: 0));
    }

    [Fact]
    public async Task SinkFailsWhileTheLoggerThrows_TheWriterGoesOnWithTheNextBatch()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ThrowingLoggerProvider()));
        var sink = new ThrowingSink(everyNthBatch: 2);
        await using var recorder = new AuditRecorder(sink, logger: factory.CreateLogger<AuditRecorder>());

        recorder.Record(new ToolCall("alice", "first", null, AuditStatus.Ok));
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Record(new ToolCall("alice", "rejected", null, AuditStatus.Ok)); // the sink's second batch fails, and is logged
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        recorder.Record(new ToolCall("alice", "after", null, AuditStatus.Ok));
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);

        sink.Kept.Select(e => e.Tool).Should().Equal("first", "after");
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 3, Written: 2, Dropped: 0, Failed: 1, Pending: 0));
    }

    [Fact]
    public async Task Record_AfterShutdownWhileTheLoggerThrows_DoesNotThrowAndCountsTheCallFailed()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ThrowingLoggerProvider()));
        var recorder = new AuditRecorder(new CollectingSink(), logger: factory.CreateLogger<AuditRecorder>());
        await recorder.DisposeAsync().AsTask().WaitAsync(Patience);

        var late = () => recorder.Record(new ToolCall("alice", "late", null, AuditStatus.Ok));
        late.Should().NotThrow();
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 1, Written: 0, Dropped: 0, Failed: 1, Pending: 0));
    }

    [Fact]
    public async Task JsonlStore_DayFileDeletedWhileTheLoggerThrows_WritesTheBatchToTheFileOpenedAgain()
    {
        using var folder = new TempFolder();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ThrowingLoggerProvider()));
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(at);
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path }, factory.CreateLogger<JsonlAuditStore>()) { HeldFileClock = clock };
        await store.WriteAsync([Entries.At(at, sequence: 0)], default);
        File.Delete(store.GetFilePath("alice", DateOnly.FromDateTime(at.UtcDateTime)));
        clock.Advance(TimeSpan.FromSeconds(1)); // past the held file's next check

        var write = async () => await store.WriteAsync([Entries.At(at, sequence: 1)], default);

        await write.Should().NotThrowAsync("the warning is lost, not the entry");
        (await store.CountAsync(new AuditQuery())).Should().Be(1);
    }

    [Fact]
    public async Task InMemoryStore_SubscriberThrowsWhileTheLoggerThrows_StoresTheBatchAndDoesNotThrow()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ThrowingLoggerProvider()));
        var store = new InMemoryAuditStore(10, factory.CreateLogger<InMemoryAuditStore>());
        using var boom = store.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

        var write = async () => await store.WriteAsync([Entries.At(at, sequence: 0), Entries.At(at, sequence: 1)], default);

        await write.Should().NotThrowAsync("a batch that is stored is written, whatever its subscriber's logger does");
        store.Count.Should().Be(2);
    }

    private sealed class ThrowingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ThrowingLogger();

        public void Dispose()
        {
        }
    }

    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new IOException("The log's disk is full.");

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new IOException("The log's disk is full.");
    }
}
