namespace ToolAudit;

/// <summary>
/// Exact statistics over a range of the trail.
/// </summary>
/// <remarks>
/// Each breakdown is ordered most common first, ties in ordinal key order. Two statistics are equal when their counts
/// are: the totals, and every key of every breakdown with its count (the dictionaries' contents, not their instances).
/// </remarks>
public sealed record AuditStats
{
    /// <summary>How many entries matched.</summary>
    public long Total { get; init; }

    /// <summary>Entries per tool, most common first.</summary>
    public IReadOnlyDictionary<string, long> ByTool { get; init; } = EmptyBreakdown;

    /// <summary>Entries per status, keyed by the JSON words (<c>ok</c>, <c>error</c>, <c>denied</c>), most common first.</summary>
    public IReadOnlyDictionary<string, long> ByStatus { get; init; } = EmptyBreakdown;

    /// <summary>Entries per user, most common first.</summary>
    public IReadOnlyDictionary<string, long> ByUser { get; init; } = EmptyBreakdown;

    /// <summary>Entries the recorder dropped in the range, as told by the gap markers in the trail.</summary>
    public long Dropped { get; init; }

    /// <summary>Lines the reader could not use (torn or corrupt) and skipped.</summary>
    public long SkippedLines { get; init; }

    private static IReadOnlyDictionary<string, long> EmptyBreakdown { get; } = new AuditBreakdown(Array.Empty<KeyValuePair<string, long>>());

    /// <summary>Whether <paramref name="other"/> holds the same counts: totals, and every breakdown's keys and counts.</summary>
    /// <param name="other">The statistics to compare with.</param>
    /// <returns>True when every count agrees.</returns>
    public bool Equals(AuditStats? other) =>
        other is not null
        && Total == other.Total
        && Dropped == other.Dropped
        && SkippedLines == other.SkippedLines
        && SameCounts(ByTool, other.ByTool)
        && SameCounts(ByStatus, other.ByStatus)
        && SameCounts(ByUser, other.ByUser);

    /// <summary>A hash of the counts, consistent with <see cref="Equals(AuditStats?)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => HashCode.Combine(Total, Dropped, SkippedLines, ByTool.Count, ByStatus.Count, ByUser.Count);

    private static bool SameCounts(IReadOnlyDictionary<string, long> left, IReadOnlyDictionary<string, long> right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (var (key, count) in left)
        {
            if (!right.TryGetValue(key, out var other) || other != count)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Builds a breakdown ordered most common first (ties in ordinal key order), as the <c>By*</c> properties expect.
    /// Store authors use it so that every store orders its statistics the same way.
    /// </summary>
    /// <param name="counts">The counts per key; keys must be unique.</param>
    /// <returns>A read-only dictionary that enumerates in that order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> is null.</exception>
    /// <exception cref="ArgumentException">A key appears twice.</exception>
    public static IReadOnlyDictionary<string, long> CreateBreakdown(IEnumerable<KeyValuePair<string, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var ordered = counts.ToArray();
        Array.Sort(ordered, static (a, b) =>
        {
            var byCount = b.Value.CompareTo(a.Value);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Key, b.Key);
        });
        return new AuditBreakdown(ordered);
    }
}
