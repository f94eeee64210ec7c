using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using ToolAudit.Diagnostics;
using ToolAudit.Querying;
using ToolAudit.Recording;
using ToolAudit.Serialization;
using ToolAudit.Sinks;
using ToolAudit.Sinks.Jsonl;

namespace ToolAudit;

/// <summary>
/// The embedded default store: JSONL files, one per user per day, <c>{Root}/{user}/tool_audit/{yyyy-MM-dd}.jsonl</c>,
/// compatible with the Python orchestrator's files in both directions.
/// </summary>
/// <remarks>
/// <para>
/// Writing: each batch (for the recorder, each part of a batch it prepared on two threads) is serialized to UTF-8 and
/// appended with one write per file, so lines of two writers (also two processes) never interleave. Files stay open
/// between batches and every batch is handed to the operating system before <see cref="WriteAsync"/> returns (and
/// forced to disk with <see cref="JsonlAuditOptions.FlushToDisk"/>).
/// Drops reported by the recorder are written as visible <c>{"_gap":{...}}</c> lines.
/// </para>
/// <para>
/// Reading streams the files (never a whole file in memory), newest first from the end of the newest day; a read of
/// every user holds at most 64 day files open at once (fewer with <see cref="JsonlAuditOptions.MaxOpenFiles"/>),
/// however many users there are, setting the others aside and reopening them where they stood. A torn or
/// corrupt line is skipped and counted (<see cref="AuditStats.SkippedLines"/>), never thrown; a whole line glued onto
/// a torn one (another writer's, torn while this store held the file open) is read, and the torn part counted. Reading while writing
/// sees only whole lines. Readers follow no link below the root either: a user's folder, <c>tool_audit</c> folder,
/// day file or <c>.user</c> file that is a symbolic link (or a day file that is not a regular file, or that has other
/// names: a hard link) is skipped as if it were missing, never thrown and not counted (it holds no lines of the trail). On Linux and macOS each day file is
/// opened through the folders above it, each opened through the one above it; on Windows each level is checked and
/// then opened by path.
/// </para>
/// <para>Thread-safe. Dispose it to close the open files.</para>
/// </remarks>
public sealed class JsonlAuditStore : IAuditStore, IAuditGapSink, IStagedAuditSink, IDisposable
{
    private const string AuditFolder = "tool_audit";
    private const string FileExtension = ".jsonl";
    private const string DayFormat = "yyyy-MM-dd";

    // The most day files one newest-first read holds open at once (fewer with a smaller MaxOpenFiles): a read of up to
    // 64 user folders keeps each file open from its first line to its last, as a read of one user does; a read of more
    // sets the least recently read aside and reopens it where it stood. Well below the usual limit of 1,024 open files
    // per process, beside the writer's MaxOpenFiles and a few reads at once.
    private const int MaxOpenReadFiles = 64;

    // The most paths whose skipping is remembered, so that each is logged once: planted entries by the thousand cannot
    // make the set grow without end (past it, further ones are not logged).
    private const int MaxReportedSkips = 4_096;

    // How often, at most, a day file held open is checked to be still the file its path names (one statx of the path;
    // a system call costs a microsecond or more on a VM). Checking before every batch cost a busy store 5 % of its
    // throughput and 64 durable callers 17 %; once per 10 ms per file costs nothing measurable, and leaves at most
    // 10 ms of entries in a file someone deleted or moved before the store notices.
    private static readonly TimeSpan HeldFileCheckInterval = TimeSpan.FromMilliseconds(10);

    private readonly JsonlAuditOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly TimeZoneInfo _dayZone;
    private readonly TimeZoneInfo _legacyZone;
    private readonly object _writeGate = new();
    private readonly Dictionary<FileKey, OpenFile> _open = new();
    private readonly Stack<PendingBuffers> _spareBuffers = new();
    private readonly Dictionary<string, (string Path, bool NeedsNameFile)> _folders = new(StringComparer.Ordinal);

    // Folders in which the store created a file or folder and that are not flushed to disk yet (with FlushToDisk); under
    // _writeGate. Kept from the moment of creation, also when the open that made the entry then fails, until a day file
    // below them is opened: any day file's, since every later file in such a folder relies on the entry too. A folder
    // whose flush fails holds back only the files below it.
    private readonly HashSet<string> _foldersToFlush = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reportedSkips = new(StringComparer.Ordinal);
    private readonly Action<string, string> _reportSkipped;
    private long _batches;

    // Gap markers a write failed to get into their files (a full disk): written before the store's next lines. Under _writeGate.
    private List<AuditGap>? _unwrittenGaps;
    private long _skippedLines;
    private bool _rootModeChecked;
    private volatile bool _disposed;

