namespace ToolAudit.Recording;

/// <summary>
/// One batch on its way through the recorder's two writer stages: the calls taken off the queue, their entries (or
/// what a staged sink prepared from them). Two of these circulate per recorder and are reused.
/// </summary>
/// <remarks>
/// For a staged sink, the writer thread prepares the batch from the front while the sink thread, once it has written
/// the previous batch, may take over its tail: each claims calls through <see cref="TryClaimFront"/> and
/// <see cref="TryTakeTail"/>, and each prepares into a batch of its own, written front first.
/// </remarks>
internal sealed class WriteBatchWork(int capacity)
{
    // How many calls the writer claims at a time, and the least a tail must hold to be worth taking over.
    private const int ClaimSize = 32;

    // The unclaimed calls: [next, limit), packed as next | limit << 32. The writer moves next up; the sink thread
    // lowers limit once, to take the tail [limit, count).
    private long _claims;

    public List<CapturedCall> Calls { get; } = new(capacity);

    public List<AuditEntry> Entries { get; } = new(capacity);

    /// <summary>
    /// The flushes whose marker ended this batch in the queue: everything queued before them is in this batch or an
    /// earlier one, so they are answered once this batch is written (or given up).
    /// </summary>
    public List<TaskCompletionSource> Flushes { get; } = new();

    /// <summary>The ordered parts of the calls' ids, taken in write order before the batch is shared.</summary>
    public long[] IdSequences { get; private set; } = new long[capacity];

    // Counted by the thread that prepares the part; read by the sink thread once both parts are done.
    private int _unprepared;
    private int _unpreparedTail;

    /// <summary>Calls whose entry could not be prepared, front and tail (counted as failed once the batch is written).</summary>
    public int Unprepared => _unprepared + _unpreparedTail;

    /// <summary>The writer's count of the front's unprepared calls.</summary>
    public ref int UnpreparedRef => ref _unprepared;

    /// <summary>The sink thread's count of the tail's unprepared calls.</summary>
    public ref int UnpreparedTailRef => ref _unpreparedTail;

    /// <summary>What <see cref="IStagedAuditSink.Prepare"/> built for the front, until it is committed or discarded.</summary>
    public object? Prepared { get; set; }

    /// <summary>What the sink thread prepared for the tail it took over, if it did.</summary>
    public object? PreparedTail { get; set; }

    /// <summary>Room for the ordered parts of the calls' ids, one per call, to fill before <see cref="OpenClaims"/>.</summary>
    public Span<long> IdSequencesToFill()
    {
        if (IdSequences.Length < Calls.Count)
        {
            IdSequences = new long[Calls.Count];
        }

        return IdSequences.AsSpan(0, Calls.Count);
    }

    /// <summary>Opens the batch's calls to claiming, once its id sequences are taken (publishes them to the sink thread).</summary>
    public void OpenClaims() => Volatile.Write(ref _claims, (long)Calls.Count << 32);

    /// <summary>The writer's next run of calls to prepare, [start, end); false when none is left.</summary>
    public bool TryClaimFront(out int start, out int end)
    {
        while (true)
        {
            var claims = Volatile.Read(ref _claims);
            var next = (int)(claims & 0xFFFFFFFF);
            var limit = (int)(claims >> 32);
            if (next >= limit)
            {
                start = end = 0;
                return false;
            }

            var claimed = Math.Min(next + ClaimSize, limit);
            if (Interlocked.CompareExchange(ref _claims, ((long)limit << 32) | (uint)claimed, claims) == claims)
            {
                (start, end) = (next, claimed);
                return true;
            }
        }
    }

    /// <summary>
    /// The sink thread takes over the last two thirds of what is left, [start, end), once per batch; false when too
    /// little is left or the tail is taken already.
    /// </summary>
    public bool TryTakeTail(out int start, out int end)
    {
        start = end = 0;
        while (true)
        {
            var claims = Volatile.Read(ref _claims);
            var next = (int)(claims & 0xFFFFFFFF);
            var limit = (int)(claims >> 32);
            if (limit != Calls.Count || limit - next < 2 * ClaimSize)
            {
                return false;
            }

            // Two thirds, not half: the writer also takes the batch off the queue and orders its ids, and the sink
            // thread, which writes between batches, was measured with time to spare at a half.
            // The writer claims as it goes; when it got in first, look again at what is left.
            var split = next + ((limit - next) / 3);
            if (Interlocked.CompareExchange(ref _claims, ((long)split << 32) | (uint)next, claims) == claims)
            {
                (start, end) = (split, limit);
                return true;
            }
        }
    }

    /// <summary>Answers the batch's flushes (see <see cref="Flushes"/>).</summary>
    public void CompleteFlushes()
    {
        foreach (var flush in Flushes)
        {
            flush.TrySetResult();
        }

        Flushes.Clear();
    }

    /// <summary>Empties the batch for reuse, answering its flushes first.</summary>
    public void Reset()
    {
        CompleteFlushes();
        Calls.Clear();
        Entries.Clear();
        _unprepared = 0;
        _unpreparedTail = 0;
        Prepared = null;
        PreparedTail = null;
        Volatile.Write(ref _claims, 0);
    }
}
