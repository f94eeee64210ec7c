using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolAudit.Diagnostics;
using ToolAudit.Querying;
using ToolAudit.Recording;
using ToolAudit.Serialization;
using ToolAudit.Sinks;

namespace ToolAudit;

/// <summary>
/// A store on a fixed-size ring buffer: the newest <see cref="Capacity"/> entries, oldest evicted first, with
/// subscribers for real-time forwarding. Gap markers (drops) are kept the same way, at most <see cref="Capacity"/> of
/// them, so its memory is bounded whatever happens.
/// </summary>
/// <remarks>
/// Thread-safe. Subscribers run on the writer's thread after each batch is stored; an exception a subscriber throws
/// is logged and never reaches the recorder or the other subscribers. Keep them quick, or hand off to a queue.
/// </remarks>
public sealed class InMemoryAuditStore : IAuditStore, IAuditGapSink
{
    /// <summary>The default capacity of <c>AddInMemory</c>: 5,000 entries.</summary>
    public const int DefaultCapacity = 5_000;

    private readonly object _gate = new();
    private readonly AuditEntry?[] _ring;
    private readonly ILogger _logger;
    private int _start;
    private int _count;

    // The markers' drops summed without overflow (at most Capacity markers of at most long.MaxValue each), so that an
    // evicted or purged marker's drops can be taken off exactly; read saturated at long.MaxValue.
    private Int128 _dropped;
    private Action<AuditEntry>[] _subscribers = Array.Empty<Action<AuditEntry>>();
    private readonly List<AuditGap> _gaps = new();

    /// <summary>Creates the store.</summary>
    /// <param name="capacity">How many entries it keeps.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryAuditStore(int capacity)
        : this(capacity, null)
    {
    }

