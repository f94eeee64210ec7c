using ToolAudit.Recording;

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

    public static AuditEntry Entry(IReadOnlyDictionary<string, object?>? args, string? result = null, ToolAuditOptions? options = null) =>
        Entry(new ToolCall("alice", "tool", args, AuditStatus.Ok, result), options);
}
