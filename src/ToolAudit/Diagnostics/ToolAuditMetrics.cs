using System.Diagnostics.Metrics;

namespace ToolAudit.Diagnostics;

/// <summary>
/// The recorder's counters as observable instruments on the <see cref="ToolAuditInstrumentation.MeterName"/> meter
/// (see <see cref="ToolAuditInstrumentation"/> for the names). One per service provider; the recorder is attached
/// when the provider creates it, so resolving this alone never starts a recorder.
/// </summary>
internal sealed class ToolAuditMetrics : IDisposable
{
    private const string Unit = "{entry}";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private IAuditRecorder? _recorder;

    public ToolAuditMetrics(IMeterFactory? meterFactory)
    {
        var version = typeof(ToolAuditMetrics).Assembly.GetName().Version?.ToString();
        if (meterFactory is not null)
        {
            // The factory owns (and disposes) its meters, and scopes them to its service provider.
            _meter = meterFactory.Create(new MeterOptions(ToolAuditInstrumentation.MeterName) { Version = version });
        }
        else
        {
            _meter = new Meter(ToolAuditInstrumentation.MeterName, version);
            _ownsMeter = true;
        }

        _meter.CreateObservableCounter(
            "toolaudit.entries.accepted",
            () => Read(static c => c.Accepted),
            Unit,
            "Tool calls handed to the recorder (Record and RecordDurableAsync), whatever became of them.");
        _meter.CreateObservableCounter(
            "toolaudit.entries.written",
            () => Read(static c => c.Written),
            Unit,
            "Entries every sink wrote.");
        _meter.CreateObservableCounter(
            "toolaudit.entries.dropped",
            () => Read(static c => c.Dropped),
            Unit,
            "Entries not written because the queue was full (by the overflow mode); each drop is also a gap in the trail.");
        _meter.CreateObservableCounter(
            "toolaudit.entries.failed",
            () => Read(static c => c.Failed),
            Unit,
            "Entries a sink failed to write, could not be prepared, or were refused by a shutdown.");
        _meter.CreateObservableUpDownCounter(
            "toolaudit.entries.pending",
            () => Read(static c => c.Pending),
            Unit,
            "Entries accepted and not written, dropped or failed yet (queued or being written).");
    }

    /// <summary>The meter the instruments are on.</summary>
    internal Meter Meter => _meter;

    /// <summary>The recorder whose counters the instruments report; until then they report nothing.</summary>
    public void Attach(IAuditRecorder recorder) => Volatile.Write(ref _recorder, recorder);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> Read(Func<AuditCounters, long> value)
    {
        var recorder = Volatile.Read(ref _recorder);
        return recorder is null ? [] : [new Measurement<long>(value(recorder.Counters))];
    }
}
