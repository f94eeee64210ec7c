using System.Text;
using ToolAudit.Recording;
using ToolAudit.Serialization;

namespace ToolAudit.Tests.Support;

/// <summary>
/// Runs a call through the recorder's capture and entry preparation (cutting, redaction) without a recorder or a
/// thread: the same code path, cheap enough to run thousands of times in one test.
/// </summary>
public static class Prepared
{
    public static readonly DateTimeOffset At = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public static AuditEntry Entry(ToolCall call, ToolAuditOptions? options = null) =>
        new AuditEntryFactory(options ?? new ToolAuditOptions()).Create(new CapturedCall
        {
            Call = call,
            UtcTicks = At.UtcTicks,
            Args = ArgumentCapture.Capture(call.Args, out _),
        });

    /// <summary>The JSONL line the file store writes for a call: its own path, which prepares each part without making the entry.</summary>
    public static string Line(ToolCall call, ToolAuditOptions? options = null)
    {
        var factory = new AuditEntryFactory(options ?? new ToolAuditOptions());
        var captured = new CapturedCall { Call = call, UtcTicks = At.UtcTicks, Args = ArgumentCapture.Capture(call.Args, out _) };
        var writer = new AuditJsonWriter(256);
        writer.WriteLine(captured, factory.NextIdSequence(captured.Timestamp), factory);
        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    public static AuditEntry Entry(IReadOnlyDictionary<string, object?>? args, string? result = null, ToolAuditOptions? options = null) =>
        Entry(new ToolCall("alice", "tool", args, AuditStatus.Ok, result), options);
}
