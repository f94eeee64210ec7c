using System.Buffers;

namespace ToolAudit.Recording;

/// <summary>
/// The buffer an object argument is serialized into, on the caller's thread: arrays from the shared pool (what is kept
/// is a copy), grown as the serializer asks; it throws <see cref="FullException"/> once more than its limit is written,
/// which ends the serialization there. Dispose it to give the array back.
/// </summary>
internal sealed class SnapshotBuffer(int maxBytes) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256);
    private int _written;

    /// <summary>What was written.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        _written += count;
        if (_written > maxBytes)
        {
            throw new FullException();
        }
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var start = Reserve(sizeHint); // first: it may replace the array
        return _buffer.AsMemory(start);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var start = Reserve(sizeHint);
        return _buffer.AsSpan(start);
    }

    private int Reserve(int sizeHint)
    {
        // The writer asks for room for the worst case of what it writes next (a string all of whose chars it would
        // escape: six bytes each), and tells what it wrote (Advance): the limit is on that. The room asked for may
        // pass it, up to a bound on the memory held.
        var needed = (long)_written + Math.Max(sizeHint, 1);
        if (needed > MaxHeldFactor * (long)maxBytes)
        {
            throw new FullException();
        }

        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(MaxHeldFactor * (long)maxBytes, Math.Max((long)_buffer.Length * 2, needed)));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _written;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    // How many times the limit the buffer may grow to for the room the writer asks for.
    private const int MaxHeldFactor = 8;

    /// <summary>Thrown when the buffer would grow past its limit.</summary>
    internal sealed class FullException : Exception
    {
        public FullException()
            : base("The argument's JSON is longer than the snapshot's limit.")
        {
        }
    }
}
