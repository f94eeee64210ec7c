using System.Text;

namespace ToolAudit.Serialization;

/// <summary>
/// Turns the UTF-8 bytes of short, often repeated values (user and tool names) into strings without allocating a new
/// string each time. A small direct-mapped table: a miss just replaces the slot. Not thread-safe: one per scan.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int MaxLength = 128;
    private readonly (byte[] Key, string Value)?[] _slots = new (byte[], string)?[512];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }

        ref var slot = ref _slots[hash & (uint)(_slots.Length - 1)];
        if (slot is { } hit && utf8.SequenceEqual(hit.Key))
        {
            return hit.Value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        slot = (utf8.ToArray(), value);
        return value;
    }
}
