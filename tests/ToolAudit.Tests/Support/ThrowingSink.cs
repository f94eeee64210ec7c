namespace ToolAudit.Tests.Support;

/// <summary>A sink that throws on every Nth batch and keeps the entries of the others.</summary>
public sealed class ThrowingSink(int everyNthBatch) : IAuditSink
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _kept = new();
    private int _batches;

    public long Rejected { get; private set; }

    public IReadOnlyList<AuditEntry> Kept
    {
        get
        {
            lock (_gate)
            {
                return _kept.ToList();
            }
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (++_batches % everyNthBatch == 0)
            {
                Rejected += batch.Count;
                throw new IOException($"Batch {_batches} rejected on purpose.");
            }

            _kept.AddRange(batch);
        }

        return ValueTask.CompletedTask;
    }
}
