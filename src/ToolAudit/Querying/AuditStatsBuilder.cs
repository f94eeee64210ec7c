namespace ToolAudit.Querying;

/// <summary>Accumulates exact statistics, one entry at a time.</summary>
internal sealed class AuditStatsBuilder
{
    private readonly Dictionary<string, long> _byTool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byUser = new(StringComparer.Ordinal);
    private readonly long[] _byStatus = new long[3];
    private long _total;
    private long _dropped;
    private long _skipped;

    public void Add(AuditEntry entry)
    {
        _total++;
        Increment(_byTool, entry.Tool);
        Increment(_byUser, entry.User);
        if ((uint)entry.Status < (uint)_byStatus.Length)
        {
            _byStatus[(int)entry.Status]++;
        }
    }

    /// <summary>Adds what <paramref name="part"/> counted (a part of the same read).</summary>
    public void Merge(AuditStatsBuilder part)
    {
        _total += part._total;
        AddDropped(part._dropped);
        _skipped += part._skipped;
        for (var i = 0; i < _byStatus.Length; i++)
        {
            _byStatus[i] += part._byStatus[i];
        }

        foreach (var (tool, count) in part._byTool)
        {
            Increment(_byTool, tool, count);
        }

        foreach (var (user, count) in part._byUser)
        {
            Increment(_byUser, user, count);
        }
    }

    /// <summary>Adds a gap's drops; a total past <see cref="long.MaxValue"/> (only hostile gap lines make one) stays there instead of wrapping.</summary>
    public void AddDropped(long count) => _dropped = count > long.MaxValue - _dropped ? long.MaxValue : _dropped + count;

    public void AddSkipped(long count) => _skipped += count;

    public AuditStats Build()
    {
        var statuses = new List<KeyValuePair<string, long>>(3);
        for (var i = 0; i < _byStatus.Length; i++)
        {
            if (_byStatus[i] > 0)
            {
                statuses.Add(new(AuditStatusNames.ToJsonWord((AuditStatus)i), _byStatus[i]));
            }
        }

        return new AuditStats
        {
            Total = _total,
            ByTool = AuditStats.CreateBreakdown(_byTool),
            ByStatus = AuditStats.CreateBreakdown(statuses),
            ByUser = AuditStats.CreateBreakdown(_byUser),
            Dropped = _dropped,
            SkippedLines = _skipped,
        };
    }

    private static void Increment(Dictionary<string, long> counts, string key, long by = 1)
    {
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += by;
    }
}
