using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace ToolAudit.Recording;

/// <summary>
/// UUIDv7 identifiers (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter that keeps ids from one generator
/// increasing within a millisecond, and 62 random bits. Not thread-safe: the recorder's single writer owns one.
/// </summary>
internal sealed class AuditIdGenerator
{
    private readonly byte[] _random = new byte[4096];
    private int _randomOffset = 4096;
    private long _lastMilliseconds = -1;
    private int _counter;

    /// <summary>The length of an id in its text form (8-4-4-4-12 hex digits).</summary>
    public const int FormattedLength = 36;

    /// <summary>The next id, as a string.</summary>
    public string Next(DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[FormattedLength];
        Write(NextSequence(timestamp), text);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary>
    /// The ordered part of the next id: its millisecond and counter (<c>ms &lt;&lt; 12 | counter</c>). Taken in write
    /// order by one thread; <see cref="Write"/> may then run on another generator, which adds its random bits.
    /// </summary>
    public long NextSequence(DateTimeOffset timestamp)
    {
        var milliseconds = Math.Max(timestamp.ToUnixTimeMilliseconds(), 0);
        if (milliseconds <= _lastMilliseconds)
        {
            // Same millisecond (or a clock step back): count up so ids stay ordered; on overflow borrow the next millisecond.
            milliseconds = _lastMilliseconds;
            if (++_counter > 0xFFF)
            {
                milliseconds++;
                _counter = 0;
            }
        }
        else
        {
            _counter = 0;
        }

        _lastMilliseconds = milliseconds;
        return (milliseconds << 12) | (long)_counter;
    }

    /// <summary>Writes the id of a sequence as <see cref="FormattedLength"/> ASCII bytes (the writer's UTF-8 buffer), allocating nothing.</summary>
    public void Write(long sequence, Span<byte> destination)
    {
        var milliseconds = sequence >> 12;
        var counter = (int)(sequence & 0xFFF);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        bytes[6] = (byte)(0x70 | ((counter >> 8) & 0x0F));
        bytes[7] = (byte)counter;
        NextRandom(bytes[8..]);
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        Format(bytes, destination);
    }

    /// <summary>The 8-4-4-4-12 lower-case hex form: a <see cref="Guid"/> of the same bytes, read big-endian, formats as that (vectorized).</summary>
    private static void Format(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var formatted = new Guid(bytes, bigEndian: true).TryFormat(destination, out var written, "D");
        Debug.Assert(formatted && written == FormattedLength, "A GUID's D form is 36 bytes.");
    }

    private void NextRandom(Span<byte> destination)
    {
        if (_randomOffset + destination.Length > _random.Length)
        {
            RandomNumberGenerator.Fill(_random);
            _randomOffset = 0;
        }

        _random.AsSpan(_randomOffset, destination.Length).CopyTo(destination);
        _randomOffset += destination.Length;
    }
}
