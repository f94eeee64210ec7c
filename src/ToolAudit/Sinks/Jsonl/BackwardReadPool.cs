namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// The day files one newest-first read reads backwards, however many, with at most <see cref="MaxOpen"/> of them open
/// at once: when another must open, the least recently read one is set aside (its file closed, its buffer given back,
/// its position kept) and reopened where it stood when its turn comes again.
/// </summary>
/// <remarks>
/// A read across thousands of user folders merges one stream per folder, and each stream stands in a day file until
/// the merge has taken its lines: holding them all open would run into the process's open-file limit, and a 64 KiB
/// buffer each. Not thread-safe: the streams of one read are advanced one at a time.
/// </remarks>
internal sealed class BackwardReadPool
{
    private readonly Func<string, JsonlLineReader.BackwardPosition?, JsonlLineReader?> _open;
    private readonly List<DayFile> _openFiles = new();
    private long _clock;

    /// <summary>Creates the pool.</summary>
    /// <param name="maxOpen">How many files may be open at once, 1 or more.</param>
    /// <param name="open">
    /// Opens a day file by its path, without following links, for a backward read from its end (no position) or from a
    /// position set aside; null when it is gone, not a regular file, or (with a position) not the file that was read.
    /// </param>
    public BackwardReadPool(int maxOpen, Func<string, JsonlLineReader.BackwardPosition?, JsonlLineReader?> open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOpen, 1);
        MaxOpen = maxOpen;
        _open = open;
    }

    /// <summary>How many files may be open at once.</summary>
    public int MaxOpen { get; }

    /// <summary>Opens the day file at <paramref name="path"/> to read it backwards from its end; null when it is not there to read.</summary>
    /// <param name="path">The day file's path.</param>
    /// <returns>The file, to dispose once read; or null.</returns>
    public DayFile? Open(string path)
    {
        MakeRoom();
        var reader = _open(path, null);
        if (reader is null)
        {
            return null;
        }

        var file = new DayFile(this, path, reader);
        Opened(file);
        return file;
    }

    private bool Reopen(DayFile file)
    {
        MakeRoom();
        var reader = _open(file.Path, file.Position);
        if (reader is null)
        {
            return false;
        }

        file.Resumed(reader);
        Opened(file);
        return true;
    }

    private void Opened(DayFile file)
    {
        file.LastRead = ++_clock;
        _openFiles.Add(file);
    }

    /// <summary>Sets aside the least recently read file while <see cref="MaxOpen"/> are open, so the one to open fits.</summary>
    private void MakeRoom()
    {
        while (_openFiles.Count >= MaxOpen)
        {
            var oldest = 0;
            for (var i = 1; i < _openFiles.Count; i++)
            {
                if (_openFiles[i].LastRead < _openFiles[oldest].LastRead)
                {
                    oldest = i;
                }
            }

            var file = _openFiles[oldest];
            _openFiles.RemoveAt(oldest);
            file.Suspend();
        }
    }

    /// <summary>One day file read backwards, open or set aside.</summary>
    internal sealed class DayFile : IDisposable
    {
        private readonly BackwardReadPool _pool;
        private JsonlLineReader? _reader;
        private int _tornLines;
        private bool _finished;

        public DayFile(BackwardReadPool pool, string path, JsonlLineReader reader)
        {
            _pool = pool;
            Path = path;
            _reader = reader;
        }

        public string Path { get; }

        /// <summary>How many torn lines (a last line without its newline) were skipped.</summary>
        public int TornLines => _tornLines + (_reader?.TornLines ?? 0);

        /// <summary>Where the read stands while it is set aside.</summary>
        internal JsonlLineReader.BackwardPosition? Position { get; private set; }

        internal long LastRead { get; set; }

        /// <summary>The previous line, last to first; valid until the next call on any file of the pool.</summary>
        public bool TryReadPrevious(out ReadOnlyMemory<byte> line)
        {
            if (_reader is null && (_finished || !_pool.Reopen(this)))
            {
                // Read to its start, or gone or replaced while set aside: the rest of it is not this file's to read.
                _finished = true;
                line = default;
                return false;
            }

            LastRead = ++_pool._clock;
            if (_reader!.TryReadPrevious(out line))
            {
                return true;
            }

            // Done: close it now rather than when the stream moves on.
            _finished = true;
            Close();
            return false;
        }

        public void Dispose() => Close();

        internal void Suspend()
        {
            var reader = _reader!;
            _reader = null;
            _tornLines += reader.TornLines;
            var position = reader.Suspend();
            _finished = position.Done;
            Position = position;
        }

        internal void Resumed(JsonlLineReader reader)
        {
            _reader = reader;
            Position = null;
        }

        private void Close()
        {
            if (_reader is { } reader)
            {
                _pool._openFiles.Remove(this);
                _tornLines += reader.TornLines;
                _reader = null;
                reader.Dispose();
            }
        }
    }
}