    /// <summary>Creates the store with a logger for subscriber failures.</summary>
    /// <param name="capacity">How many entries it keeps.</param>
    /// <param name="logger">Where subscriber exceptions are logged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryAuditStore(int capacity, ILogger<InMemoryAuditStore>? logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new AuditEntry?[capacity];
        _logger = GuardedLogger.Guard(logger);
    }

    /// <summary>How many entries the store keeps at most.</summary>
    public int Capacity => _ring.Length;

    /// <summary>How many entries it holds now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// How many dropped entries the gap markers the store holds now account for: what
    /// <see cref="GetStatsAsync"/> reports as <see cref="AuditStats.Dropped"/> for a query without filters.
    /// </summary>
    /// <remarks>
    /// Like <see cref="Count"/>, it describes what is stored: <see cref="Clear"/> sets it to zero,
    /// <see cref="PurgeAsync"/> takes off the drops of the markers it removes, and so does the eviction of the oldest
    /// markers (the store keeps at most <see cref="Capacity"/> of them, as it keeps entries). The recorder's
    /// <see cref="IAuditRecorder.Counters"/> keep the count of every drop since it started.
    /// </remarks>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _dropped > long.MaxValue ? long.MaxValue : (long)_dropped;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> or one of its entries is null.</exception>
    /// <exception cref="ArgumentException">
    /// An entry's user or tool is null or empty, its user holds a lone surrogate, or its status is not defined: the
    /// JSONL store could not keep it either (the batch is checked whole before anything is stored).
    /// </exception>
    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        // Checked before anything is stored: a refused batch must not be left half in the ring.
        StoreWriteChecks.ThrowIfAnyUnwritable(batch, nameof(batch));
        batch = AsTheFilesKeepIt(batch);

        Action<AuditEntry>[] subscribers;
        lock (_gate)
        {
            foreach (var entry in batch)
            {
                var end = (_start + _count) % _ring.Length;
                _ring[end] = entry;
                if (_count == _ring.Length)
                {
                    _start = (_start + 1) % _ring.Length;
                }
                else
                {
                    _count++;
                }
            }

            subscribers = _subscribers;
        }

        if (subscribers.Length > 0)
        {
            foreach (var entry in batch)
            {
                foreach (var subscriber in subscribers)
                {
                    try
                    {
                        subscriber(entry);
                    }
#pragma warning disable CA1031 // A subscriber's failure must never break the trail.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Log.SubscriberFailed(_logger, ex);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The batch with each time kept as the files keep it (UTC, to the millisecond), as gap markers are: so an entry
    /// handed to both stores falls in the same ranges in both. The recorder's entries already are, and are kept as given.
    /// </summary>
    private static IReadOnlyList<AuditEntry> AsTheFilesKeepIt(IReadOnlyList<AuditEntry> batch)
    {
        AuditEntry[]? kept = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var time = batch[i].Timestamp;
            var inMilliseconds = AuditEntryFactory.ToMilliseconds(time);
            if (time.EqualsExact(inMilliseconds))
            {
                if (kept is not null)
                {
                    kept[i] = batch[i];
                }

                continue;
            }

            if (kept is null)
            {
                // The first entry to change: the ones before it are kept as they are.
                kept = new AuditEntry[batch.Count];
                for (var j = 0; j < i; j++)
                {
                    kept[j] = batch[j];
                }
            }

            kept[i] = batch[i] with { Timestamp = inMilliseconds };
        }

        return kept ?? batch;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="gaps"/> or one of its gaps is null.</exception>
    /// <exception cref="ArgumentException">
    /// A gap's user is null or empty or holds a lone surrogate, or its count is negative (the list is checked whole
    /// before anything is kept, as the JSONL store checks it).
    /// </exception>
    public ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken)
    {
        StoreWriteChecks.ThrowIfAnyUnreadable(gaps, nameof(gaps));
        lock (_gate)
        {
            foreach (var gap in gaps)
            {
                // Kept as the files keep it: times in milliseconds, so both stores put it in the same ranges.
                _dropped += gap.Dropped;
                _gaps.Add(gap with { Since = AuditEntryFactory.ToMilliseconds(gap.Since), Until = AuditEntryFactory.ToMilliseconds(gap.Until) });
            }

            // As many markers as entries at most, oldest evicted first: under drops that go on for hours (a marker per
            // user per batch), the store's memory stays bounded like its ring.
            var excess = _gaps.Count - _ring.Length;
            if (excess > 0)
            {
                for (var i = 0; i < excess; i++)
                {
                    _dropped -= _gaps[i].Dropped;
                }

                _gaps.RemoveRange(0, excess);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The newest <paramref name="n"/> entries, newest first.</summary>
    /// <param name="n">How many.</param>
    /// <returns>At most <paramref name="n"/> entries.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public IReadOnlyList<AuditEntry> Recent(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        lock (_gate)
        {
            var take = Math.Min(n, _count);
            var result = new AuditEntry[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _ring[(_start + _count - 1 - i) % _ring.Length]!;
            }

            return result;
        }
    }

    /// <summary>Calls <paramref name="subscriber"/> for every entry stored from now on, until the returned handle is disposed.</summary>
    /// <param name="subscriber">The callback; its exceptions are logged and contained.</param>
    /// <returns>Dispose it to unsubscribe.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="subscriber"/> is null.</exception>
    public IDisposable Subscribe(Action<AuditEntry> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return new Subscription(this, subscriber);
    }

    /// <summary>All entries as a JSON array, oldest first, in the same shape as the JSONL lines.</summary>
    /// <returns>The JSON text.</returns>
    public string ExportJson()
    {
        var entries = Snapshot();
        var writer = new AuditJsonWriter(Math.Max(256, entries.Length * 512));
        writer.WriteRaw("["u8);
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            writer.WriteEntry(entries[i]);
            if (i > 0)
            {
                writer.WriteRaw(","u8);
            }
        }

        writer.WriteRaw("]"u8);
        return System.Text.Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    /// <summary>Removes every entry and gap marker (so <see cref="Count"/> and <see cref="Dropped"/> are zero); subscribers stay.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_ring);
            _start = 0;
            _count = 0;
            _gaps.Clear();
            _dropped = 0;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query's user holds a lone surrogate (as the JSONL store and <c>Record</c> refuse it).</exception>
    public async IAsyncEnumerable<AuditEntry> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        await Task.CompletedTask.ConfigureAwait(false);
        var skipped = 0;
        var returned = 0;
        foreach (var entry in Snapshot())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (returned >= query.Limit)
            {
                yield break;
            }

            if (!query.Matches(entry))
            {
                continue;
            }

            if (skipped < query.Offset)
            {
                skipped++;
                continue;
            }

            returned++;
            yield return entry;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query's user holds a lone surrogate (as the JSONL store and <c>Record</c> refuse it).</exception>
    public ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        long count = 0;
        foreach (var entry in Snapshot())
        {
            if (query.Matches(entry))
            {
                count++;
            }
        }

        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query's user holds a lone surrogate (as the JSONL store and <c>Record</c> refuse it).</exception>
    public ValueTask<AuditStats> GetStatsAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        UserNameGuard.ThrowIfLoneSurrogate(query.User, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        var stats = new AuditStatsBuilder();
        foreach (var entry in Snapshot())
        {
            if (query.Matches(entry))
            {
                stats.Add(entry);
            }
        }

        lock (_gate)
        {
            foreach (var gap in _gaps)
            {
                if (GapFilter.Matches(query, gap))
                {
                    stats.AddDropped(gap.Dropped);
                }
            }
        }

        return ValueTask.FromResult(stats.Build());
    }

    /// <inheritdoc />
    /// <remarks>The users of the entries the store holds now.</remarks>
    public async IAsyncEnumerable<string> GetUsersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var users = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in Snapshot())
        {
            users.Add(entry.User);
        }

        foreach (var user in users)
        {
            yield return user;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The gap markers whose first drop lies before <paramref name="olderThan"/> go too, and their drops leave
    /// <see cref="Dropped"/>. The count is the number of entries removed; a purge that removed any logs it (Information,
    /// event 17).
    /// </remarks>
    public ValueTask<long> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var kept = new List<AuditEntry>(_count);
            for (var i = 0; i < _count; i++)
            {
                var entry = _ring[(_start + i) % _ring.Length]!;
                if (entry.Timestamp >= olderThan)
                {
                    kept.Add(entry);
                }
            }

            long purged = _count - kept.Count;
            Array.Clear(_ring);
            kept.CopyTo(_ring!);
            _start = 0;
            _count = kept.Count;
            _gaps.RemoveAll(gap => gap.Since < olderThan);
            _dropped = 0;
            foreach (var gap in _gaps)
            {
                _dropped += gap.Dropped;
            }

            if (purged > 0)
            {
                Log.PurgedFromMemory(_logger, purged, olderThan);
            }

            return ValueTask.FromResult(purged);
        }
    }

    /// <summary>The entries, newest first by timestamp (stable: among equal timestamps, the last stored first).</summary>
    private AuditEntry[] Snapshot()
    {
        AuditEntry[] result;
        lock (_gate)
        {
            result = new AuditEntry[_count];
            for (var i = 0; i < _count; i++)
            {
                result[i] = _ring[(_start + _count - 1 - i) % _ring.Length]!;
            }
        }

        // Concurrent callers can be stored a little out of time order; queries promise newest first.
        var keys = new (DateTimeOffset Timestamp, int Order)[result.Length];
        for (var i = 0; i < result.Length; i++)
        {
            keys[i] = (result[i].Timestamp, i);
        }

        Array.Sort(keys, result, Comparer<(DateTimeOffset Timestamp, int Order)>.Create(static (a, b) =>
        {
            var byTime = b.Timestamp.CompareTo(a.Timestamp);
            return byTime != 0 ? byTime : a.Order.CompareTo(b.Order);
        }));
        return result;
    }

    private void Unsubscribe(Action<AuditEntry> subscriber)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(InMemoryAuditStore store, Action<AuditEntry> subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                store.Unsubscribe(subscriber);
            }
        }
    }
}
