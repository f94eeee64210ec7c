using NLog.Common;
using NLog.Targets;
using NLog.Targets.Wrappers;

namespace ToolAudit.Benchmarks;

/// <summary>An NLog wrapper target that waits at the gate, then hands the events on to the wrapped (file) target.</summary>
internal sealed class GatedTargetWrapper : WrapperTargetBase
{
    private readonly Gate _gate;

    public GatedTargetWrapper(Gate gate, Target wrapped)
    {
        _gate = gate;
        Name = "gated";
        WrappedTarget = wrapped;
    }

    protected override void Write(AsyncLogEventInfo logEvent) => _gate.Pass(() => WrappedTarget!.WriteAsyncLogEvent(logEvent));

    protected override void Write(IList<AsyncLogEventInfo> logEvents) => _gate.Pass(() => WrappedTarget!.WriteAsyncLogEvents(logEvents));
}
