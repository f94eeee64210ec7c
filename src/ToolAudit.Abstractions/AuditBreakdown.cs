using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ToolAudit;

/// <summary>A read-only dictionary that enumerates in the order it was given (most common first).</summary>
internal sealed class AuditBreakdown : IReadOnlyDictionary<string, long>
{
    private readonly KeyValuePair<string, long>[] _ordered;
    private readonly Dictionary<string, long> _lookup;

    public AuditBreakdown(KeyValuePair<string, long>[] ordered)
    {
        _ordered = ordered;
        _lookup = new Dictionary<string, long>(ordered.Length, StringComparer.Ordinal);
        foreach (var pair in ordered)
        {
            // Add, not indexer: a duplicate key is a caller bug that must not silently merge counts.
            _lookup.Add(pair.Key, pair.Value);
        }
    }

    public long this[string key] => _lookup[key];

    public IEnumerable<string> Keys => _ordered.Select(static p => p.Key);

    public IEnumerable<long> Values => _ordered.Select(static p => p.Value);

    public int Count => _ordered.Length;

    public bool ContainsKey(string key) => _lookup.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out long value) => _lookup.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, long>>)_ordered).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The counts, most common first, as a record prints its members: <c>{ read_file = 3, shell = 1 }</c>; past ten, how many more.</summary>
    public override string ToString()
    {
        const int Shown = 10;
        var text = new System.Text.StringBuilder("{ ");
        for (var i = 0; i < Math.Min(Shown, _ordered.Length); i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(_ordered[i].Key).Append(" = ").Append(_ordered[i].Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (_ordered.Length > Shown)
        {
            text.Append(", … (").Append((_ordered.Length - Shown).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" more)");
        }

        return text.Append(_ordered.Length == 0 ? "}" : " }").ToString();
    }
}
