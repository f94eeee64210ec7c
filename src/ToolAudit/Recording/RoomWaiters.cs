namespace ToolAudit.Recording;

/// <summary>
/// The calls waiting for room in the recorder's queue, in ticket order. A call that leaves without being queued tells
/// the waiters behind it (<see cref="CountAhead"/>), so that each knows exactly the places freed ahead of it and none
/// takes a place freed behind it.
/// </summary>
/// <remarks>Thread-safe. Used only while the queue is full: a call that finds room never comes here.</remarks>
internal sealed class RoomWaiters
{
    private readonly object _gate = new();

    // In ticket order (waiters register roughly in that order, so an insert lands near the end).
    private readonly List<RoomWaiter> _waiters = new();
    private int _count;

    /// <summary>Tests only: the lock every method takes.</summary>
    internal object Gate => _gate;

    /// <summary>Whether any call is registered as waiting; a plain read, for the callers' fast check.</summary>
    public bool Any => Volatile.Read(ref _count) > 0;

    /// <summary>
    /// Registers a waiting call. The count is raised with a full fence: a call that leaves unqueued after the caller's
    /// next read of the not-queued count is sure to see the waiter (see <see cref="RoomWaiter.MayHaveMissed"/>).
    /// </summary>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="notQueuedBefore">The not-queued count read before the call took its ticket.</param>
    /// <returns>The registered waiter; pass it to <see cref="Remove"/> when the wait ends.</returns>
    public RoomWaiter Add(long ticket, long notQueuedBefore)
    {
        var waiter = new RoomWaiter(ticket, notQueuedBefore);
        lock (_gate)
        {
            var index = _waiters.Count;
            while (index > 0 && _waiters[index - 1].Ticket > ticket)
            {
                index--;
            }

            _waiters.Insert(index, waiter);
            Interlocked.Increment(ref _count);
        }

        return waiter;
    }

    /// <summary>Ends a wait. Call it before the call is queued or counted as not queued.</summary>
    /// <param name="waiter">The waiter <see cref="Add"/> returned.</param>
    public void Remove(RoomWaiter waiter)
    {
        lock (_gate)
        {
            _waiters.Remove(waiter);
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>
    /// A call left without being queued: counts it for every waiter behind it that did not already count it (those
    /// whose ticket came after the call's <paramref name="sequence"/> was reached, in <see cref="RoomWaiter.NotQueuedBefore"/>).
    /// </summary>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="sequence">The not-queued count the call's own increment reached.</param>
    /// <returns>
    /// The smallest ticket-minus-not-queued-ahead among the waiters it counted for (<see cref="long.MaxValue"/> when none):
    /// one of them has room when that is within the capacity plus the calls taken by the writer. The caller compares
    /// it with the writer's count read after this returns, not before: a place the writer frees meanwhile wakes the
    /// waiters before they see this count, so the caller must see that place.
    /// </returns>
    public long CountAhead(long ticket, long sequence)
    {
        var nearest = long.MaxValue;
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0 && _waiters[i].Ticket > ticket; i--)
            {
                var waiter = _waiters[i];
                if (sequence > waiter.NotQueuedBefore)
                {
                    waiter.CountOneAhead();
                    nearest = Math.Min(nearest, waiter.Ticket - waiter.NotQueuedAhead);
                }
            }
        }

        return nearest;
    }

    /// <summary>How many registered waiters have a ticket after <paramref name="ticket"/>: calls not queued yet and not ahead of it.</summary>
    public int CountBehind(long ticket)
    {
        lock (_gate)
        {
            var behind = 0;
            for (var i = _waiters.Count - 1; i >= 0 && _waiters[i].Ticket > ticket; i--)
            {
                behind++;
            }

            return behind;
        }
    }
}
