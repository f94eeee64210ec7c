using System.Diagnostics;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Recording;

/// <summary>What <c>Record</c> captures at the call: the exception's message as it was then, and ids only a W3C activity has.</summary>
public sealed class CaptureAtCallTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Record_ExceptionChangedAfterTheCall_TheErrorIsWhatItSaidAtTheCall()
    {
        var gated = new GatedSink();
        await using var recorder = new AuditRecorder(gated, new ToolAuditOptions { MaxBatchSize = 1 });
        recorder.Record(Calls.Typical(sequence: 0));
        await gated.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.WaitForEmptyQueue();

        // The sink is stalled and the writer holds the call before: this one waits in the queue while it changes.
        var exception = new ChangingException();
        recorder.Record(new ToolCall("alice", "fetch", null, AuditStatus.Error) { Exception = exception });
        exception.Detail = "changed later";
        gated.Open();
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);

        gated.Written.Should().HaveCount(3);
        gated.Written[2].Error.Should().Be($"{typeof(ChangingException).FullName}: failed: original");
    }

    [Fact]
    public async Task Record_ExceptionWhoseMessageThrows_IsRecordedWithAPlaceholderAndNothingThrown()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        var record = () => recorder.Record(new ToolCall("alice", "fetch", null, AuditStatus.Error) { Exception = new ThrowingMessageException() });

        record.Should().NotThrow();
        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        sink.Entries.Should().ContainSingle().Which.Error.Should().Be(
            $"{typeof(ThrowingMessageException).FullName}: [unreadable message: System.InvalidOperationException]");
        recorder.Counters.Written.Should().Be(1);
    }

    [Fact]
    public async Task Record_ErrorTextGiven_IsKeptOverTheExceptionsMessage()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        recorder.Record(new ToolCall("alice", "fetch", null, AuditStatus.Denied) { Error = "policy says no", Exception = new InvalidOperationException("boom") });

        await recorder.FlushAsync().AsTask().WaitAsync(Patience);
        sink.Entries.Should().ContainSingle().Which.Error.Should().Be("policy says no");
    }

    [Fact]
    public async Task Record_UnderAHierarchicalActivity_HasNoTraceOrSpanId()
    {
        using var folder = new TempFolder();
        var memory = new InMemoryAuditStore(10);
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([files, memory])))
        {
            using var hierarchical = new Activity("host").SetIdFormat(ActivityIdFormat.Hierarchical).Start();
            recorder.Record(Calls.Typical(sequence: 0));
            hierarchical.Stop();
            using var w3c = new Activity("host").SetIdFormat(ActivityIdFormat.W3C).Start();
            recorder.Record(Calls.Typical(sequence: 1));
        }

        var entries = memory.Recent(10).OrderBy(e => e.Seq()).ToList();
        entries[0].TraceId.Should().BeNull();
        entries[0].SpanId.Should().BeNull();
        entries[1].TraceId.Should().MatchRegex("^[0-9a-f]{32}$").And.NotBe(new string('0', 32));
        var lines = AuditFiles.AllLines(folder.Path);
        lines.Should().ContainSingle(l => !l.Contains("\"trace_id\"", StringComparison.Ordinal) && !l.Contains("\"span_id\"", StringComparison.Ordinal));
    }

    private sealed class ChangingException : Exception
    {
        public string Detail { get; set; } = "original";

        public override string Message => $"failed: {Detail}";
    }

    private sealed class ThrowingMessageException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message today");
    }
}
