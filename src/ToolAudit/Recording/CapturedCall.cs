using System.Diagnostics;

namespace ToolAudit.Recording;

/// <summary>
/// What <see cref="AuditRecorder.Record"/> captures on the caller's thread: everything that could change later
/// (arguments, ambient context, activity, time), and nothing that costs much. The writer turns it into an
/// <see cref="AuditEntry"/> off the hot path.
/// </summary>
internal sealed class CapturedCall
{
    public required ToolCall Call { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The arguments, copied; values that could change later are already serialized.</summary>
    public KeyValuePair<string, object?>[]? Args { get; init; }

    public string? Engine { get; init; }

    public string? Model { get; init; }

    public string? SessionId { get; init; }

    public string? TaskId { get; init; }

    public ActivityTraceId TraceId { get; init; }

    public ActivitySpanId SpanId { get; init; }

    public bool HasActivity { get; init; }

    /// <summary>Set for <c>RecordDurableAsync</c>: completed once every sink has written the entry.</summary>
    public TaskCompletionSource? Durable { get; init; }
}
