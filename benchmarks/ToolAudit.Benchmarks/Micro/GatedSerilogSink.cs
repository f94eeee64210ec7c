using Serilog.Core;
using Serilog.Events;

namespace ToolAudit.Benchmarks;

/// <summary>A Serilog sink that waits at the gate, then hands the event on.</summary>
internal sealed class GatedSerilogSink(Gate gate, ILogEventSink inner) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent) => gate.Pass(() => inner.Emit(logEvent));

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