    /// <summary>Creates the store; the root folder is created on the first write.</summary>
    /// <param name="options">Where and how to write.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public JsonlAuditStore(JsonlAuditOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates the store, with a logger for what it finds done to its files by others; the root folder is created on the first write.</summary>
    /// <param name="options">Where and how to write.</param>
    /// <param name="logger">
    /// Where the store reports, as warnings, what others did to its files: a day file it held open that something else
    /// deleted, moved or hard-linked meanwhile (the store then opens the file at that path again), and what readers and
    /// the purge skip although something is there (a symbolic link, a hard-linked day file, a FIFO or a socket, a user
    /// folder that cannot be read; once per path), and a root that every user of the machine may write. Null for none.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public JsonlAuditStore(JsonlAuditOptions options, ILogger<JsonlAuditStore>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = GuardedLogger.Guard(logger);
        _reportSkipped = ReportSkipped;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Root));
        _dayZone = options.DayTimeZone;
        _legacyZone = options.LegacyTimestampTimeZone;
    }

    /// <summary>The full path of the root folder.</summary>
    public string Root => _root;

    /// <summary>How many torn or corrupt lines readers of this store have skipped so far.</summary>
    /// <remarks>
    /// Counted among the lines read: a filtered query passes over a line whose bytes hold none of its filters' values
    /// (see <see cref="QueryAsync"/>), and so does a count, without reading it, damaged or not. Statistics read every
    /// line of their range.
    /// </remarks>
    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    /// <summary>The path of the day file that holds <paramref name="user"/>'s entries of <paramref name="day"/>.</summary>
    /// <param name="user">The user.</param>
    /// <param name="day">The day, in <see cref="JsonlAuditOptions.DayTimeZone"/>.</param>
    /// <returns>The full path (the file may not exist).</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty, or holds a lone surrogate.</exception>
    public string GetFilePath(string user, DateOnly day)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        return Path.Combine(UserFolder(user, out _), AuditFolder, DayFileName(day));
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        Commit(Prepare(batch));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="gaps"/> or one of its gaps is null.</exception>
    /// <exception cref="ArgumentException">
    /// A gap's user is null or empty or holds a lone surrogate, or its count is negative: no reader could take its
    /// marker (the list is checked whole before anything is written).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Checked as WriteAsync checks entries: a marker under an empty name would go to a folder that is no one's, and
        // one with a negative count to a line every reader skips as corrupt.
        StoreWriteChecks.ThrowIfAnyUnreadable(gaps, nameof(gaps));

        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            IReadOnlyList<AuditGap> all = _unwrittenGaps is { } kept ? [.. kept, .. gaps] : gaps;
            _unwrittenGaps = null;
            if (WriteGapsLocked(all) is { } error)
            {
                throw error;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Appends gap markers, each to the day file of its user and first drop. The markers a failed write did not get into
    /// their file (those after its lines known written) are kept for the store's next write: a drop counted is a drop the
    /// trail tells, once the disk has room again. A file that cannot even be opened (a refused link, another user's file)
    /// keeps nothing: no retry would get past that, and the recorder has logged the failure.
    /// </summary>
    /// <returns>Why some could not be written (kept); null when all are.</returns>
    private Exception? WriteGapsLocked(IReadOnlyList<AuditGap> gaps)
    {
        var pending = RentBuffers();
        Failures? failures;
        try
        {
            foreach (var gap in gaps)
            {
                pending.For(GapKey(gap)).WriteGapLine(gap);
            }

            _batches++;
            failures = AppendPendingLocked(pending, null);
        }
        finally
        {
            ReturnBuffers(pending);
        }

        if (failures is null)
        {
            return null;
        }

        foreach (var (gap, key) in LinesNotWritten(gaps.Select(gap => (gap, GapKey(gap))), failures.Written))
        {
            if (failures.WriteFailed.Contains(key))
            {
                Keep(gap);
            }
        }

        return failures.Error;
    }

    /// <summary>
    /// Keeps a marker a write could not get into its file, merged with one kept for the same file (the drops added up,
    /// the earliest first drop, the latest last): what is kept stays one marker per file however long the disk is full.
    /// </summary>
    private void Keep(AuditGap gap)
    {
        var kept = _unwrittenGaps ??= new();
        var key = GapKey(gap);
        var same = kept.FindIndex(other => GapKey(other) == key);
        if (same < 0)
        {
            kept.Add(gap);
            return;
        }

        var other = kept[same];
        kept[same] = other with
        {
            Dropped = gap.Dropped > long.MaxValue - other.Dropped ? long.MaxValue : other.Dropped + gap.Dropped,
            Since = gap.Since < other.Since ? gap.Since : other.Since,
            Until = gap.Until > other.Until ? gap.Until : other.Until,
        };
    }

    /// <summary>Before the store's next lines, the gap markers an earlier write could not get into their files; kept again if they still cannot be.</summary>
    private void WriteUnwrittenGapsLocked()
    {
        if (_unwrittenGaps is { } kept)
        {
            _unwrittenGaps = null;
            _ = WriteGapsLocked(kept);
        }
    }

    private FileKey GapKey(AuditGap gap) => new(gap.User, DayOf(gap.Since));

    private void WarnIfTightened(string path, LooseModeChange? change)
    {
        if (change is not { Was: var mode } loose)
        {
            return;
        }

        if (loose.Failure is null)
        {
            Log.LooseModeTightened(_logger, Log.Printable(path), TrailOwnership.Octal(mode), TrailOwnership.Octal(mode & ~TrailOwnership.LooseBits));
        }
        else
        {
            Log.LooseModeKept(_logger, Log.Printable(path), TrailOwnership.Octal(mode), loose.Failure);
        }
    }

    /// <summary>Checks the entries, then serializes them into per-file buffers; no file is touched.</summary>
    /// <param name="batch">The entries.</param>
    /// <returns>The buffers, for <see cref="Commit"/>.</returns>
    /// <remarks>When it throws, the buffers it rented are given back.</remarks>
    private PendingBuffers Prepare(IReadOnlyList<AuditEntry> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Check the whole batch first: a bad entry rejects it before any of it is buffered.
        StoreWriteChecks.ThrowIfAnyUnwritable(batch, nameof(batch));

        var pending = RentBuffers();
        try
        {
            foreach (var entry in batch)
            {
                pending.For(new FileKey(entry.User, DayOf(entry.Timestamp))).WriteLine(entry);
            }
        }
        catch
        {
            ReturnBuffers(pending);
            throw;
        }

        return pending;
    }

    /// <summary>
    /// Serializes one captured call's line into the per-file buffers of the recorder's batch; no file is touched. Runs
    /// without the write lock, so the recorder serializes one batch while the previous one is written.
    /// </summary>
    void IStagedAuditSink.Prepare(CapturedCall call, long idSequence, AuditEntryFactory factory, ref object? prepared)
    {
        var pending = (PendingBuffers)(prepared ??= RentBuffers());
        AuditJsonWriter? buffer = null;
        var start = 0;
        try
        {
            buffer = pending.For(new FileKey(call.Call.User, DayOf(call.Timestamp)));
            start = buffer.WrittenCount;
            buffer.WriteLine(call, idSequence, factory);
        }
        catch
        {
            // Leave no half line behind: the batch's other lines are still written. The call has no line (a partial
            // commit tells calls by their lines' places in their files).
            buffer?.Truncate(start);
            (pending.Skipped ??= new()).Add(call);
            throw;
        }
    }

    /// <summary>
    /// The calls of a batch whose lines are not written, when the files <paramref name="written"/> names failed: each
    /// such file's lines from the first not known to be written. A file's lines are its calls' in the batch's order
    /// (the first part's, then the second's), leaving out the calls that had no line.
    /// </summary>
    private HashSet<CapturedCall> NotWrittenIn(IReadOnlyList<CapturedCall> batch, Dictionary<FileKey, int> written, HashSet<CapturedCall>? skipped, HashSet<CapturedCall>? skippedThen)
    {
        var lines = batch
            .Where(call => skipped?.Contains(call) != true && skippedThen?.Contains(call) != true)
            .Select(call => (call, new FileKey(call.Call.User, DayOf(call.Timestamp))));
        return LinesNotWritten(lines, written).Select(line => line.Item).ToHashSet(); // CapturedCall compares by reference
    }

    /// <summary>
    /// Of the items whose lines were appended (each with its file, in the order of its lines there), those whose lines are
    /// not written: in each file <paramref name="written"/> names as failed, the items from its first line not known to
    /// be written on. Items of files that did not fail are written.
    /// </summary>
    private static IEnumerable<(T Item, FileKey Key)> LinesNotWritten<T>(IEnumerable<(T Item, FileKey Key)> lines, Dictionary<FileKey, int> written)
    {
        var seen = new Dictionary<FileKey, int>();
        foreach (var (item, key) in lines)
        {
            if (!written.TryGetValue(key, out var whole))
            {
                continue;
            }

            seen.TryGetValue(key, out var place);
            seen[key] = place + 1;
            if (place >= whole)
            {
                yield return (item, key);
            }
        }
    }

    /// <summary>
    /// Appends prepared buffers to their files, one write each (for each file the first part's lines, then the second
    /// part's, then one flush to disk when asked for), and gives the buffers back.
    /// </summary>
    /// <exception cref="PartialCommitException">
    /// Some files could not be written (the others were), when <paramref name="byFile"/>; otherwise the error itself.
    /// </exception>
    private void Commit(PendingBuffers pending, PendingBuffers? then = null, bool byFile = false)
    {
        try
        {
            lock (_writeGate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                WriteUnwrittenGapsLocked();
                _batches++;
                AppendPending(pending, then, byFile);
            }
        }
        finally
        {
            ReturnBuffers(pending);
            if (then is not null)
            {
                ReturnBuffers(then);
            }
        }
    }

    /// <inheritdoc />
    void IStagedAuditSink.Commit(object prepared, object? then) => Commit((PendingBuffers)prepared, (PendingBuffers?)then, byFile: true);

    /// <inheritdoc />
    void IStagedAuditSink.Discard(object prepared) => ReturnBuffers((PendingBuffers)prepared);

    /// <inheritdoc />
    /// <remarks>
    /// A query with filters besides its user reads only the lines that can match: a line whose bytes hold the value of a
    /// filter (tool, session, task, engine, model, the status <c>error</c> or <c>denied</c>) nowhere, not even behind a
    /// JSON escape that could spell it, is passed over without being parsed, and the others are parsed without their
    /// arguments, snippet and error first, and whole only when they match. The result is the same as parsing every
    /// line whole; a damaged line passed over is not counted in <see cref="SkippedLines"/>. <see cref="CountAsync"/>
    /// passes over such lines too; <see cref="GetStatsAsync"/> reads every line of its range, so that its
    /// <see cref="AuditStats.SkippedLines"/> is the range's.
    /// </remarks>
    public async IAsyncEnumerable<AuditEntry> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        await Task.CompletedTask.ConfigureAwait(false);
        if (query.Limit == 0)
        {
            yield break;
        }

        // The streams are advanced one at a time, so they share one pool of open files and one string cache: a folder
        // whose turn has not come holds no file open and no buffer, only its position and the entries it has read.
        var files = new BackwardReadPool(Math.Min(_options.MaxOpenFiles, MaxOpenReadFiles), OpenDayFileBackward);
        var strings = new Utf8StringCache();
        var streams = new List<IEnumerator<AuditEntry>>();
        try
        {
            if (query.User is { } only)
            {
                // One user's folders (the encoded one, and a legacy one that may hold the same days), each a stream of
                // its own, and in them only the lines that name that user.
                foreach (var auditPath in AuditFoldersOf(only))
                {
                    streams.Add(NewestFirstReorder.Apply(ReadNewestFirst(auditPath, only, only, query, files, strings, cancellationToken)).GetEnumerator());
                }
            }
            else
            {
                // Every folder once, each line as the user it names: the same lines the statistics count.
                foreach (var (user, auditPath) in ListAuditFolders())
                {
                    streams.Add(NewestFirstReorder.Apply(ReadNewestFirst(auditPath, user, onlyUser: null, query, files, strings, cancellationToken)).GetEnumerator());
                }
            }

            // Merge the folders' streams newest first; among equal times, the last written first, as within a file:
            // ToolAudit's ids grow in write order.
            var heap = new PriorityQueue<IEnumerator<AuditEntry>, (DateTimeOffset Timestamp, string? Id, int Order)>(
                Comparer<(DateTimeOffset Timestamp, string? Id, int Order)>.Create(static (a, b) =>
                {
                    var byTime = b.Timestamp.CompareTo(a.Timestamp);
                    if (byTime != 0)
                    {
                        return byTime;
                    }

                    var byId = string.CompareOrdinal(b.Id, a.Id);
                    return byId != 0 ? byId : a.Order.CompareTo(b.Order);
                }));
            for (var i = 0; i < streams.Count; i++)
            {
                if (streams[i].MoveNext())
                {
                    heap.Enqueue(streams[i], (streams[i].Current.Timestamp, streams[i].Current.Id, i));
                }
            }

            var skipped = 0;
            var returned = 0;
            while (heap.TryDequeue(out var stream, out var priority))
            {
                var entry = stream.Current;
                if (stream.MoveNext())
                {
                    heap.Enqueue(stream, (stream.Current.Timestamp, stream.Current.Id, priority.Order));
                }

                if (skipped < query.Offset)
                {
                    skipped++;
                    continue;
                }

                yield return entry;
                if (++returned >= query.Limit)
                {
                    yield break;
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        long count = 0;
        Scan(
            query, static () => new StrongBox<long>(), static (part, _) => part.Value++, static (_, _) => { }, part => count += part.Value, cancellationToken,
            LineNeedles.For(query));
        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    public ValueTask<AuditStats> GetStatsAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        var stats = new AuditStatsBuilder();
        var skipped = Scan(
            query, static () => new AuditStatsBuilder(), static (part, entry) => part.Add(entry), static (part, gap) => part.AddDropped(gap.Dropped), stats.Merge, cancellationToken);
        stats.AddSkipped(skipped);
        return ValueTask.FromResult(stats.Build());
    }

    /// <inheritdoc />
    /// <remarks>
    /// The users that have a folder under <see cref="Root"/> with a <c>tool_audit</c> folder in it, whatever it holds:
    /// <see cref="PurgeAsync"/> deletes day files, not folders, so a user whose day files were all purged is still
    /// listed. A line that names another user than its folder's does not add that user.
    /// </remarks>
    public async IAsyncEnumerable<string> GetUsersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var user in ListUsers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return user;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Day files are purged whole: a file is deleted when its whole day (in <see cref="JsonlAuditOptions.DayTimeZone"/>)
    /// lies before <paramref name="olderThan"/>; the day that contains <paramref name="olderThan"/> is kept, and so is a
    /// file that holds an entry (or gap marker) at or after it, as a day file of another zone can (the Python
    /// orchestrator's local days). The count is the number of entries in the deleted files. Nothing is created, and no link below the root is followed: a
    /// user's folder, <c>tool_audit</c> folder or day file that is a symbolic link is skipped and left. On Linux and
    /// macOS each folder is held open and the files are deleted through it, so a folder swapped for a link meanwhile
    /// cannot point the purge at a file outside the root; on Windows each level is checked and then used by path. A
    /// purge that deleted files logs how many, and the entries they held (Information, event 16), also when it stops
    /// half way.
    /// </remarks>
    public ValueTask<long> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Purge(olderThan, cancellationToken));

    /// <summary>
    /// The purge: every level is opened through the one above it, and each day file is read and deleted through its
    /// folder held open (on Windows, checked and then used by path; see <see cref="FolderHandle"/>). Creates nothing,
    /// not even the root.
    /// </summary>
    private long Purge(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        using var root = FolderHandle.OpenExistingRoot(_root, _reportSkipped);
        if (root is null)
        {
            return 0;
        }

        long purged = 0;
        var files = 0;
        try
        {
            PurgeFolders(root, olderThan, ref purged, ref files, cancellationToken);
        }
        finally
        {
            // Audit data deleted leaves a trace, also when the purge stops half way (cancelled, or a file that fails).
            if (files > 0)
            {
                Log.Purged(_logger, purged, olderThan, files);
            }
        }

        return purged;
    }

    private void PurgeFolders(FolderHandle root, DateTimeOffset olderThan, ref long purged, ref int files, CancellationToken cancellationToken)
    {
        // Names are listed by path; everything opened or deleted goes through the folder above it, held open.
        foreach (var folder in ListAuditFolders())
        {
            // Opened without following a link: a user's folder or tool_audit folder that is a link (planted by someone
            // who can write the audit root) is skipped and left, and one swapped for a link once it is open cannot send
            // the delete to a file of the same name outside the root.
            using var user = root.OpenExistingFolder(Path.GetFileName(Path.GetDirectoryName(folder.AuditPath)!));
            using var audit = user?.OpenExistingFolder(AuditFolder);
            if (audit is null)
            {
                continue;
            }

            foreach (var (day, path) in ListDayFiles(folder.AuditPath))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (StartOfDay(day, addDays: 1) > olderThan)
                {
                    continue;
                }

                BeforeFileDeleteHook?.Invoke(path);
                long? deleted;
                lock (_writeGate)
                {
                    CloseFile(path);
                    deleted = DeleteDayFile(audit, Path.GetFileName(path), olderThan);
                }

                if (deleted is { } entries)
                {
                    // Each file deleted leaves its own trace (outside the writers' lock: a slow logger holds no batch up).
                    purged += entries;
                    files++;
                    Log.PurgedDayFile(_logger, Log.Printable(path), entries);
                }
            }
        }
    }

    /// <summary>
    /// Deletes the day file <paramref name="name"/> from <paramref name="audit"/>, held open, unless it is a link, not a
    /// regular file or a file with other names (skipped and left: it is not the store's), or it holds an entry or gap marker at or after
    /// <paramref name="olderThan"/>; returns the entries it held, null if it was not deleted.
    /// </summary>
    /// <remarks>
    /// The file's name says its day in <see cref="JsonlAuditOptions.DayTimeZone"/> only when this store wrote it: the
    /// Python orchestrator named files by its local day (with <see cref="JsonlAuditOptions.LegacyTimestampTimeZone"/>
    /// times), and a store may have had another zone before; such a day can end hours after the cut-off.
    /// </remarks>
    private long? DeleteDayFile(FolderHandle audit, string name, DateTimeOffset olderThan)
    {
        var file = audit.OpenExistingRegularFile(name, otherNamesAllowed: false);
        if (file is null)
        {
            return null;
        }

        var entries = CountEntryLinesBefore(JsonlLineReader.OpenForward(file), olderThan);
        return entries is { } count && audit.DeleteFileUnlessLink(name) ? count : null;
    }

    /// <summary>Test hook: called with each folder flushed to disk because a file or folder was created in it (with <see cref="JsonlAuditOptions.FlushToDisk"/>).</summary>
    internal Action<string>? FolderFlushedHook { get; set; }

    /// <summary>
    /// Test hook: called with the path of a <c>.user</c> file or day file just before the store creates or opens it, once
    /// the folders above it are there (to plant a link in that moment).
    /// </summary>
    internal Action<string>? BeforeFileOpenHook { get; set; }

    /// <summary>Test hook: called with a day file's path once it is open, before its last byte is read.</summary>
    internal Action<string>? DayFileOpenedHook { get; set; }

    /// <summary>Test hook: given a day file's path and <c>write(2)</c> at its open, the one its appends use (a disk that fills); Linux and macOS.</summary>
    internal Func<string, AppendOnlyFile.Writer, AppendOnlyFile.Writer>? DayFileWriterHook { get; set; }

    /// <summary>Test hook: how long a day file's open waits for its append gate; null for the default (1 s).</summary>
    internal TimeSpan? AppendGatePatience { get; set; }

    /// <summary>Test hook: called with a day file's path each time its open finds the append gate held by another process.</summary>
    internal Action<string>? AppendGateHeldHook { get; set; }

    /// <summary>Test hook: called with a day file's path once a reader (query, count, statistics) has opened it.</summary>
    internal Action<string>? DayFileReadHook { get; set; }

    /// <summary>Test hook: the clock of the held files' checks (<see cref="HeldFileCheckInterval"/>).</summary>
    internal TimeProvider HeldFileClock { get; set; } = TimeProvider.System;

    /// <summary>Test hook: called with a user folder's path when an unfiltered read has opened it, before its user is read.</summary>
    internal Action<string>? UserFolderReadHook { get; set; }

    /// <summary>
    /// Test hook: called with the path of a day file the purge is about to delete, once it has opened (on Windows,
    /// checked) the folders above it (to plant a link in that moment).
    /// </summary>
    internal Action<string>? BeforeFileDeleteHook { get; set; }

    /// <summary>Closes the open files. Later writes throw <see cref="ObjectDisposedException"/>; reads still work.</summary>
    public void Dispose()
    {
        lock (_writeGate)
        {
            if (_disposed)
            {
                return;
            }

            if (_unwrittenGaps is { } kept)
            {
                // A last try; what is still kept is lost with the store, and said so.
                _unwrittenGaps = null;
                if (WriteGapsLocked(kept) is { } error)
                {
                    Log.GapsLostAtDispose(_logger, _unwrittenGaps?.Count ?? 0, _unwrittenGaps?.Sum(gap => gap.Dropped) ?? 0, error);
                    _unwrittenGaps = null;
                }
            }

            _disposed = true;

            foreach (var file in _open.Values)
            {
                file.File.Dispose();
            }

            _open.Clear();
        }
    }

    private PendingBuffers RentBuffers()
    {
        lock (_spareBuffers)
        {
            return _spareBuffers.Count > 0 ? _spareBuffers.Pop() : new PendingBuffers();
        }
    }

    private void ReturnBuffers(PendingBuffers pending)
    {
        pending.Clear(_options.MaxOpenFiles);
        lock (_spareBuffers)
        {
            // The recorder has at most two batches in flight; keep a spare set for each and one for gap markers.
            if (_spareBuffers.Count < 3)
            {
                _spareBuffers.Push(pending);
            }
        }
    }

    /// <summary>Appends every pending buffer to its file with one write each; a failing file does not stop the others.</summary>
    private void AppendPending(PendingBuffers pending, PendingBuffers? then, bool byFile)
    {
        if (AppendPendingLocked(pending, then) is not { } failures)
        {
            return;
        }

        if (byFile)
        {
            // The buffers are cleared for reuse before the recorder asks: what the answer needs is taken now.
            var written = failures.Written;
            var skipped = pending.Skipped;
            var skippedThen = then?.Skipped;
            throw new PartialCommitException(failures.Lines, batch => NotWrittenIn(batch, written, skipped, skippedThen), failures.Error);
        }

        throw failures.Error;
    }

    /// <summary>Appends every pending buffer to its file with one write each; a failing file does not stop the others.</summary>
    /// <returns>What failed; null when nothing did.</returns>
    private Failures? AppendPendingLocked(PendingBuffers pending, PendingBuffers? then)
    {
        Failures? failures = null;
        var now = HeldFileClock.GetTimestamp();
        foreach (var (key, buffer) in pending.Buffers)
        {
            AppendFile(key, buffer, then?.Buffers.GetValueOrDefault(key), now, ref failures);
        }

        if (then is not null)
        {
            foreach (var (key, buffer) in then.Buffers)
            {
                if (!pending.Buffers.ContainsKey(key))
                {
                    AppendFile(key, buffer, null, now, ref failures);
                }
            }
        }

        EvictIdleFiles();
        return failures;
    }

    /// <summary>
    /// Appends one file's lines, the first part's then the second's (skipped if the first failed, so lines keep their
    /// order), and writes them again to the file at the path when the one they went to turns out deleted meanwhile
    /// and the file now at the path does not already end with them (once: deleted again, they fail). When anything
    /// fails, the file's lines are counted as not written from the first that is not known to be whole in the file: a
    /// write cut short (a full disk) says how many lines it wrote, which count as written (with
    /// <see cref="JsonlAuditOptions.FlushToDisk"/>, once flushed to disk); a failed flush leaves none known.
    /// </summary>
    private void AppendFile(FileKey key, AuditJsonWriter first, AuditJsonWriter? second, long now, ref Failures? failures)
    {
        if (first.WrittenCount == 0 && (second is null || second.WrittenCount == 0))
        {
            return;
        }

        OpenFile? file = null;
        var firstAppended = false;
        var deletedTwice = false;
        try
        {
            file = GetOrOpen(key, out var opened);
            if (!opened && HeldFileClock.GetElapsedTime(file.NameCheckedAt, now) >= HeldFileCheckInterval)
            {
                file = CheckHeldFile(file, now);
            }

            AppendParts(file, first, second, ref firstAppended);
            if (file.File.IsDeleted())
            {
                // Deleted after its last check, and so while this batch was on its way to it (the check runs at most
                // once per 10 ms): the lines would be lost with it and still counted written (a durable caller told
                // so). They are written again, to the file at the path, opened again as the check would have, unless
                // that file already ends with them: a copy made after they went in, renamed over the path (sed -i).
                file = Reopen(file, HeldFileChange.Deleted);
                if (!file.File.EndsWith(first.WrittenSpan, second is null ? default : second.WrittenSpan))
                {
                    firstAppended = false;
                    AppendParts(file, first, second, ref firstAppended);
                }

                if (file.File.IsDeleted())
                {
                    deletedTwice = true;
                    throw new IOException($"The day file '{file.File.Path}' was deleted again while this batch was written to it: its lines are not on record.");
                }
            }

            if (_options.FlushToDisk)
            {
                file.File.FlushToDisk();
            }

            file.LastBatch = _batches;
        }
#pragma warning disable CA1031 // One file's trouble, whatever it is (a planted special file, a refused link), fails that file only.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // One line per entry (a line holds no raw newline), counted only when something failed.
            var firstLines = first.WrittenSpan.Count((byte)'\n');
            var lines = firstLines + (second is null ? 0 : second.WrittenSpan.Count((byte)'\n'));
            var written = ex is PartialAppendException cut ? (firstAppended ? firstLines : 0) + cut.LinesWritten : 0;
            if (written > 0 && ((_options.FlushToDisk && !TryFlushToDisk(file!)) || !StillNamed(file!)))
            {
                written = 0; // not on disk, or only in a file deleted meanwhile (deleted to make room, say)
            }

            failures ??= new();
            failures.Errors.Add(ex);
            failures.Written[key] = written;
            if (ex is PartialAppendException || deletedTwice)
            {
                failures.WriteFailed.Add(key);
            }

            failures.Lines += lines - written;
            CloseFile(key);
        }
    }

    /// <summary>Appends a file's lines of the batch: the first part's, then the second's; <paramref name="firstAppended"/> says once the first part is in.</summary>
    private static void AppendParts(OpenFile file, AuditJsonWriter first, AuditJsonWriter? second, ref bool firstAppended)
    {
        if (first.WrittenCount > 0)
        {
            file.File.Append(first.WrittenSpan);
        }

        firstAppended = true;
        if (second is { WrittenCount: > 0 })
        {
            file.File.Append(second.WrittenSpan);
        }
    }

    /// <summary>The file at a held file's path, opened again (a new one if none is there), after a warning that says what became of the held one.</summary>
    private OpenFile Reopen(OpenFile file, HeldFileChange change)
    {
        Log.HeldFileChanged(_logger, Log.Printable(file.File.Path), change switch
        {
            HeldFileChange.Deleted => "was deleted",
            HeldFileChange.Moved => "was moved or renamed",
            _ => "was given a second name (a hard link)",
        });
        CloseFile(file.Key);
        return GetOrOpen(file.Key, out _);
    }

    /// <summary>Whether <paramref name="file"/> still has a name, after a failed append; false when that cannot be told either.</summary>
    private static bool StillNamed(OpenFile file)
    {
        try
        {
            return !file.File.IsDeleted();
        }
#pragma warning disable CA1031 // The append's own error is the one reported; this only decides what is known written.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Flushes what was appended to <paramref name="file"/> to disk, after a failed append; false when that fails too.</summary>
    private static bool TryFlushToDisk(OpenFile file)
    {
        try
        {
            file.File.FlushToDisk();
            return true;
        }
#pragma warning disable CA1031 // The append's own error is the one reported; this only decides what is known written.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="file"/>, when its path still names it and no other name does; else, since lines appended to it
    /// now would be lost with it, hidden from every reader or written under a second name, the file at the path, opened
    /// again (a new one if none is there; a link there is refused as at any open), with a warning.
    /// </summary>
    private OpenFile CheckHeldFile(OpenFile file, long now)
    {
        var change = file.File.CheckName();
        file.NameCheckedAt = now;
        if (change == HeldFileChange.None)
        {
            RewriteNameFileIfWrong(file.Key);
            return file;
        }

        return Reopen(file, change);
    }

    /// <summary>
    /// For a user of a hashed folder whose day file is held open: its <c>.user</c> file, written again when it no
    /// longer holds the user's name (edited, emptied, deleted), as an open does. Readers take a hashed folder whose
    /// <c>.user</c> does not hash to it for nobody's, so the entries written meanwhile would be out of every unfiltered
    /// read until the store opened a day file of that user again.
    /// </summary>
    private void RewriteNameFileIfWrong(FileKey key)
    {
        var userFolder = UserFolder(key.User, out var needsNameFile);
        if (!needsNameFile)
        {
            return;
        }

        using var root = FolderHandle.OpenRoot(_root, out _);
        using var user = root.OpenFolder(Path.GetFileName(userFolder), out _);
        BeforeFileOpenHook?.Invoke(user.PathOf(UserFolderNames.NameFile));
        if (user.EnsureFile(UserFolderNames.NameFile, Encoding.UTF8.GetBytes(key.User)) && _options.FlushToDisk)
        {
            // Its new entry is durable once the folder is flushed, as after an open.
            user.FlushToDisk();
        }
    }

    private OpenFile GetOrOpen(FileKey key, out bool opened)
    {
        if (_open.TryGetValue(key, out var file))
        {
            opened = false;
            return file;
        }

        opened = true;
        MakeRoomForOneMoreFile();

        // Each level is opened through the one above it, held open: the root (followed if it is a link, the host's
        // choice), the user's folder, its tool_audit folder, then the files. A link at any level below the root is
        // refused, and a folder swapped for a link after it was opened cannot send the next open elsewhere.
        var userFolder = UserFolder(key.User, out var needsNameFile);
        var auditFolder = Path.Combine(userFolder, AuditFolder);
        var dayFileName = DayFileName(key.Day);

        // Each flag is set as soon as its entry is made, also by a call that then fails (an out parameter is the
        // caller's variable): an entry made by an open that failed must still reach the disk before a line relies on it.
        bool rootCreated = false, userCreated = false, auditCreated = false, nameFileWritten = false, fileCreated = false;
        FolderHandle? root = null;
        FolderHandle? user = null;
        FolderHandle? audit = null;
        AppendOnlyFile? appendOnly = null;
        try
        {
            root = FolderHandle.OpenRoot(_root, out rootCreated);
            WarnOnceIfRootWritableByAll(root);
            user = root.OpenFolder(Path.GetFileName(userFolder), out userCreated);
            WarnIfTightened(user.Path, user.LooseMode);
            audit = user.OpenFolder(AuditFolder, out auditCreated);
            WarnIfTightened(audit.Path, audit.LooseMode);
            audit.CheckNoLinkAbove();
            if (needsNameFile)
            {
                BeforeFileOpenHook?.Invoke(user.PathOf(UserFolderNames.NameFile));
                nameFileWritten = user.EnsureFile(UserFolderNames.NameFile, Encoding.UTF8.GetBytes(key.User));
            }

            BeforeFileOpenHook?.Invoke(audit.PathOf(dayFileName));
            var writerHook = DayFileWriterHook;
            appendOnly = AppendOnlyFile.Open(audit, dayFileName, out fileCreated, DayFileOpenedHook, writerHook is null ? null : write => writerHook(audit.PathOf(dayFileName), write), AppendGatePatience, AppendGateHeldHook);
            WarnIfTightened(appendOnly.Path, appendOnly.LooseMode);
            if (appendOnly.OpenedPastHeldGate)
            {
                Log.AppendGateHeld(_logger, Log.Printable(appendOnly.Path), (AppendGatePatience ?? AppendOnlyFile.DefaultGatePatience).TotalMilliseconds);
            }

            // A new file's flushed lines are durable only once its folder's entry for it is too, and so up to the root:
            // with FlushToDisk, each folder above it that gained an entry (for this file, or for an earlier one whose
            // open failed) is flushed now, through the folders held open (the file's own flush follows its write); a
            // failure keeps them for the next attempt.
            FoldersToFlush();
            FlushCreatedFolders(root, user, audit);
        }
        catch
        {
            FoldersToFlush();
            appendOnly?.Dispose();
            throw;
        }
        finally
        {
            audit?.Dispose();
            user?.Dispose();
            root?.Dispose();
        }

        file = new OpenFile(appendOnly, key) { NameCheckedAt = HeldFileClock.GetTimestamp() };
        _open[key] = file;
        return file;

        void FoldersToFlush()
        {
            if (rootCreated && Path.GetDirectoryName(_root) is { } aboveRoot)
            {
                FolderToFlush(aboveRoot);
            }

            if (userCreated)
            {
                FolderToFlush(_root);
            }

            if (auditCreated || nameFileWritten)
            {
                FolderToFlush(userFolder);
            }

            if (fileCreated)
            {
                FolderToFlush(auditFolder);
            }

            // Once: a failed flush must not mark again what was flushed before it.
            rootCreated = userCreated = auditCreated = nameFileWritten = fileCreated = false;
        }
    }

    /// <summary>
    /// Logs, the first time the store opens its root to write, when every user of the machine may write it (<c>o+w</c>,
    /// sticky or not): anyone could then delete day files (without the sticky bit) or plant user folders and links,
    /// which the store refuses and skips, but cannot stop. The root is the host's choice, so it is only a warning.
    /// </summary>
    private void WarnOnceIfRootWritableByAll(FolderHandle root)
    {
        if (_rootModeChecked || root.Handle is not { } handle)
        {
            return;
        }

        _rootModeChecked = true;
        var permissions = OpenFileStatus.Of(handle).Permissions;
        if ((permissions & UnixFileMode.OtherWrite) != 0)
        {
            Log.RootWritableByAll(_logger, Log.Printable(_root), Convert.ToString((int)permissions, 8).PadLeft(4, '0'));
        }
    }

    private void FolderToFlush(string folder)
    {
        if (_options.FlushToDisk)
        {
            _foldersToFlush.Add(folder);
        }
    }

    /// <summary>
    /// Flushes to disk the folders above a day file, <paramref name="root"/>, <paramref name="user"/> and
    /// <paramref name="audit"/> (and the one above the root), that gained an entry and are not flushed yet.
    /// </summary>
    private void FlushCreatedFolders(FolderHandle root, FolderHandle user, FolderHandle audit)
    {
        if (_foldersToFlush.Count == 0)
        {
            return;
        }

        // The one above the root is not held open: opened by path.
        if (Path.GetDirectoryName(_root) is { } aboveRoot && _foldersToFlush.Contains(aboveRoot))
        {
            AppendOnlyFile.FlushFolderToDisk(aboveRoot);
            FolderFlushed(aboveRoot);
        }

        FlushIfCreatedIn(root);
        FlushIfCreatedIn(user);
        FlushIfCreatedIn(audit);
    }

    private void FlushIfCreatedIn(FolderHandle folder)
    {
        if (_foldersToFlush.Contains(folder.Path))
        {
            folder.FlushToDisk();
            FolderFlushed(folder.Path);
        }
    }

    private void FolderFlushed(string folder)
    {
        _foldersToFlush.Remove(folder);
        FolderFlushedHook?.Invoke(folder);
    }

    /// <summary>
    /// Closes the least recently written file when <see cref="JsonlAuditOptions.MaxOpenFiles"/> are open, so that the
    /// bound holds also within a batch for more files than that: a file written in this batch is done for it (each
    /// file's lines are appended at once), so any file may go.
    /// </summary>
    private void MakeRoomForOneMoreFile()
    {
        if (_open.Count < _options.MaxOpenFiles)
        {
            return;
        }

        OpenFile? oldest = null;
        foreach (var open in _open.Values)
        {
            if (oldest is null || open.LastBatch < oldest.LastBatch)
            {
                oldest = open;
            }
        }

        CloseFile(oldest!.Key);
    }

    private void EvictIdleFiles()
    {
        // A user's older days are done once a newer day has been written; beyond that keep the most recent files.
        if (_open.Count <= 1)
        {
            return;
        }

        List<FileKey>? close = null;
        foreach (var (key, file) in _open)
        {
            if (file.LastBatch < _batches && key.Day < DateOnly.MaxValue && _open.ContainsKey(key with { Day = key.Day.AddDays(1) }))
            {
                (close ??= new()).Add(key);
            }
        }

        if (_open.Count - (close?.Count ?? 0) > _options.MaxOpenFiles)
        {
            close ??= new();
            close.AddRange(_open.Values.Where(f => close is null || !close.Contains(f.Key))
                .OrderBy(static f => f.LastBatch)
                .Take(_open.Count - close.Count - _options.MaxOpenFiles)
                .Select(static f => f.Key));
        }

        if (close is not null)
        {
            foreach (var key in close)
            {
                CloseFile(key);
            }
        }
    }

    private void CloseFile(FileKey key)
    {
        if (_open.Remove(key, out var file))
        {
            file.File.Dispose();
        }
    }

    private void CloseFile(string path)
    {
        foreach (var (key, file) in _open)
        {
            if (string.Equals(file.File.Path, path, StringComparison.Ordinal))
            {
                CloseFile(key);
                return;
            }
        }
    }

    private string UserFolder(string user, out bool needsNameFile)
    {
        lock (_folders)
        {
            if (_folders.TryGetValue(user, out var cached))
            {
                needsNameFile = cached.NeedsNameFile;
                return cached.Path;
            }

            var folder = Path.Combine(_root, UserFolderNames.Encode(user, out needsNameFile));
            if (_folders.Count < 10_000)
            {
                _folders[user] = (folder, needsNameFile);
            }

            return folder;
        }
    }

    private DateOnly DayOf(DateTimeOffset timestamp) =>
        DateOnly.FromDateTime(ReferenceEquals(_dayZone, TimeZoneInfo.Utc) ? timestamp.UtcDateTime : TimeZoneInfo.ConvertTime(timestamp, _dayZone).DateTime);

    private DateTimeOffset StartOfDay(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        // As ReadDayAsync has it: a midnight that comes twice starts the day the first time, one that never comes at the change.
        var offset = DayStart.Offset(_dayZone, local);

        // At the ends of the calendar the start of a day may lie outside what a DateTimeOffset holds: clamp.
        var utcTicks = local.Ticks - offset.Ticks;
        return utcTicks < DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue
            : utcTicks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue
            : new DateTimeOffset(local, offset);
    }

    /// <summary>The start of the day <paramref name="addDays"/> after <paramref name="day"/>; the calendar's ends where that day does not exist.</summary>
    private DateTimeOffset StartOfDay(DateOnly day, int addDays)
    {
        var number = (long)day.DayNumber + addDays;
        return number < DateOnly.MinValue.DayNumber ? DateTimeOffset.MinValue
            : number > DateOnly.MaxValue.DayNumber ? DateTimeOffset.MaxValue
            : StartOfDay(DateOnly.FromDayNumber((int)number));
    }

    private static string DayFileName(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture) + FileExtension;

    /// <summary>The user folders to read for <paramref name="user"/>: the encoded one and, if any, a legacy literal one.</summary>
    private IEnumerable<string> AuditFoldersOf(string user)
    {
        var encoded = UserFolderNames.Encode(user, out _);
        yield return Path.Combine(_root, encoded, AuditFolder);
        if (UserFolderNames.LegacyFolder(user, encoded) is { } legacy)
        {
            var path = Path.Combine(_root, legacy, AuditFolder);
            if (Directory.Exists(path))
            {
                yield return path;
            }
        }
    }

    /// <summary>
    /// The user folders that hold a <c>tool_audit</c> folder, with their users. Neither is followed if it is a link (nor
    /// a hashed folder's <c>.user</c> file): it is skipped as if it were missing, so a link planted below the root
    /// cannot add a user or another trail's entries to what readers see.
    /// </summary>
    private List<(string User, string AuditPath)> ListAuditFolders()
    {
        var result = new List<(string, string)>();
        using var root = FolderHandle.OpenExistingRoot(_root, _reportSkipped);
        if (root is null)
        {
            return result;
        }

        // Names are listed by path; each is then opened through the root held open, without following a link.
        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(folder);
            FolderHandle? user = null;
            FolderHandle? audit = null;
            try
            {
                user = root.OpenExistingFolder(name);
                audit = user?.OpenExistingFolder(AuditFolder);
                if (user is null || audit is null)
                {
                    continue;
                }

                UserFolderReadHook?.Invoke(folder);
                if (UserFolderNames.Decode(name, user) is { Length: > 0 } userName)
                {
                    result.Add((userName, audit.Path));
                }
            }
            catch (IOException ex)
            {
                // One folder that cannot be opened (say, no permission), or whose .user cannot be read, is not a trail
                // to read, as Directory.Exists had it: skipped and logged, not thrown, so that it does not fail every
                // read of all users.
                ReportUnreadable(folder, ex);
            }
            finally
            {
                audit?.Dispose();
                user?.Dispose();
            }
        }

        // A stable order (the file system's is not), so that entries of equal time merge the same way every time.
        result.Sort(static (a, b) =>
        {
            var byUser = string.CompareOrdinal(a.Item1, b.Item1);
            return byUser != 0 ? byUser : string.CompareOrdinal(a.Item2, b.Item2);
        });
        return result;
    }

    /// <summary>Logs, once per path, an entry that readers or the purge skipped although something is there.</summary>
    private void ReportSkipped(string path, string what)
    {
        if (FirstReport(path))
        {
            Log.TrailEntrySkipped(_logger, Log.Printable(path), what);
        }
    }

    /// <summary>Logs, once per path, a user folder that readers skipped because it could not be read.</summary>
    private void ReportUnreadable(string folder, IOException error)
    {
        if (FirstReport(folder))
        {
            Log.UserFolderUnreadable(_logger, Log.Printable(folder), error);
        }
    }

    private bool FirstReport(string path) => _reportedSkips.Count < MaxReportedSkips && _reportedSkips.TryAdd(path, true);

    private List<string> ListUsers() =>
        ListAuditFolders().Select(static f => f.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static List<(DateOnly Day, string Path)> ListDayFiles(string auditFolder)
    {
        var result = new List<(DateOnly, string)>();
        if (!Directory.Exists(auditFolder))
        {
            return result;
        }

        foreach (var path in Directory.EnumerateFiles(auditFolder, "*" + FileExtension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (DateOnly.TryParseExact(name, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                result.Add((day, path));
            }
        }

        return result;
    }

    /// <summary>The day files that may hold entries of the query's range, newest day first.</summary>
    private List<(DateOnly Day, string Path)> FilesInRange(IEnumerable<string> auditFolders, AuditQuery query)
    {
        var files = new List<(DateOnly Day, string Path)>();
        foreach (var folder in auditFolders)
        {
            foreach (var file in ListDayFiles(folder))
            {
                // One day of slack either side: a file written under another zone's days (the Python orchestrator's
                // local days, or this store's before DayTimeZone changed) begins and ends less than 24 hours from ours
                // unless the two zones are 24 hours apart or more (UTC-12 and UTC+12 to +14, UTC-11 and UTC+13 to +14,
                // UTC-10 and UTC+14): a second day would cost every range read two more day files read whole.
                if (query.Since is { } since && StartOfDay(file.Day, addDays: 2) <= since)
                {
                    continue;
                }

                if (query.Until is { } until && StartOfDay(file.Day, addDays: -1) >= until)
                {
                    continue;
                }

                files.Add(file);
            }
        }

        files.Sort(static (a, b) => b.Day.CompareTo(a.Day));
        return files;
    }

    /// <summary>
    /// The entries of <paramref name="auditFolder"/> that match, newest day file first and each file from its end, its
    /// files opened through <paramref name="files"/>. Lines without a user are <paramref name="fallbackUser"/>'s; with
    /// <paramref name="onlyUser"/>, lines naming another user are left out (they are that user's, in a folder the two
    /// names share).
    /// </summary>
    private IEnumerable<AuditEntry> ReadNewestFirst(string auditFolder, string fallbackUser, string? onlyUser, AuditQuery query, BackwardReadPool files, Utf8StringCache strings, CancellationToken cancellationToken)
    {
        var passes = new QueryPasses(query);
        var needles = LineNeedles.For(query);
        bool Takes(LineKind kind, AuditEntry? entry) =>
            kind == LineKind.Entry && (onlyUser is null || string.Equals(entry!.User, onlyUser, StringComparison.Ordinal)) && query.Matches(entry!);

        foreach (var (_, path) in FilesInRange([auditFolder], query))
        {
            using var reader = files.Open(path);
            if (reader is null)
            {
                continue;
            }

            long skipped = 0;
            try
            {
                while (reader.TryReadPrevious(out var line))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (needles is not null && !needles.MayMatch(line.Span))
                    {
                        // It holds a filter's value nowhere, not even behind an escape: it cannot match, so it is not read.
                        passes.Count(matched: false);
                        continue;
                    }

                    var projected = passes.ProjectNext;
                    var kind = AuditEntryJsonFormat.ReadLine(line.Span, fallbackUser, _legacyZone, includeArgs: !projected, strings, out var entry, out _, out var damaged);
                    if (damaged)
                    {
                        skipped++;
                    }

                    var matches = Takes(kind, entry);
                    passes.Count(matches);
                    if (matches && projected)
                    {
                        // Read whole now. The projection takes and skips exactly the lines the full read does, so this
                        // is the same entry; the full read's verdict stands all the same.
                        kind = AuditEntryJsonFormat.ReadLine(line.Span, fallbackUser, _legacyZone, includeArgs: true, strings, out entry, out _, out _);
                        matches = Takes(kind, entry);
                    }

                    if (matches)
                    {
                        yield return entry!;
                    }
                }
            }
            finally
            {
                Interlocked.Add(ref _skippedLines, skipped + reader.TornLines);
            }
        }
    }

    /// <summary>
    /// Reads every matching entry and gap of the range forwards, in parts that may run at the same time (see
    /// <see cref="ReadParallelism"/>): each part tallies into its own <typeparamref name="TPart"/>, handed to
    /// <paramref name="done"/> once the part is read (one at a time). Returns the lines skipped. With
    /// <paramref name="needles"/> (a count: gaps and skipped lines are not its result), lines that cannot match are
    /// passed over unparsed.
    /// </summary>
    /// <remarks>
    /// A part is a day file, or, for one larger than <see cref="ParallelRangeBytes"/>, a byte range of it read beside the
    /// others through the one open file (<see cref="JsonlLineReader.OpenForwardRange"/>); together they read each line
    /// once, so a count or a statistic is the same whichever part read a line. One loop runs every part of every file,
    /// so no more than <see cref="ReadParallelism"/> run at once, and only the files being read are open. A failure of
    /// any part fails the whole read with that part's exception.
    /// </remarks>
    private long Scan<TPart>(
        AuditQuery query,
        Func<TPart> newPart,
        Action<TPart, AuditEntry> onEntry,
        Action<TPart, AuditGap> onGap,
        Action<TPart> done,
        CancellationToken cancellationToken,
        LineNeedles? needles = null)
    {
        IEnumerable<(string User, string AuditPath)> folders = query.User is { } only
            ? AuditFoldersOf(only).Select(path => (only, path))
            : ListAuditFolders();
        var files = folders.SelectMany(folder => FilesInRange([folder.AuditPath], query).Select(file => (folder.User, file.Path))).ToList();

        long skipped = 0;
        var gate = new object();
        var opened = new List<SafeFileHandle>();
        void ReadPart(DayFilePart day)
        {
            try
            {
                var part = newPart();
                var strings = new Utf8StringCache();
                long partSkipped = 0;
                using (var reader = JsonlLineReader.OpenForwardRange(day.File.Handle, day.File.Length, day.Start, day.End))
                {
                    while (reader.TryReadNext(out var line))
                    {
                        // Checked per line, not per file: one day file can hold a million lines, a second's work.
                        cancellationToken.ThrowIfCancellationRequested();
                        if (needles is not null && !needles.MayMatch(line.Span))
                        {
                            // A count only: a line that holds a filter's value nowhere cannot count (see QueryAsync).
                            continue;
                        }

                        var kind = AuditEntryJsonFormat.ReadLine(line.Span, day.User, _legacyZone, includeArgs: false, strings, out var entry, out var gap, out var damaged);
                        if (damaged)
                        {
                            partSkipped++;
                        }

                        switch (kind)
                        {
                            case LineKind.Entry when query.Matches(entry!):
                                onEntry(part, entry!);
                                break;
                            case LineKind.Gap when GapFilter.Matches(query, gap!):
                                onGap(part, gap!);
                                break;
                        }
                    }

                    partSkipped += reader.TornLines;
                }

                lock (gate)
                {
                    done(part);
                    skipped += partSkipped;
                }
            }
            finally
            {
                day.File.PartDone();
            }
        }

        // The parts, file by file, as the loop takes them: a file is opened when its first part is taken, and closed when
        // its last part is read, so only the files being read are open.
        IEnumerable<DayFilePart> Parts()
        {
            foreach (var (user, path) in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var handle = OpenDayFileHandle(path);
                if (handle is null)
                {
                    continue;
                }

                opened.Add(handle);
                DayFileReadHook?.Invoke(path);

                // Every range reads the bytes there now: lines appended meanwhile are left, as one forward read leaves them.
                var length = RandomAccess.GetLength(handle);
                var ranges = (int)Math.Clamp(length / ParallelRangeBytes, 1, ReadParallelism);
                var file = new SharedDayFile(handle, length, ranges);
                for (var i = 0; i < ranges; i++)
                {
                    yield return new DayFilePart(user, file, length * i / ranges, i == ranges - 1 ? long.MaxValue : length * (i + 1) / ranges);
                }
            }
        }

        try
        {
            if (ReadParallelism == 1)
            {
                foreach (var part in Parts())
                {
                    ReadPart(part);
                }
            }
            else
            {
                // One loop over every part of every file, so at most ReadParallelism parts run at once; taken one at a
                // time (no buffering), so a file is not opened long before it is read.
                var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = ReadParallelism };
                Parallel.ForEach(Partitioner.Create(Parts(), EnumerablePartitionerOptions.NoBuffering), parallel, ReadPart);
            }
        }
        catch (AggregateException parts)
        {
            // As a read of one part at a time would throw it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(parts.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        finally
        {
            // The files of parts a failed or cancelled read never took.
            foreach (var handle in opened)
            {
                handle.Dispose();
            }

            Interlocked.Add(ref _skippedLines, skipped);
        }

        return skipped;
    }

    /// <summary>A part of a count or statistics read: the lines of <paramref name="File"/> that start in [Start, End).</summary>
    private readonly record struct DayFilePart(string User, SharedDayFile File, long Start, long End);

    /// <summary>A day file open for the parts of a read that share it, closed when the last of them is read.</summary>
    private sealed class SharedDayFile(SafeFileHandle handle, long length, int parts)
    {
        private int _left = parts;

        public SafeFileHandle Handle { get; } = handle;

        /// <summary>The length every part reads to.</summary>
        public long Length { get; } = length;

        public void PartDone()
        {
            if (Interlocked.Decrement(ref _left) == 0)
            {
                Handle.Dispose();
            }
        }
    }

    /// <summary>
    /// How many parts of a count or statistics read run at the same time: the machine's processors, at most four, so
    /// that an admin's read leaves room for the host (and the recorder's own two threads) on a bigger machine.
    /// </summary>
    internal int ReadParallelism { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>
    /// The least bytes of a day file per reader when a count or statistics read shares the file out (16,000 typical
    /// lines): below it, starting a reader costs more than it saves.
    /// </summary>
    internal long ParallelRangeBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Opens the day file at <paramref name="path"/> (<c>{Root}/{user folder}/tool_audit/{day}.jsonl</c>) for reading
    /// without following a link below the root: on Linux and macOS the root, then the user folder, the <c>tool_audit</c>
    /// folder and the file each through the one above it (<c>openat</c>, <c>O_NOFOLLOW</c>); on Windows each level is
    /// checked for a link and then opened by path (a link planted between the check and the open is followed).
    /// </summary>
    /// <param name="path">The day file's path, as listed.</param>
    /// <param name="backward">Whether to read from its end.</param>
    /// <param name="resume">Where a backward read of the file set aside stands, to go on from there.</param>
    /// <returns>
    /// The reader, which owns the file (the folders are closed again: one file open per day file read); null when
    /// the file or a folder above it is gone, is a symbolic link, or the file is not a regular file or has other names
    /// (a hard link: both names of the pair are skipped), or (with
    /// <paramref name="resume"/>) it is no longer the file that was read (see <see cref="JsonlLineReader.ResumeBackward"/>).
    /// Such a file is skipped as if it were missing (the rest of it, when resumed), never thrown, so one planted link
    /// cannot fail every read; it holds no lines of the trail, so it is not counted in <see cref="AuditStats.SkippedLines"/>.
    /// </returns>
    /// <exception cref="IOException">A level is there but cannot be opened.</exception>
    private JsonlLineReader? OpenDayFile(string path, bool backward, JsonlLineReader.BackwardPosition? resume = null)
    {
        var file = OpenDayFileHandle(path);
        if (file is null)
        {
            return null;
        }

        var reader = resume is { } at ? JsonlLineReader.ResumeBackward(file, at)
            : backward ? JsonlLineReader.OpenBackward(file)
            : JsonlLineReader.OpenForward(file);
        if (reader is not null)
        {
            DayFileReadHook?.Invoke(path);
        }

        return reader;
    }

    /// <summary>
    /// Opens the day file at <paramref name="path"/> for reading as <see cref="OpenDayFile"/> does (no link below the
    /// root followed, only a regular file with one name), for the caller to read; null when it is to be skipped.
    /// </summary>
    /// <exception cref="IOException">A level is there but cannot be opened.</exception>
    private SafeFileHandle? OpenDayFileHandle(string path)
    {
        var auditPath = Path.GetDirectoryName(path)!;
        using var root = FolderHandle.OpenExistingRoot(_root, _reportSkipped);
        using var user = root?.OpenExistingFolder(Path.GetFileName(Path.GetDirectoryName(auditPath)!));
        using var audit = user?.OpenExistingFolder(Path.GetFileName(auditPath));
        return audit?.OpenExistingRegularFile(Path.GetFileName(path), otherNamesAllowed: false);
    }

    private JsonlLineReader? OpenDayFileBackward(string path, JsonlLineReader.BackwardPosition? resume) => OpenDayFile(path, backward: true, resume);

    /// <summary>
    /// The entries among the lines of <paramref name="reader"/>, which it disposes; null when an entry or gap marker is
    /// at or after <paramref name="olderThan"/> (the file must stay).
    /// </summary>
    private long? CountEntryLinesBefore(JsonlLineReader reader, DateTimeOffset olderThan)
    {
        using var owned = reader;
        long count = 0;
        while (reader.TryReadNext(out var line))
        {
            // A whole line glued after a torn one is an entry (or marker) here as in every reader.
            switch (AuditEntryJsonFormat.ReadLine(line.Span, "unknown", _legacyZone, includeArgs: false, null, out var entry, out var gap, out _))
            {
                case LineKind.Entry when entry!.Timestamp >= olderThan:
                case LineKind.Gap when gap!.Since >= olderThan:
                    return null;
                case LineKind.Entry:
                    count++;
                    break;
            }
        }

        return count;
    }

    private readonly record struct FileKey(string User, DateOnly Day);

    /// <summary>One batch's lines, serialized and grouped by the file they go to.</summary>
    /// <summary>What a commit could not write: the errors, the files, and how many lines they would have held.</summary>
    private sealed class Failures
    {
        public List<Exception> Errors { get; } = new();

        /// <summary>The files that failed, each with how many of its lines, from the first, are written all the same.</summary>
        public Dictionary<FileKey, int> Written { get; } = new();

        /// <summary>How many lines of the failed files are not written.</summary>
        public int Lines { get; set; }

        /// <summary>The failed files whose write failed (a full disk, a quota, an I/O error), not their open (a refused link, another user's file).</summary>
        public HashSet<FileKey> WriteFailed { get; } = new();

        /// <summary>The one error, or all of them.</summary>
        public Exception Error => Errors.Count == 1 ? Errors[0] : new AggregateException("Audit files could not be written.", Errors);
    }

    private sealed class PendingBuffers
    {
        public Dictionary<FileKey, AuditJsonWriter> Buffers { get; } = new();

        /// <summary>The recorder's calls that <see cref="IStagedAuditSink.Prepare"/> gave no line (it threw); null when none.</summary>
        public HashSet<CapturedCall>? Skipped { get; set; }

        public AuditJsonWriter For(FileKey key)
        {
            if (!Buffers.TryGetValue(key, out var buffer))
            {
                buffer = new AuditJsonWriter(16 * 1024);
                Buffers[key] = buffer;
            }

            return buffer;
        }

        /// <summary>Empties the buffers for reuse; drops them all when they serve more files than are kept open, so a store that saw many users does not keep their memory.</summary>
        public void Clear(int maxFiles)
        {
            Skipped = null;
            if (Buffers.Count > maxFiles)
            {
                Buffers.Clear();
                return;
            }

            foreach (var buffer in Buffers.Values)
            {
                buffer.Clear();
            }
        }
    }

    private sealed class OpenFile(AppendOnlyFile file, FileKey key)
    {
        public AppendOnlyFile File { get; } = file;

        public FileKey Key { get; } = key;

        public long LastBatch { get; set; }

        /// <summary>When its path was last found to name it (<see cref="HeldFileClock"/>'s timestamp): at its open, then by <see cref="AppendOnlyFile.CheckName"/>.</summary>
        public long NameCheckedAt { get; set; }
    }
}
