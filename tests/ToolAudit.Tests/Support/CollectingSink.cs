namespace ToolAudit.Tests.Support;

/// <summary>A sink that keeps everything it gets, with the ambient context it saw while writing.</summary>
public sealed class CollectingSink : IAuditGapSink
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _entries = new();
    private readonly List<AuditGap> _gaps = new();

    public AuditContext? ContextSeenByWriter { get; private set; }

    public System.Diagnostics.Activity? ActivitySeenByWriter { get; private set; }

    public int Batches { get; private set; }

    public IReadOnlyList<AuditEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToList();
            }
        }
    }

    public IReadOnlyList<AuditGap> Gaps
    {
        get
        {
            lock (_gate)
            {
                return _gaps.ToList();
            }
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ContextSeenByWriter = ToolAuditContext.Current;
            ActivitySeenByWriter = System.Diagnostics.Activity.Current;
            Batches++;
            _entries.AddRange(batch);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _gaps.AddRange(gaps);
        }

        return ValueTask.CompletedTask;
    }
}
