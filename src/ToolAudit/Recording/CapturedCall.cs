using System.Diagnostics;

namespace ToolAudit.Recording;

/// <summary>
/// What <see cref="AuditRecorder.Record"/> captures on the caller's thread: everything that could change later
/// (arguments, ambient context, activity, time), and nothing that costs much. The writer turns it into an
/// <see cref="AuditEntry"/> off the hot path.
/// </summary>
/// <remarks>
/// Kept small (five references, the time, and up to two arguments inline), since one is allocated per call: the
/// ambient context and the activity are held by reference (a context is immutable; an activity's ids never change
/// once read on the caller's thread) and resolved on the writer.
/// </remarks>
internal sealed class CapturedCall
{
    public required ToolCall Call { get; init; }

    /// <summary>When the call was recorded, in UTC ticks.</summary>
    public required long UtcTicks { get; init; }

    /// <summary>The arguments, copied; values that could change later are already serialized.</summary>
    public ArgumentSnapshot Args { get; init; }

    /// <summary>The ambient context at call time; the call's own values win over it.</summary>
    public AuditContext Context { get; init; } = AuditContext.Empty;

    /// <summary>The activity current at call time, whose trace and span ids were read (and so fixed) on the caller.</summary>
    public Activity? Activity { get; init; }

    /// <summary>Set for <c>RecordDurableAsync</c>: completed once every sink has written the entry.</summary>
    public TaskCompletionSource? Durable { get; init; }

    public DateTimeOffset Timestamp => new(UtcTicks, TimeSpan.Zero);

    /// <summary>The activity's W3C trace id; null without an activity, or for one in the hierarchical id format (it has none).</summary>
    public string? TraceId => Activity is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null;

    /// <summary>The activity's W3C span id; null as for <see cref="TraceId"/>.</summary>
    public string? SpanId => Activity is { IdFormat: ActivityIdFormat.W3C } activity ? activity.SpanId.ToHexString() : null;

    public string? Engine => Call.Engine ?? Context.Engine;

    public string? Model => Call.Model ?? Context.Model;

    public string? SessionId => Call.SessionId ?? Context.SessionId;

    public string? TaskId => Call.TaskId ?? Context.TaskId;
}
