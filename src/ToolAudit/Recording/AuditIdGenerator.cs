using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ToolAudit.Recording;

/// <summary>
/// UUIDv7 identifiers (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter that keeps ids from one generator
/// increasing within a millisecond, and 62 random bits. Not thread-safe: the recorder's single writer owns one.
/// </summary>
internal sealed class AuditIdGenerator
{
    // The two hex digits of every byte value, in order: "000102...ff".
    private static ReadOnlySpan<byte> HexPairs => "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"u8;

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

    /// <summary>The 8-4-4-4-12 lower-case hex form, written in one pass.</summary>
    private static void Format(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var position = 0;
        var pairs = HexPairs;
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                destination[position++] = (byte)'-';
            }

            destination[position] = pairs[bytes[i] * 2];
            destination[position + 1] = pairs[(bytes[i] * 2) + 1];
            position += 2;
        }
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
