using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// Reads the lines of a JSONL file without loading it: forwards for counts and statistics, backwards (from the end)
/// for newest-first queries. Only bytes present when the file was opened are read, and a last line without its
/// newline (a write in progress or torn by a crash) is reported as torn, never returned.
/// </summary>
/// <remarks>
/// A returned line is valid until the next call. Memory is bounded by the chunk size and the longest line. A backward
/// read can be set aside (<see cref="Suspend"/>: the file is closed and the buffer given back) and go on from a new
/// open of the same file (<see cref="ResumeBackward"/>), returning the lines it would have returned. A forward read
/// can take one byte range of a file (<see cref="OpenForwardRange"/>), so that several readers share its lines out.
/// </remarks>
internal sealed class JsonlLineReader : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// The longest line read: 64 MiB, several times the longest an entry can make (past 256 arguments the rest are
    /// counted, each value is cut): a longer one is no entry (a zero-filled tail a crash left, a hostile writer's), and it
    /// is skipped and counted as it is read, never held.
    /// </summary>
    internal const int MaxLineBytes = 64 * 1024 * 1024;

    // A resumed read starts small: it is set aside again as soon as another file's turn comes, often after a line or two.
    private const int ResumeChunkSize = 4 * 1024;

    // The bytes just before where a set-aside read stands, kept to tell on reopening that the file is the same one.
    private const int TailSize = 32;

    private readonly SafeFileHandle _file;
    private readonly long _length;
    private byte[] _buffer;
    private int _lo;
    private int _hi;
    private long _filePosition;
    private int _chunk = ChunkSize;

    // How many bytes of the partial line, at the start of [_lo, _hi) reading forwards and at its end reading backwards,
    // are known to hold no newline: each search looks only at the bytes read since, so a long line costs its length,
    // not its length squared over the chunk size.
    private int _clean;

    // Within a line longer than MaxLineBytes, whose bytes are dropped as they are read; reading forwards, where it started.
    private bool _inLongLine;
    private long _longLineStart;
    private bool _started;
    private bool _done;

    // A forward read of a range: the file is another's (not disposed here); lines that start at or after _rangeEnd are
    // the next range's; _lineStart is the file position of _lo; until the first newline is passed, the bytes are the
    // end of a line the range before reads.
    private readonly bool _ownsFile = true;
    private readonly long _rangeEnd = long.MaxValue;
    private long _lineStart;
    private bool _inPreviousLine;

    private JsonlLineReader(SafeFileHandle file, bool backward)
    {
        _file = file;
        _length = RandomAccess.GetLength(file);
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        _filePosition = backward ? _length : 0;
    }

    private JsonlLineReader(SafeFileHandle file, long length, long start, long end)
    {
        _file = file;
        _ownsFile = false;
        _length = length;
        _rangeEnd = end;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);

        // A line starts at the range's start when the byte before it ends a line: so reading from that byte on, the
        // range's lines begin after the first newline read.
        _inPreviousLine = start > 0;
        _filePosition = _lineStart = Math.Max(0, start - 1);
    }

    private JsonlLineReader(SafeFileHandle file, BackwardPosition at)
    {
        // Only the bytes there at the first open are read, as if the file had stayed open: lines appended since lie after them.
        _file = file;
        _length = at.Length;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        _filePosition = at.End;
        _started = at.Started;
        _chunk = ResumeChunkSize;
    }

    /// <summary>How many torn lines (a last line without its newline) and lines too long to be an entry (over <see cref="MaxLineBytes"/>) were skipped.</summary>
    public int TornLines { get; private set; }

    /// <summary>Tests only: the size of the buffer, which holds at most the chunk and the line being read.</summary>
    internal int BufferLength => _buffer.Length;

    /// <summary>
    /// Reads forwards the lines of <paramref name="file"/> that start in [<paramref name="start"/>, <paramref name="end"/>)
    /// (the last of them to its newline, past <paramref name="end"/>), of its first <paramref name="length"/> bytes. The
    /// reader does not own the file: readers of ranges that adjoin, all given the same length, share one open file and
    /// together return each of its lines once, as one forward read would, and the one whose range holds a torn last
    /// line counts it.
    /// </summary>
    /// <param name="file">A regular file open for reading; positional reads only, so readers may share it.</param>
    /// <param name="length">How many of its bytes are read: the length all readers of the file were given.</param>
    /// <param name="start">Where the range starts: a line that starts before it (and runs into it) is the range before's.</param>
    /// <param name="end">Where the next range starts (<see cref="long.MaxValue"/> for the last).</param>
    /// <returns>The reader.</returns>
    public static JsonlLineReader OpenForwardRange(SafeFileHandle file, long length, long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        return new JsonlLineReader(file, length, start, end);
    }

    /// <summary>Reads forwards the file already open as <paramref name="file"/>, which the reader then owns.</summary>
    /// <param name="file">A regular file open for reading (one that can seek).</param>
    /// <returns>The reader, from the file's first byte.</returns>
    public static JsonlLineReader OpenForward(SafeFileHandle file) => Open(file, backward: false);

    /// <summary>Reads backwards, from its end, the file already open as <paramref name="file"/>, which the reader then owns.</summary>
    /// <param name="file">A regular file open for reading (one that can seek).</param>
    /// <returns>The reader, from the file's last line.</returns>
    public static JsonlLineReader OpenBackward(SafeFileHandle file) => Open(file, backward: true);

    /// <summary>
    /// Goes on with a backward read set aside at <paramref name="at"/>, in <paramref name="file"/> (a new open of the same
    /// path), which the reader then owns; null (and the file closed) when the file is not the one that was read.
    /// </summary>
    /// <param name="file">A regular file open for reading (one that can seek).</param>
    /// <param name="at">Where the read stood, from <see cref="Suspend"/>; not <see cref="BackwardPosition.Done"/>.</param>
    /// <returns>The reader, from the line after (before, in the file) the last one returned; or null.</returns>
    /// <remarks>
    /// Files are only appended to, so the same file is at least as long as at its first open and still holds the bytes
    /// read before; a file that is shorter, or whose bytes just before the position (up to 32, and the newline there)
    /// differ, was replaced or cut meanwhile, and none of it is read: its lines are not this file's.
    /// </remarks>
    public static JsonlLineReader? ResumeBackward(SafeFileHandle file, BackwardPosition at)
    {
        try
        {
            if (!at.Done && IsSameFile(file, at))
            {
                return new JsonlLineReader(file, at);
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }

        file.Dispose();
        return null;
    }

    /// <summary>
    /// Sets a backward read aside: closes the file, gives the buffer back and returns where the read stands, for
    /// <see cref="ResumeBackward"/>. The reader is disposed.
    /// </summary>
    /// <returns>The position.</returns>
    public BackwardPosition Suspend()
    {
        // Lines are returned from the end of [_lo, _hi), which holds the bytes from _filePosition on: the next line ends
        // where that data does, before the newline that ends it (or, not started yet, at the end of the file).
        var end = _started ? _filePosition + (_hi - _lo) : _length;
        var tail = _started ? _buffer.AsSpan(Math.Max(_lo, _hi - TailSize), Math.Min(_hi - _lo, TailSize)).ToArray() : [];
        var position = new BackwardPosition(_length, end, _started, _done, tail);
        Dispose();
        return position;
    }

    /// <summary>A reader of the open <paramref name="file"/>, which it then owns (disposed here if the reader cannot be made).</summary>
    private static JsonlLineReader Open(SafeFileHandle file, bool backward)
    {
        try
        {
            return new JsonlLineReader(file, backward);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The next line, first to last.</summary>
    public bool TryReadNext(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_lo + _clean, _hi - _lo - _clean).IndexOf((byte)'\n');
            var newline = found < 0 ? -1 : _clean + found;
            _clean = found < 0 ? _hi - _lo : 0;
            if (newline >= 0)
            {
                var lineStart = _inLongLine ? _longLineStart : _lineStart;
                _lo += newline + 1;
                _lineStart += newline + 1;
                if (_inPreviousLine)
                {
                    _inPreviousLine = _inLongLine = false;
                    continue;
                }

                if (_inLongLine && lineStart < _rangeEnd)
                {
                    // Its end: the line is skipped, and counted by the range it starts in.
                    _inLongLine = false;
                    TornLines++;
                    continue;
                }

                if (lineStart >= _rangeEnd)
                {
                    // The next range's first line: this range is done.
                    _lo = _hi;
                    _filePosition = _length;
                    line = default;
                    return false;
                }

                if (newline > MaxLineBytes)
                {
                    // Read whole all the same (a chunk can hold more than the limit): skipped and counted as if dropped.
                    TornLines++;
                    continue;
                }

                line = _buffer.AsMemory(_lo - newline - 1, newline);
                return true;
            }

            if (_filePosition >= _length)
            {
                if (_hi > _lo || _inLongLine)
                {
                    // A last line without its newline, torn: counted by the range it starts in.
                    if (!_inPreviousLine && (_inLongLine ? _longLineStart : _lineStart) < _rangeEnd)
                    {
                        TornLines++;
                    }

                    _inLongLine = false;

                    _lineStart += _hi - _lo;
                    _lo = _hi;
                    _clean = 0;
                }

                line = default;
                return false;
            }

            if (_inPreviousLine || _inLongLine || _hi - _lo > MaxLineBytes)
            {
                // The end of a line the range before returns, or a line too long to be an entry: none of it is kept.
                if (!_inPreviousLine && !_inLongLine)
                {
                    _inLongLine = true;
                    _longLineStart = _lineStart;
                }

                _lineStart += _hi - _lo;
                _lo = _hi;
                _clean = 0;
            }

            // Keep the partial line, make room after it (twice the line, so a long line is copied a few times, not once
            // per chunk), read on.
            var partial = _hi - _lo;
            if (partial + ChunkSize > _buffer.Length)
            {
                Grow((int)Math.Min(MaxLineBytes + ChunkSize, Math.Max(2L * partial, partial + ChunkSize)), keepAtEnd: false);
            }
            else if (_lo > 0)
            {
                Buffer.BlockCopy(_buffer, _lo, _buffer, 0, partial);
            }

            _lo = 0;
            _hi = partial;
            var want = (int)Math.Min(_buffer.Length - _hi, _length - _filePosition);
            var read = ReadAt(_filePosition, _buffer.AsSpan(_hi, want));
            _filePosition = read == 0 ? _length : _filePosition + read; // Truncated under us: stop at what we have.
            _hi += read;
        }
    }

    /// <summary>The previous line, last to first.</summary>
    public bool TryReadPrevious(out ReadOnlyMemory<byte> line)
    {
        if (!_started)
        {
            _started = true;
            if (!Fill())
            {
                line = default;
                return false;
            }

            if (_buffer[_hi - 1] == '\n')
            {
                _hi--;
            }
            else
            {
                // Drop the unterminated tail: it is a write in progress or a torn one.
                if (!SkipTornTail())
                {
                    line = default;
                    return false;
                }
            }
        }

        while (!_done)
        {
            var newline = _buffer.AsSpan(_lo, _hi - _lo - _clean).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                var start = _lo + newline + 1;
                line = _buffer.AsMemory(start, _hi - start);
                _hi = _lo + newline;
                _clean = 0;
                if (_inLongLine || line.Length > MaxLineBytes)
                {
                    // The start of a line too long to be an entry (or all of it, read whole all the same): skipped, and counted.
                    _inLongLine = false;
                    TornLines++;
                    continue;
                }

                return true;
            }

            _clean = _hi - _lo;
            if (_inLongLine || _clean > MaxLineBytes)
            {
                // A line too long to be an entry: none of it is kept while the newline before it is looked for.
                _inLongLine = true;
                _hi = _lo;
                _clean = 0;
            }

            if (_filePosition == 0)
            {
                _done = true;
                if (_inLongLine || _hi - _lo > MaxLineBytes)
                {
                    _inLongLine = false;
                    TornLines++;
                    break;
                }

                line = _buffer.AsMemory(_lo, _hi - _lo);
                return true;
            }

            Fill();
        }

        line = default;
        return false;
    }

    public void Dispose()
    {
        if (_ownsFile)
        {
            _file.Dispose();
        }

        var buffer = Interlocked.Exchange(ref _buffer, Array.Empty<byte>());
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool SkipTornTail()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_lo, _hi - _lo).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                TornLines++;
                _hi = _lo + newline;
                return true;
            }

            // The torn tail is never returned: none of it is kept while the newline before it is looked for.
            _hi = _lo;
            if (_filePosition == 0)
            {
                TornLines++;
                _done = true;
                return false;
            }

            Fill();
        }
    }

    /// <summary>Reads the chunk before the data in the buffer, keeping that data (a partial line) after it.</summary>
    private bool Fill()
    {
        if (_filePosition == 0)
        {
            return _hi > _lo;
        }

        var partial = _hi - _lo;

        // A chunk as long as the partial line, when that is longer (up to 256 MiB): a long line is then read in a few
        // reads, each copying it once, not in one read and one copy per 64 KiB.
        var chunk = (int)Math.Min(Math.Max(_chunk, Math.Min(partial, 1 << 28)), _filePosition);
        _chunk = Math.Min(_chunk * 2, ChunkSize);
        if (partial + chunk > _buffer.Length)
        {
            Grow(partial + chunk, keepAtEnd: true);
        }
        else if (!_started || _lo < chunk)
        {
            // Move the partial line to the end so the new chunk fits in front of it.
            var end = _buffer.Length;
            Buffer.BlockCopy(_buffer, _lo, _buffer, end - partial, partial);
            _lo = end - partial;
            _hi = end;
        }

        var start = _lo - chunk;
        var read = ReadAt(_filePosition - chunk, _buffer.AsSpan(start, chunk));
        if (read != chunk)
        {
            // Cut while it was read (a copy-and-truncate rotation, an admin): the bytes before the lines read are gone
            // or new, so the rest of the file is skipped, not counted, as a file set aside and found shorter is.
            _filePosition = 0;
            _lo = _hi;
            _done = true;
            return false;
        }

        _filePosition -= chunk;
        _lo = start;
        return _hi > _lo;
    }

    /// <summary>Whether <paramref name="file"/> is still the file a backward read set aside at <paramref name="at"/> read.</summary>
    private static bool IsSameFile(SafeFileHandle file, BackwardPosition at)
    {
        if (RandomAccess.GetLength(file) < at.Length)
        {
            return false;
        }

        if (!at.Started)
        {
            return true;
        }

        // The tail read before, then the newline that ends the next line (it lies before the end: the read is not done).
        Span<byte> bytes = stackalloc byte[TailSize + 1];
        bytes = bytes[..(at.Tail.Length + 1)];
        var start = at.End - at.Tail.Length;
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(file, bytes[read..], start + read);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return bytes[^1] == (byte)'\n' && bytes[..^1].SequenceEqual(at.Tail);
    }

    private void Grow(int size, bool keepAtEnd)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        var partial = _hi - _lo;
        var target = keepAtEnd ? bigger.Length - partial : 0;
        Buffer.BlockCopy(_buffer, _lo, bigger, target, partial);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _lo = target;
        _hi = target + partial;
    }

    private int ReadAt(long position, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(_file, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Where a backward read stands, without its file or buffer (see <see cref="Suspend"/>).</summary>
    /// <param name="Length">The file's length at its first open: bytes after it are not read.</param>
    /// <param name="End">Where the next line ends: the position of the newline after it.</param>
    /// <param name="Started">Whether the end of the file (and its torn tail, if any) was read.</param>
    /// <param name="Done">Whether the first line was returned: nothing is left.</param>
    /// <param name="Tail">Up to 32 bytes just before <paramref name="End"/>, as read.</param>
    internal readonly record struct BackwardPosition(long Length, long End, bool Started, bool Done, byte[] Tail);
}
