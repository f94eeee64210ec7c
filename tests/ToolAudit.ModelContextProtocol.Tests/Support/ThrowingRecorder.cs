namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>A host's own recorder that fails every call: the audit must not pass that failure on to the tool's caller.</summary>
internal sealed class ThrowingRecorder : IAuditRecorder
{
    private int _attempts;

    /// <summary>How many calls were handed to it.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public AuditCounters Counters => default;

    public void Record(ToolCall call)
    {
        Interlocked.Increment(ref _attempts);
        throw new InvalidOperationException("the audit store is read-only");
    }

    public ValueTask RecordDurableAsync(ToolCall call, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the audit store is read-only");

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
