namespace ToolAudit;

/// <summary>
/// The names under which ToolAudit reports its own health, for hosts that collect metrics (OpenTelemetry:
/// <c>builder.WithMetrics(m =&gt; m.AddMeter(ToolAuditInstrumentation.MeterName))</c>).
/// </summary>
/// <remarks>
/// The recorder registered by <c>AddToolAudit()</c> reports, on a meter of this name, the counters of
/// <see cref="AuditRecorder.Counters"/>: <c>toolaudit.entries.accepted</c>, <c>toolaudit.entries.written</c>,
/// <c>toolaudit.entries.dropped</c> and <c>toolaudit.entries.failed</c> (observable counters) and
/// <c>toolaudit.entries.pending</c> (an observable up-down counter), all in <c>{entry}</c>. The meter comes from the
/// host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when one is registered (every .NET host registers
/// one), else the recorder's service provider owns it. Reading them costs the recorder nothing: they are read when
/// collected, not counted per call.
/// </remarks>
public static class ToolAuditInstrumentation
{
    /// <summary>The name of ToolAudit's meter: <c>ToolAudit</c>.</summary>
    public const string MeterName = "ToolAudit";
}
