namespace ToolAudit.Benchmarks;

/// <summary>A ToolAudit sink that waits at the gate, then hands the batch on (or drops it when there is no inner sink).</summary>
internal sealed class GatedAuditSink(Gate gate, IAuditSink? inner) : IAuditSink
{
    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        gate.Pass(() => inner?.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult());
        return ValueTask.CompletedTask;
    }
}
