namespace ToolAudit.Recording;

/// <summary>
/// A call waiting for room in the recorder's queue: its ticket, and how many calls ahead of it (lower tickets) have
/// left without being queued, which frees places it may take.
/// </summary>
/// <remarks>
/// Created and read by the waiting call's own thread (or continuation); <see cref="RoomWaiters"/> adds to its count,
/// under its lock, when a call ahead of it leaves unqueued.
/// </remarks>
/// <param name="ticket">The call's ticket (its place in call order).</param>
/// <param name="notQueuedBefore">How many calls had left unqueued before it took its ticket: all of them are ahead of it.</param>
internal sealed class RoomWaiter(long ticket, long notQueuedBefore)
{
    private long _notQueuedAheadSince;

    /// <summary>The call's ticket.</summary>
    public long Ticket { get; } = ticket;

    /// <summary>How many calls had left unqueued before this one took its ticket.</summary>
    public long NotQueuedBefore { get; } = notQueuedBefore;

    /// <summary>How many calls ahead of this one are known to have left unqueued.</summary>
    public long NotQueuedAhead => NotQueuedBefore + Volatile.Read(ref _notQueuedAheadSince);

    /// <summary>
    /// True when calls left unqueued between the ticket and the registration: some of them may have been ahead of it,
    /// uncounted, so <see cref="NotQueuedAhead"/> may be short (never over). Set once, by the waiter, after it registers.
    /// </summary>
    public bool MayHaveMissed { get; set; }

    /// <summary>One more call ahead of it left unqueued. Under the lock of <see cref="RoomWaiters"/>.</summary>
    public void CountOneAhead() => Volatile.Write(ref _notQueuedAheadSince, _notQueuedAheadSince + 1);
}
