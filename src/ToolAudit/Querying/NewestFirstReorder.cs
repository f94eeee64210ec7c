namespace ToolAudit.Querying;

/// <summary>
/// Puts a stream that is newest first only roughly (file order: concurrent calls, or two processes appending to one
/// file, can land a little out of time order) into exact newest-first order, holding a bounded window of entries.
/// </summary>
/// <remarks>
/// An entry is released once it is newer than every entry still to come could be: newer than the oldest read so far
/// plus <see cref="Window"/>. At most <see cref="MaxHeld"/> entries are held, so memory and the latency of a small
/// query stay bounded; disorder deeper than that is not put right (such entries come back roughly in file order).
/// </remarks>
internal static class NewestFirstReorder
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public const int MaxHeld = 1024;

    public static IEnumerable<AuditEntry> Apply(IEnumerable<AuditEntry> roughlyNewestFirst)
    {
        // Newest first; among equal timestamps, the one read first (written last) first.
        var held = new PriorityQueue<AuditEntry, (DateTimeOffset Timestamp, long Order)>(
            Comparer<(DateTimeOffset Timestamp, long Order)>.Create(static (a, b) =>
            {
                var byTime = b.Timestamp.CompareTo(a.Timestamp);
                return byTime != 0 ? byTime : a.Order.CompareTo(b.Order);
            }));
        var oldestRead = DateTimeOffset.MaxValue;
        long order = 0;
        foreach (var entry in roughlyNewestFirst)
        {
            if (entry.Timestamp < oldestRead)
            {
                oldestRead = entry.Timestamp;
            }

            held.Enqueue(entry, (entry.Timestamp, order++));
            while (held.Count > 0 && (held.Count > MaxHeld || held.Peek().Timestamp - oldestRead > Window))
            {
                yield return held.Dequeue();
            }
        }

        while (held.Count > 0)
        {
            yield return held.Dequeue();
        }
    }
}
