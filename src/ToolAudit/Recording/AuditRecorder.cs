using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolAudit.Diagnostics;
using ToolAudit.Recording;
using ToolAudit.Serialization;

namespace ToolAudit;

/// <summary>
/// The recorder: takes tool calls on the caller's thread, queues them in a <see cref="Channel{T}"/> that holds at most
/// <see cref="ToolAuditOptions.QueueCapacity"/> calls and hands them in batches to a sink on background threads.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. <see cref="Record"/> captures the call (arguments, <see cref="ToolAuditContext"/>, <see cref="Activity.Current"/>
/// ids, the time) and returns; it never throws for sink trouble. What happens when the queue is full is set by
/// <see cref="ToolAuditOptions.OverflowMode"/>.
/// </para>
/// <para>
/// Disposing drains the queue: every entry accepted before is written, unless the sink hangs past
/// <see cref="ToolAuditOptions.ShutdownTimeout"/>, in which case what is left is counted as failed. Dispose it once,
/// when the host stops (the DI registration does this for you).
/// </para>
/// </remarks>
public sealed class AuditRecorder : IAuditRecorder, IAsyncDisposable, IDisposable
{
    private readonly IAuditSink _sink;
    private readonly string _sinkName;
    private readonly ToolAuditOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<CapturedCall> _channel;
    private readonly AuditEntryFactory _factory;

    // The sink thread's own factory (a factory is not thread-safe), for the tails of batches it takes over.
    private readonly AuditEntryFactory? _tailFactory;
    private readonly IStagedAuditSink? _stagedSink;
    private readonly Thread _writerThread;
    private readonly Thread _sinkThread;

    // The two stages of the writer: the writer thread takes a batch off the queue and prepares it (entries, or for a
    // staged sink the serialized lines); the sink thread writes it and accounts for it. Two batches circulate, so the
    // next batch is prepared while the previous one is written, and at most two batches are out of the queue.
    private readonly BlockingCollection<WriteBatchWork> _freeWork = new(new ConcurrentQueue<WriteBatchWork>());
    private readonly BlockingCollection<WriteBatchWork> _preparedWork = new(new ConcurrentQueue<WriteBatchWork>());
    private readonly object _readGate = new();

    // The batch the writer thread is preparing for a staged sink, whose tail the sink thread may take over.
    private WriteBatchWork? _preparing;

    private readonly object _napGate = new();
    private readonly int _nudgeAt;
    private volatile bool _napping;
    private bool _nudged;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();

    // The idle writer naps (a timed wait producers need not end) this long, and after this many naps in a row with
    // nothing to do sleeps until the next call wakes it. While it naps, a call costs no thread wake-up: the writer
    // collects what came in at the end of the nap, or sooner when the queue reaches _nudgeAt.
    private const int NapMilliseconds = 1;
    private const int NapsBeforeSleep = 64;
    private const int MaxNudgeAt = 256;

    // How often a producer facing a full queue yields before it blocks.
    private const int OverflowSpins = 20;

    // How long a thread-pool thread waits for room on a monitor before it waits on a task the pool can see.
    private static readonly TimeSpan PoolHandOverDelay = TimeSpan.FromMilliseconds(20);

    // Admission. Every call takes a ticket (_accepted, in call order); the channel itself is unbounded. Ticket t may be
    // queued when the calls up to it that hold, or may still take, a place in the queue fit in it:
    //     ahead(t) = t - (calls up to t taken by the writer) - (calls up to t that left without being queued) <= QueueCapacity.
    // Invariant: the queue never holds more than QueueCapacity calls. Every queued call has a ticket up to the highest
    // queued one, m, and is counted in ahead(m); m was admitted with ahead(m) <= QueueCapacity, and ahead(m) only
    // shrinks after (calls up to m only leave). So only calls AHEAD of t may free places for t: a later call that
    // leaves unqueued frees none that t can use while the calls ahead of t still fill the queue.
    // The counts, without making the hot path pay more than its one Interlocked increment:
    // - Taken by the writer: _dequeued counts every call taken, later ones too. Harmless: a later call taken had room,
    //   so ahead(t), which is smaller, is within the capacity too.
    // - Left unqueued, ahead of t: _notQueued read BEFORE t takes its ticket counts only calls ahead of t (their count
    //   was raised before t existed). It may fall short (a call ahead can leave later), which only makes t wait.
    //   A call that finds no room and waits registers in _roomWaiters; from then on every call that leaves unqueued
    //   counts itself for the waiters behind it, and only for them (RoomWaiters.CountAhead), and wakes them when that
    //   gives one room. Calls that left between a waiter's ticket and its registration cannot be placed; such a waiter
    //   (RoomWaiter.MayHaveMissed, rare) also lets itself in when all calls but the registered waiters behind it fit
    //   (see HasRoom(RoomWaiter)), and looks again every few milliseconds, so it cannot wait forever for a wake-up.
    // So a call that finds room pays one more plain read than before; waiters and calls that leave unqueued pay the rest.
    private long _dequeued;
    private long _notQueued;
    private readonly RoomWaiters _roomWaiters = new();

    // How often a waiter that may have missed calls leaving ahead of it (RoomWaiter.MayHaveMissed) looks again, at least.
    private const int MissedRecheckMilliseconds = 5;

    // Producers that wait for room (Wait mode) sleep on this gate; the writer pulses it when it frees room, and so does
    // a call ahead of them that leaves unqueued (see LeftUnqueued). RecordDurableAsync callers await _roomSignal
    // instead, which the same events complete and replace.
    private readonly object _roomGate = new();
    private int _waitingProducers;
    private int _asyncRoomWaiters;
    private int _poolHandOvers;
    private TaskCompletionSource _roomSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _overflowing;

    // Counters. Accepted and Dropped move on the hot path (Interlocked); Written and Failed move under _countersGate,
    // which also guards the flush waiters and the shutdown hand-over, so no entry is ever counted twice.
    private readonly object _countersGate = new();
    // The call of a flush marker in the queue (see FlushAsync): never recorded, never counted.
    private static readonly ToolCall FlushMarker = new("(flush)", "(flush)", null, AuditStatus.Ok);

    // Flushes made once the queue was closed (shutdown, a fault), which cannot queue a marker: answered when the writer
    // stages have finished with everything queued (_stagesDone), or when shutdown gives up on the sink.
    private readonly List<TaskCompletionSource> _flushWaiters = new();
    private bool _stagesDone;
    private long _accepted;
    private long _written;
    private long _dropped;
    private long _failed;
    private bool _abandoned;
    private readonly List<WriteBatchWork> _inFlight = new(2);

    // Drops not yet told to the sink as gap markers, per user.
    private readonly object _gapsGate = new();
    private Dictionary<string, AuditGap>? _pendingGaps;

    // Set (under _gapsGate) when the sink thread has taken the last gaps it will write: a drop noted after that would be
    // counted with no marker in the trail, so it is counted as failed instead (see Drop).
    private bool _gapsClosed;

    private volatile bool _disposing;
    private Task? _disposeTask;

    // Set when a writer stage stopped on an unexpected error (see Fault): the recorder then works as if shut down.
    private volatile bool _faulted;

    /// <summary>Tests only: runs on the writer thread for each batch taken off the queue, before it is prepared.</summary>
    internal Action? BeforePrepareHook { get; set; }

    /// <summary>Tests only: runs on the sink thread before each prepared batch is written.</summary>
    internal Action? BeforeWriteHook { get; set; }

    /// <summary>Tests only: runs in a durable call's wait for room each time just before it takes the room signal.</summary>
    internal Action? BeforeRoomSignalTakenHook { get; set; }

    /// <summary>Tests only: runs on the caller's thread when a call is about to be dropped, before the drop is noted.</summary>
    internal Action? BeforeDropHook { get; set; }

    /// <summary>Creates a recorder over one sink (wrap several in a <see cref="CompositeAuditSink"/>) and starts its writer.</summary>
    /// <param name="sink">Where entries go.</param>
    /// <param name="options">The options; the defaults when null.</param>
    /// <param name="timeProvider">The clock for timestamps and overflow waits; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where the recorder logs sink failures and drops.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public AuditRecorder(IAuditSink sink, ToolAuditOptions? options = null, TimeProvider? timeProvider = null, ILogger<AuditRecorder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new ToolAuditOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _sink = sink;
        _sinkName = SinkName(sink);
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = GuardedLogger.Guard(logger);
        _factory = new AuditEntryFactory(options);
        // Unbounded as a channel, bounded by admission (see _notQueued): the single-reader unbounded channel's reader
        // takes items without a lock, and its writer holds the lock only around the enqueue (a bounded one locks both).
        _channel = Channel.CreateUnbounded<CapturedCall>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,

            // The only continuation is the writer's wake-up, which just releases its blocked thread.
            AllowSynchronousContinuations = true,
        });

        _stagedSink = sink as IStagedAuditSink;
        _tailFactory = _stagedSink is null ? null : new AuditEntryFactory(options);
        _nudgeAt = Math.Clamp(options.QueueCapacity / 4, 1, MaxNudgeAt);
        var batchCapacity = Math.Min(options.MaxBatchSize, 4096);
        _freeWork.Add(new WriteBatchWork(batchCapacity));
        _freeWork.Add(new WriteBatchWork(batchCapacity));

        _writerThread = new Thread(WriterLoop)
        {
            IsBackground = true,
            Name = "ToolAudit writer",
        };
        _sinkThread = new Thread(SinkLoop)
        {
            IsBackground = true,
            Name = "ToolAudit sink",
        };

        // UnsafeStart: the writer must not inherit the creator's ExecutionContext (ToolAuditContext, Activity, culture
        // of whoever resolved the recorder first). Entries carry what was captured at their call instead.
        _sinkThread.UnsafeStart();
        _writerThread.UnsafeStart();
    }

    /// <inheritdoc />
    public AuditCounters Counters
    {
        get
        {
            // Read the outcomes before Accepted: every entry is counted as accepted before its outcome, so the
            // difference (Pending) is never negative and the identity holds in the snapshot.
            long written, failed;
            lock (_countersGate)
            {
                written = _written;
                failed = _failed;
            }

            var dropped = Interlocked.Read(ref _dropped);
            var accepted = Interlocked.Read(ref _accepted);
            return new AuditCounters(accepted, written, dropped, failed, accepted - written - dropped - failed);
        }
    }

    /// <summary>How many <c>Record</c> callers are waiting for room right now (Wait mode); lets tests synchronise without sleeping.</summary>
    internal int WaitingProducers => Volatile.Read(ref _waitingProducers);

    /// <summary>Tests only: the calls taken by the writer so far (see <see cref="_dequeued"/>).</summary>
    internal long Dequeued => Volatile.Read(ref _dequeued);

    /// <summary>Tests only: the calls that left without being queued so far (see <see cref="_notQueued"/>).</summary>
    internal long NotQueued => Volatile.Read(ref _notQueued);

    /// <summary>Tests only: the registry of callers waiting for room, whose lock a test may hold to stop a call mid-way.</summary>
    internal RoomWaiters RoomWaiters => _roomWaiters;

    /// <summary>How many thread-pool callers have gone on to wait in the way the pool sees; lets tests synchronise without sleeping.</summary>
    internal int PoolHandOvers => Volatile.Read(ref _poolHandOvers);

    /// <summary>
    /// How many calls are in the queue right now (not yet taken by the writer), or still about to be queued or not
    /// (waiting for room, say); lets tests synchronise without sleeping.
    /// </summary>
    internal long QueueLength => Volatile.Read(ref _accepted) - Volatile.Read(ref _dequeued) - Volatile.Read(ref _notQueued);

    /// <inheritdoc />
    public void Record(ToolCall call)
    {
        var captured = Capture(call, durable: null);

        // Read before the ticket is taken, so that it counts only calls ahead of it (see _notQueued).
        var notQueuedAhead = Volatile.Read(ref _notQueued);
        var ticket = Interlocked.Increment(ref _accepted);
        var length = QueuedAhead(ticket, notQueuedAhead);
        if (length <= _options.QueueCapacity && !_disposing)
        {
            if (_channel.Writer.TryWrite(captured))
            {
                if (_napping && length >= _nudgeAt)
                {
                    Nudge();
                }

                return;
            }
        }
        else if (!_disposing)
        {
            OnQueueFull(captured, ticket, notQueuedAhead);
            return;
        }

        // Shutdown closed the queue: nothing after it is written, but it is counted and logged, never thrown at a tool call.
        Reject(captured, ticket);
    }

    /// <inheritdoc />
    public async ValueTask RecordDurableAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var captured = Capture(call, done);
        cancellationToken.ThrowIfCancellationRequested();
        var notQueuedAhead = Volatile.Read(ref _notQueued);
        var ticket = Interlocked.Increment(ref _accepted);
        try
        {
            if (!HasRoom(ticket, notQueuedAhead))
            {
                await WaitForRoomAsync(ticket, notQueuedAhead, cancellationToken).ConfigureAwait(false);
            }

            if (_disposing || !_channel.Writer.TryWrite(captured))
            {
                ThrowIfStopped();
                throw new ObjectDisposedException(nameof(AuditRecorder), "The recorder is shutting down; the call is not on record.");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or AuditWriteException)
        {
            // Never queued: an outcome of its own, so the counters stay exact.
            Reject(captured, ticket, log: false);
            throw;
        }
#pragma warning disable CA1031 // Accounted for, and handed to the durable caller as the recorder's own error.
        catch (Exception unexpected)
#pragma warning restore CA1031
        {
            Reject(captured, ticket, log: false);
            throw new AuditWriteException("Waiting for room in the audit queue failed unexpectedly; the call is not on record.", unexpected);
        }

        // Queued: from here on it is the writer's to count. Its caller waits for the write, so it must not wait out the
        // writer's nap (outside the try above: nothing after the queueing may count the call as refused as well).
        if (_napping)
        {
            Nudge();
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (NothingPending() && !GapsPending())
        {
            return ValueTask.CompletedTask;
        }

        // A marker in the queue, behind everything queued so far: the flush is answered once the batch it ends is
        // written, so everything recorded before it is written or failed. (Counting outcomes instead would let calls
        // dropped or refused after the flush stand in for the ones before it.) The marker takes no room in the queue.
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new CapturedCall { Call = FlushMarker, UtcTicks = 0, Durable = waiter }))
        {
            // Shutting down (or stopped): the queue is closed and the writer drains it; wait until it is done with it.
            // Not for the outcomes to add up: calls refused after the flush would stand in for those still being written.
            lock (_countersGate)
            {
                if (_stagesDone || _abandoned)
                {
                    return ValueTask.CompletedTask;
                }

                _flushWaiters.Add(waiter);
            }
        }

        Nudge();

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Whether every call accepted so far has its outcome. The outcomes are read before the acceptances: outcomes
    /// counted first cannot include a call accepted after, so calls dropped meanwhile never stand in for earlier ones.
    /// </summary>
    private bool NothingPending()
    {
        long outcomes;
        lock (_countersGate)
        {
            if (_abandoned)
            {
                return true;
            }

            outcomes = _written + _failed + Interlocked.Read(ref _dropped);
        }

        return outcomes >= Interlocked.Read(ref _accepted);
    }

    /// <summary>
    /// Whether drops wait for their gap markers. Read after the outcomes: a drop noted its gap before it was counted, so
    /// a drop among the outcomes read is seen here. Such a drop's marker would otherwise wait for the next batch, and
    /// a drop noted after the last batch was written has none: the flush's marker makes one, which writes the gaps.
    /// </summary>
    private bool GapsPending()
    {
        lock (_gapsGate)
        {
            return _pendingGaps is not null;
        }
    }

    /// <summary>
    /// Stops taking calls, writes everything queued, and stops the writer; waits at most
    /// <see cref="ToolAuditOptions.ShutdownTimeout"/>. Safe to call more than once.
    /// </summary>
    /// <returns>A task that completes when the queue is drained or the timeout has passed.</returns>
    public ValueTask DisposeAsync() => new(ShutDownAsync(CancellationToken.None));

    /// <summary>
    /// <see cref="DisposeAsync"/>, giving up also when <paramref name="giveUp"/> is cancelled before the queue is drained
    /// (the host's own shutdown budget ran out): what is left is then counted as failed, as after
    /// <see cref="ToolAuditOptions.ShutdownTimeout"/>. The first call's token is the one observed.
    /// </summary>
    /// <param name="giveUp">Cancelled when the caller can wait no longer.</param>
    /// <returns>A task that completes when the queue is drained, the timeout has passed, or the caller gave up.</returns>
    internal Task ShutDownAsync(CancellationToken giveUp)
    {
        lock (_countersGate)
        {
            _disposeTask ??= DisposeCoreAsync(giveUp);
        }

        return _disposeTask;
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking the caller until it is done.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task DisposeCoreAsync(CancellationToken giveUp)
    {
        _disposing = true;
        _channel.Writer.TryComplete();
        Nudge();
        WakeWaitingProducers();
        SignalRoom();

        var started = _timeProvider.GetTimestamp();
        var finished = await WaitForWriterAsync(_options.ShutdownTimeout, giveUp).ConfigureAwait(false);
        if (!finished)
        {
            // The sink hangs (or the host can wait no longer). Ask it to stop, and account for everything still unwritten
            // as failed, exactly once.
            await _shutdown.CancelAsync().ConfigureAwait(false);
            var pending = AbandonUnwritten(held: null, new AuditWriteException($"The recorder shut down before the entry was written (sink: {_sinkName})."));
            Log.ShutdownTimedOut(_logger, _timeProvider.GetElapsedTime(started), pending);

            // The sink thread may still be inside the hung sink and read the token later: leave it undisposed.
            return;
        }

        _shutdown.Dispose();
    }

    /// <summary>Throws for a durable call the recorder can no longer take: it stopped on a fault, or it is shutting down.</summary>
    private void ThrowIfStopped()
    {
        if (_faulted)
        {
            throw new AuditWriteException("The audit writer stopped on an unexpected error; the call is not on record.");
        }

        ObjectDisposedException.ThrowIf(_disposing, this);
    }

    /// <summary>
    /// A writer stage stopped on an unexpected error: a bug or exhausted memory, not a sink's failure (those are counted
    /// per batch and the stages go on). Nothing may then stay pending in silence: the queue is closed, what can no
    /// longer be written is counted as failed and its durable callers get the error, and later calls are counted as
    /// failed and logged, as after shutdown.
    /// </summary>
    /// <param name="exception">The error.</param>
    /// <param name="held">The batch the failed stage held and had not handed on, if any.</param>
    /// <param name="sinkStageStopped">
    /// True when the sink thread stopped: every batch out of the queue is then unwritten, and flushes return at once.
    /// False when the writer thread stopped: the sink thread still writes (and counts) the batches it was handed, which
    /// were prepared before the error, so that no entry on record is counted failed and no durable caller whose entry
    /// reaches the sink is told otherwise; only <paramref name="held"/> and the queue are given up.
    /// </param>
    private void Fault(Exception exception, WriteBatchWork? held, bool sinkStageStopped)
    {
        lock (_countersGate)
        {
            if (_faulted)
            {
                return;
            }

            _faulted = true;
        }

        Log.WriterFailed(_logger, exception);
        Volatile.Write(ref _preparing, null);
        _disposing = true;
        _channel.Writer.TryComplete();
        WakeWaitingProducers();
        SignalRoom();
        var error = new AuditWriteException("The audit writer stopped on an unexpected error before the entry was written.", exception);
        if (sinkStageStopped)
        {
            AbandonUnwritten(held, error);
        }
        else
        {
            AbandonQueued(held, error);
        }
    }

    /// <summary>
    /// Counts as failed, exactly once, every call not yet accounted for: the batches out of the queue, the one the
    /// writer holds (<paramref name="held"/>, when it is not among them) and what is left in the queue; their durable
    /// callers get <paramref name="error"/>. Batches the sink thread has not yet written are then discarded, not written.
    /// </summary>
    /// <returns>How many calls it counted.</returns>
    private long AbandonUnwritten(WriteBatchWork? held, AuditWriteException error)
    {
        var abandoned = new List<CapturedCall>();
        lock (_countersGate)
        {
            _abandoned = true;
            foreach (var work in _inFlight)
            {
                abandoned.AddRange(work.Calls);
                work.CompleteFlushes();
            }

            if (held is not null && !_inFlight.Contains(held))
            {
                abandoned.AddRange(held.Calls);
                held.CompleteFlushes();
            }

            _inFlight.Clear();
            DrainQueue(abandoned);
            _failed += abandoned.Count;
            ReleaseFlushWaiters();
        }

        CompleteDurable(abandoned, error);
        return abandoned.Count;
    }

    /// <summary>
    /// Counts as failed, exactly once, what the writer thread can no longer prepare: <paramref name="held"/> and what is
    /// left in the queue; their durable callers get <paramref name="error"/>. Batches already handed to the sink thread
    /// stay in flight: it writes and counts them.
    /// </summary>
    private void AbandonQueued(WriteBatchWork? held, AuditWriteException error)
    {
        var abandoned = new List<CapturedCall>();
        var flushes = new List<TaskCompletionSource>();
        lock (_countersGate)
        {
            if (held is not null)
            {
                _inFlight.Remove(held);
                abandoned.AddRange(held.Calls);
                flushes.AddRange(held.Flushes);
                held.Flushes.Clear();
            }

            DrainQueue(abandoned, flushes);
            _failed += abandoned.Count;

            // A flush given up with them still waits for the batches the sink thread is writing: it is answered with
            // the last of them (which is in flight, so the sink thread answers its flushes only after this).
            if (_inFlight.Count > 0)
            {
                _inFlight[^1].Flushes.AddRange(flushes);
                flushes.Clear();
            }
        }

        foreach (var flush in flushes)
        {
            flush.TrySetResult();
        }

        CompleteDurable(abandoned, error);
    }

    /// <summary>
    /// Takes what is left in the closed queue into <paramref name="into"/>, and counts it out of the queue; the flush
    /// markers in it go to <paramref name="flushes"/>, or are answered at once when that is null.
    /// </summary>
    private void DrainQueue(List<CapturedCall> into, List<TaskCompletionSource>? flushes = null)
    {
        long drained = 0;
        lock (_readGate)
        {
            while (_channel.Reader.TryRead(out var left))
            {
                if (ReferenceEquals(left.Call, FlushMarker))
                {
                    if (flushes is null)
                    {
                        // Everything before it is accounted for now (given up): the flush returns.
                        left.Durable!.TrySetResult();
                    }
                    else
                    {
                        flushes.Add(left.Durable!);
                    }

                    continue;
                }

                into.Add(left);
                drained++;
            }
        }

        // Out of the queue now, so that callers waiting for room see it and stop waiting.
        Interlocked.Add(ref _dequeued, drained);
    }

    private async Task<bool> WaitForWriterAsync(TimeSpan timeout, CancellationToken giveUp)
    {
        try
        {
            await _writerDone.Task.WaitAsync(timeout, _timeProvider, giveUp).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return _writerDone.Task.IsCompleted;
        }
    }

    private CapturedCall Capture(ToolCall call, TaskCompletionSource? durable)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!ToolCallRules.AreValid(call.User, call.Tool, call.Status))
        {
            ToolCallRules.Throw(call.User, call.Tool, call.Status, nameof(call), nameof(call), nameof(call));
        }

        if (durable is not null)
        {
            ThrowIfStopped();
        }

        var activity = Activity.Current;
        if (activity is not null)
        {
            // Reading the ids fixes them (an activity may derive them lazily); the writer reads the same ones later.
            _ = activity.TraceId;
            _ = activity.SpanId;
        }

        if (call.Exception is { } exception && call.Error is null)
        {
            // The error is what the exception said at the call: it may change later, and its message may depend on the
            // caller's culture. Only failed calls pay for this.
            call = call with { Error = AuditEntryFactory.ExceptionText(exception) };
        }

        var args = ArgumentCapture.Capture(call.Args, out var unreadable);
        if (unreadable is not null)
        {
            OnArgumentsUnreadable(call, unreadable);
        }

        return new CapturedCall
        {
            Call = call,
            UtcTicks = _timeProvider.GetUtcNow().UtcTicks,
            Args = args,
            Context = ToolAuditContext.Current,
            Activity = activity,
            Durable = durable,
        };
    }

    /// <summary>The call is still on record, with a placeholder for its arguments; the host's fault is logged, not thrown.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void OnArgumentsUnreadable(ToolCall call, Exception unreadable) => Log.ArgumentsUnreadable(_logger, call.Tool, unreadable);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool HasRoom(long ticket, long notQueuedAhead) => QueuedAhead(ticket, notQueuedAhead) <= _options.QueueCapacity;

    /// <summary>
    /// The ticket's place in the queue, at most: the calls up to it not yet taken by the writer, less
    /// <paramref name="notQueuedAhead"/>, calls ahead of it that left unqueued (see <see cref="_notQueued"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private long QueuedAhead(long ticket, long notQueuedAhead) => ticket - Volatile.Read(ref _dequeued) - notQueuedAhead;

    /// <summary>
    /// Whether a registered waiter has room: counting the calls ahead of it that left unqueued since its ticket. One
    /// that may have missed some (<see cref="RoomWaiter.MayHaveMissed"/>) also has room when every call, less the
    /// waiters behind it, would fit: those are counted in the first terms and hold no place ahead of it, so this
    /// over-counts its place, never under-counts it (the counts are read before the waiters, the tickets after).
    /// </summary>
    private bool HasRoom(RoomWaiter waiter)
    {
        if (QueuedAhead(waiter.Ticket, waiter.NotQueuedAhead) <= _options.QueueCapacity)
        {
            return true;
        }

        if (!waiter.MayHaveMissed)
        {
            return false;
        }

        var notQueued = Volatile.Read(ref _notQueued);
        var dequeued = Volatile.Read(ref _dequeued);
        var behind = _roomWaiters.CountBehind(waiter.Ticket);
        return Volatile.Read(ref _accepted) - dequeued - notQueued - behind <= _options.QueueCapacity;
    }

    /// <summary>
    /// Registers a call that waits for room (see <see cref="_notQueued"/>): from now on the calls ahead of it that leave
    /// unqueued count for it, and wake it.
    /// </summary>
    private RoomWaiter AddRoomWaiter(long ticket, long notQueuedAhead)
    {
        var waiter = _roomWaiters.Add(ticket, notQueuedAhead);

        // Read after the registration's full fence: a call that left unqueued after this read sees the waiter and
        // counts for it; one that left before, since the ticket, may not have.
        waiter.MayHaveMissed = Volatile.Read(ref _notQueued) != notQueuedAhead;
        return waiter;
    }

    /// <summary>
    /// Counts a call that left without being queued (dropped or refused) out of the queue's places, and tells the
    /// waiters behind it, waking them when that gives one of them room.
    /// </summary>
    private void LeftUnqueued(long ticket)
    {
        // A full fence: the waiters' count read next is not read before the increment (see AddRoomWaiter).
        var sequence = Interlocked.Increment(ref _notQueued);
        if (!_roomWaiters.Any)
        {
            return;
        }

        var nearest = _roomWaiters.CountAhead(ticket, sequence);

        // The writer's count is read only now, after a full fence: read before the counting, it could miss a place the
        // writer frees meanwhile, whose wake-up the waiter answers before it is counted for this call, so that neither
        // would wake it though the two together give it room. Read after, either it sees that place, or the writer's
        // wake-up came after the counting and the waiter woken sees it.
        Interlocked.MemoryBarrier();
        if (nearest - Volatile.Read(ref _dequeued) <= _options.QueueCapacity)
        {
            // Both kinds, without reading their counts: no fence orders those reads after the counting above (rare
            // enough not to matter). A waiter that checks after the wake-up sees the count; one that checked before
            // is asleep on the gate, or awaits the signal it took before checking.
            WakeWaitingProducers();
            SignalRoom();
        }
    }

    /// <summary>
    /// Ends the writer's nap now (a flush, a durable call, a full queue, shutdown); when it is not napping, its next nap
    /// is skipped instead.
    /// </summary>
    private void Nudge()
    {
        lock (_napGate)
        {
            _nudged = true;
            Monitor.Pulse(_napGate);
        }
    }

    /// <summary>The writer's short timed wait for calls; producers do not wake it unless the queue fills up.</summary>
    private void Nap()
    {
        lock (_napGate)
        {
            _napping = true;
            if (!_nudged && !_disposing && !_channel.Reader.TryPeek(out _))
            {
                Monitor.Wait(_napGate, NapMilliseconds);
            }

            _napping = false;
            _nudged = false;
        }
    }

    private void OnQueueFull(CapturedCall captured, long ticket, long notQueuedAhead)
    {
        bool admitted;
        try
        {
            admitted = _options.OverflowMode == AuditOverflowMode.Wait && !_overflowing && WaitForRoom(ticket, notQueuedAhead);
        }
#pragma warning disable CA1031 // A tool call never fails for the audit's sake, and the ticket must be accounted for.
        catch (Exception unexpected)
#pragma warning restore CA1031
        {
            Log.WaitForRoomFailed(_logger, captured.Call.Tool, unexpected);
            Reject(captured, ticket, log: false);
            return;
        }

        if (admitted)
        {
            if (!_disposing && _channel.Writer.TryWrite(captured))
            {
                return;
            }

            Reject(captured, ticket);
            return;
        }

        if (_disposing)
        {
            Reject(captured, ticket);
            return;
        }

        Drop(captured, ticket);
    }

    /// <summary>Blocks until the ticket is admitted or the overflow wait runs out. Returns false when it ran out.</summary>
    private bool WaitForRoom(long ticket, long notQueuedAhead)
    {
        if (_napping)
        {
            Nudge();
        }

        // The writer frees a batch of room at a time, usually within microseconds: spin (yielding) briefly first.
        var spinner = new SpinWait();
        while (spinner.Count < OverflowSpins)
        {
            if (HasRoom(ticket, notQueuedAhead))
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        var timeout = _options.OverflowWaitTimeout;
        var start = _timeProvider.GetTimestamp();
        var onPool = Thread.CurrentThread.IsThreadPoolThread;
        var realStart = Stopwatch.GetTimestamp();

        // Registered for the whole wait, hand-over included, so that no call leaving ahead of it goes uncounted.
        var waiter = AddRoomWaiter(ticket, notQueuedAhead);
        try
        {
            return WaitForRoom(waiter, timeout, start, onPool, realStart);
        }
        finally
        {
            // Before the call is queued or dropped (see RoomWaiters.Remove).
            _roomWaiters.Remove(waiter);
        }
    }

    /// <summary>The blocking part of <see cref="WaitForRoom(long, long)"/>, for a registered waiter.</summary>
    private bool WaitForRoom(RoomWaiter waiter, TimeSpan timeout, long start, bool onPool, long realStart)
    {
        var handOver = false;
        ITimer? alarm = null;
        Interlocked.Increment(ref _waitingProducers);
        try
        {
            lock (_roomGate)
            {
                alarm = StartAlarm(timeout, start, static recorder => recorder.WakeWaitingProducers());
                while (true)
                {
                    if (WaitIsOver(waiter, timeout, start, out var wait) is { } over)
                    {
                        return over;
                    }

                    if (onPool)
                    {
                        // A thread-pool thread that waits this long may be starving the pool of threads a sink
                        // needs: go on waiting in a way the pool sees (below).
                        var waited = Stopwatch.GetElapsedTime(realStart);
                        if (waited >= PoolHandOverDelay)
                        {
                            handOver = true;
                            break;
                        }

                        var slice = (int)Math.Ceiling((PoolHandOverDelay - waited).TotalMilliseconds);
                        wait = wait == Timeout.Infinite ? slice : Math.Min(wait, slice);
                    }

                    Monitor.Wait(_roomGate, wait);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingProducers);
            alarm?.Dispose();
        }

        return handOver && WaitForRoomOnPoolThread(waiter, timeout, start);
    }

    /// <summary>
    /// The rest of the wait of a thread-pool thread that has waited <see cref="PoolHandOverDelay"/>: it blocks on a task,
    /// which tells the pool that the thread is blocked, so the pool adds threads at once instead of starving work that
    /// the sinks may need (their async I/O, a composite's parallel writes) until the overflow wait runs out. Not from
    /// the start: the pool answers with threads of its own, which cost a burst on a small machine about a tenth of its
    /// throughput when every batch's short wait did it.
    /// </summary>
    private bool WaitForRoomOnPoolThread(RoomWaiter waiter, TimeSpan timeout, long start)
    {
        Interlocked.Increment(ref _poolHandOvers);
        ITimer? alarm = null;
        Interlocked.Increment(ref _asyncRoomWaiters);
        Interlocked.Increment(ref _waitingProducers);
        try
        {
            alarm = StartAlarm(timeout, start, static recorder => recorder.SignalRoom());
            while (true)
            {
                // Take the signal before checking: room freed after the check completes this very signal.
                var signal = Volatile.Read(ref _roomSignal).Task;
                if (WaitIsOver(waiter, timeout, start, out var wait) is { } over)
                {
                    return over;
                }

                signal.Wait(wait);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingProducers);
            Interlocked.Decrement(ref _asyncRoomWaiters);
            alarm?.Dispose();
        }
    }

    /// <summary>
    /// Whether a wait for room is over: true when the waiter is admitted, false when the recorder shuts down or the
    /// overflow wait has run out; null, with how long to block next, while it goes on.
    /// </summary>
    private bool? WaitIsOver(RoomWaiter waiter, TimeSpan timeout, long start, out int wait)
    {
        wait = 0;
        if (HasRoom(waiter))
        {
            return true;
        }

        if (_disposing)
        {
            return false;
        }

        if (!TryGetRemainingWait(timeout, start, out wait))
        {
            return false;
        }

        if (waiter.MayHaveMissed && (wait == Timeout.Infinite || wait > MissedRecheckMilliseconds))
        {
            // Nothing wakes it for the calls it may have missed: look again soon.
            wait = MissedRecheckMilliseconds;
        }

        return null;
    }

    /// <summary>
    /// With an injected clock (a fake one in tests), which may run at its own pace, a timer of that clock wakes the
    /// waiter at its deadline. With the system clock the bounded waits are enough, and need no thread-pool thread to
    /// fire, so a starved pool cannot stretch them: null then.
    /// </summary>
    private ITimer? StartAlarm(TimeSpan timeout, long start, Action<AuditRecorder> wake)
    {
        if (timeout == Timeout.InfiniteTimeSpan || ReferenceEquals(_timeProvider, TimeProvider.System))
        {
            return null;
        }

        var due = timeout - _timeProvider.GetElapsedTime(start);
        return _timeProvider.CreateTimer(
            static state =>
            {
                var (recorder, wake) = ((AuditRecorder, Action<AuditRecorder>))state!;
                wake(recorder);
            },
            (this, wake),
            due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// What is left of the overflow wait that began at <paramref name="start"/>, in milliseconds (<see cref="Timeout.Infinite"/>
    /// when unbounded). False when it has run out: from then on callers drop at once, until the writer makes room again.
    /// </summary>
    private bool TryGetRemainingWait(TimeSpan timeout, long start, out int milliseconds)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            milliseconds = Timeout.Infinite;
            return true;
        }

        var remaining = timeout - _timeProvider.GetElapsedTime(start);
        if (remaining <= TimeSpan.Zero)
        {
            _overflowing = true;
            milliseconds = 0;
            return false;
        }

        milliseconds = (int)Math.Min(Math.Ceiling(remaining.TotalMilliseconds), int.MaxValue);
        return true;
    }

    private async ValueTask WaitForRoomAsync(long ticket, long notQueuedAhead, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _asyncRoomWaiters);
        var waiter = AddRoomWaiter(ticket, notQueuedAhead);
        try
        {
            while (!HasRoom(waiter))
            {
                BeforeRoomSignalTakenHook?.Invoke();

                // Take the signal before looking whether the recorder stopped: shutdown (and Fault) says so before it
                // completes the signal, so either this look sees it or the signal taken is the one it completes.
                // Looking first, a shutdown in between would complete the signal before this one, and nothing might
                // complete this one (a hung sink frees no room; giving up on it drains the queue without a signal).
                var signal = Volatile.Read(ref _roomSignal).Task;
                ThrowIfStopped();
                if (HasRoom(waiter))
                {
                    break;
                }

                if (!waiter.MayHaveMissed)
                {
                    await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Nothing wakes it for the calls it may have missed: look again soon.
                await Task.WhenAny(signal, Task.Delay(MissedRecheckMilliseconds, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            // Before the call is queued or refused (see RoomWaiters.Remove).
            _roomWaiters.Remove(waiter);
            Interlocked.Decrement(ref _asyncRoomWaiters);
        }
    }

    private void WakeWaitingProducers()
    {
        lock (_roomGate)
        {
            Monitor.PulseAll(_roomGate);
        }
    }

    private void SignalRoom()
    {
        var signal = Interlocked.Exchange(ref _roomSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        signal.TrySetResult();
    }

    private void Drop(CapturedCall captured, long ticket)
    {
        BeforeDropHook?.Invoke();
        var closed = false;
        lock (_gapsGate)
        {
            if (_gapsClosed)
            {
                closed = true;
            }
            else
            {
                _pendingGaps ??= new Dictionary<string, AuditGap>(StringComparer.Ordinal);
                var user = captured.Call.User;
                _pendingGaps[user] = _pendingGaps.TryGetValue(user, out var gap)
                    ? gap with { Dropped = gap.Dropped + 1, Until = captured.Timestamp > gap.Until ? captured.Timestamp : gap.Until }
                    : new AuditGap(user, 1, captured.Timestamp, captured.Timestamp);
            }
        }

        if (closed)
        {
            // The writer has stopped (a caller that found the queue full raced the end of shutdown): no marker could
            // tell this drop, and every drop counted shows in the trail, so the call is counted as refused instead.
            Reject(captured, ticket);
            return;
        }

        // Dropped before _notQueued: a snapshot never sees the slot freed without the drop counted.
        var dropped = Interlocked.Increment(ref _dropped);
        LeftUnqueued(ticket);
        if (dropped == 1 || (dropped & 0x3FF) == 0)
        {
            Log.Dropping(_logger, _options.OverflowMode, dropped);
        }
    }

    /// <summary>Counts a call that never reached the queue (after shutdown, or cancelled while waiting) as failed.</summary>
    private void Reject(CapturedCall captured, long ticket, bool log = true)
    {
        lock (_countersGate)
        {
            _failed++;
        }

        // Failed before _notQueued, as for a drop. Outside the lock: it may wake the waiters.
        LeftUnqueued(ticket);

        if (log)
        {
            if (_faulted)
            {
                Log.RecordedAfterFault(_logger, captured.Call.Tool);
            }
            else
            {
                Log.RecordedAfterShutdown(_logger, captured.Call.Tool);
            }
        }
    }

    /// <summary>Stage one: takes batches off the queue and prepares them, while the sink thread writes the previous one.</summary>
    private void WriterLoop()
    {
        var reader = _channel.Reader;
        var maxBatch = _options.MaxBatchSize;

        // The batch this thread holds and has not handed on, for Fault to account for.
        WriteBatchWork? held = null;
        try
        {
            var naps = 0;
            while (true)
            {
                // Waits while both batches are out: the sink is behind, and the queue holds the rest.
                var work = held = _freeWork.Take();
                while (!TryReadBatch(reader, work, maxBatch))
                {
                    // No spinning for the next call: a writer that takes each call as it comes pulls the queue's
                    // memory to its core call by call, and every call then pays for moving it back.
                    if (naps < NapsBeforeSleep && !_disposing)
                    {
                        // Recently busy: nap, so that the calls that come meanwhile need not wake the writer.
                        naps++;
                        Nap();
                        continue;
                    }

                    // Idle for a while: sleep until a call comes (that call pays for the wake-up).
                    naps = 0;
                    var wait = reader.WaitToReadAsync();
                    var more = wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                    if (!more)
                    {
                        return;
                    }
                }

                naps = 0;
                OnRoomFreed(work.Calls.Count);
                BeforePrepareHook?.Invoke();
                if (Prepare(work))
                {
                    _preparedWork.Add(work);
                }
                else
                {
                    work.Reset();
                    _freeWork.Add(work);
                }

                held = null;
            }
        }
#pragma warning disable CA1031 // The stage must hand over to the sink thread whatever happens, or shutdown would hang.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault(ex, held, sinkStageStopped: false);
        }
        finally
        {
            _preparedWork.CompleteAdding();
        }
    }

    /// <summary>Stage two: writes prepared batches in order and accounts for them; writes gap markers.</summary>
    private void SinkLoop()
    {
        try
        {
            while (true)
            {
                if (!_preparedWork.TryTake(out var work))
                {
                    // Nothing to write yet: help with the batch the writer is preparing, then wait for it.
                    if (_stagedSink is not null)
                    {
                        PrepareTakenOverTail();
                    }

                    if (!_preparedWork.TryTake(out work, Timeout.Infinite))
                    {
                        break;
                    }
                }

                BeforeWriteHook?.Invoke();
                Write(work);
                work.Reset();
                _freeWork.Add(work);
            }

            // Drops after the last batch still deserve their marker; later ones are counted as refused (see Drop).
            WriteGaps(last: true);
        }
#pragma warning disable CA1031 // Never leave shutdown waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault(ex, held: null, sinkStageStopped: true);

            // The writer thread may be waiting for a batch this thread will not give back.
            _freeWork.CompleteAdding();
        }
        finally
        {
            // Also when the stage stopped on an error: no gap marker is written from now on.
            lock (_gapsGate)
            {
                _gapsClosed = true;
            }

            // Both stages are done with everything queued: the flushes made once the queue was closed return.
            lock (_countersGate)
            {
                _stagesDone = true;
                ReleaseFlushWaiters();
            }

            _writerDone.TrySetResult();
        }
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> calls from the queue into <paramref name="work"/>, up to and including the next
    /// flush marker (which ends the batch); false when the queue is empty.
    /// </summary>
    private bool TryReadBatch(ChannelReader<CapturedCall> reader, WriteBatchWork work, int max)
    {
        var calls = work.Calls;

        // Under _countersGate, then _readGate (the order shutdown takes them in when it gives up on a hung sink and
        // drains the queue): a batch is in flight from the moment it leaves the queue, so that giving up counts it.
        lock (_countersGate)
        {
            lock (_readGate)
            {
                while (calls.Count < max && reader.TryRead(out var next))
                {
                    if (ReferenceEquals(next.Call, FlushMarker))
                    {
                        work.Flushes.Add(next.Durable!);
                        break;
                    }

                    calls.Add(next);
                }
            }

            if (calls.Count == 0 && work.Flushes.Count == 0)
            {
                return false;
            }

            _inFlight.Add(work);
            return true;
        }
    }

    private void OnRoomFreed(int count)
    {
        // A full fence (not a volatile write): the waiter counts read next must not be read before the room is
        // published, or a producer that just checked for room and is about to wait would never be woken.
        Interlocked.Add(ref _dequeued, count);
        _overflowing = false;
        if (Volatile.Read(ref _waitingProducers) > 0)
        {
            WakeWaitingProducers();
        }

        if (Volatile.Read(ref _asyncRoomWaiters) > 0)
        {
            SignalRoom();
        }
    }

    /// <summary>Turns a batch of captured calls into entries (or, for a staged sink, serialized lines).</summary>
    /// <returns>False when the batch is already accounted for (shutdown gave up on the sink).</returns>
    private bool Prepare(WriteBatchWork work)
    {
        lock (_countersGate)
        {
            if (!_inFlight.Contains(work))
            {
                // Shutdown gave up on the sink after this batch left the queue, and counted it (it was in flight).
                return false;
            }
        }

        if (work.Calls.Count == 0)
        {
            // Only a flush marker: nothing to prepare; the sink thread answers it after the batches before.
            return true;
        }

        if (_stagedSink is not null)
        {
            PrepareStaged(work);
            return true;
        }

        foreach (var captured in work.Calls)
        {
            try
            {
                work.Entries.Add(_factory.Create(captured));
            }
#pragma warning disable CA1031 // A bug preparing one entry must not lose the batch: count it, log it, go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                work.UnpreparedRef++;
                OnPrepareFailed(captured, ex);
            }
        }

        return true;
    }

    /// <summary>
    /// A staged sink's batch: each call is serialized straight into the sink's buffers (no entry object). The ids'
    /// order is fixed first; then the batch is open for the sink thread to take over its tail while the writer works
    /// from the front (see <see cref="PrepareTakenOverTail"/>).
    /// </summary>
    private void PrepareStaged(WriteBatchWork work)
    {
        var calls = work.Calls;
        var sequences = work.IdSequencesToFill();
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = _factory.NextIdSequence(calls[i].Timestamp);
        }

        work.OpenClaims();
        Volatile.Write(ref _preparing, work);
        object? prepared = null;
        while (work.TryClaimFront(out var start, out var end))
        {
            for (var i = start; i < end; i++)
            {
                PrepareOne(calls[i], work.IdSequences[i], _factory, ref prepared, ref work.UnpreparedRef);
            }
        }

        Volatile.Write(ref _preparing, null);
        work.Prepared = prepared;
    }

    /// <summary>
    /// On the sink thread, between writes: when the writer is still preparing the next batch, take over the last two
    /// thirds of what it has left, so that both cores serialize (the sink thread is otherwise idle while the writer,
    /// the bottleneck under load, prepares).
    /// </summary>
    private void PrepareTakenOverTail()
    {
        if (Volatile.Read(ref _preparing) is not { } work || !work.TryTakeTail(out var start, out var end))
        {
            return;
        }

        object? prepared = null;
        for (var i = start; i < end; i++)
        {
            PrepareOne(work.Calls[i], work.IdSequences[i], _tailFactory!, ref prepared, ref work.UnpreparedTailRef);
        }

        work.PreparedTail = prepared;
    }

    private void PrepareOne(CapturedCall captured, long idSequence, AuditEntryFactory factory, ref object? prepared, ref int unprepared)
    {
        try
        {
            _stagedSink!.Prepare(captured, idSequence, factory, ref prepared);
        }
#pragma warning disable CA1031 // A bug preparing one entry must not lose the batch: count it, log it, go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            unprepared++;
            OnPrepareFailed(captured, ex);
        }
    }

    private void OnPrepareFailed(CapturedCall captured, Exception ex)
    {
        captured.Durable?.TrySetException(new AuditWriteException("The audit entry could not be prepared.", ex));
        Log.PrepareFailed(_logger, captured.Call.Tool, ex);
    }

    private void Write(WriteBatchWork work)
    {
        lock (_countersGate)
        {
            if (!_inFlight.Contains(work))
            {
                // Shutdown gave up on the sink while this batch waited, and has counted it as failed: do not write it.
                DiscardPrepared(work);
                return;
            }
        }

        WriteGaps();

        // Entries that could not be prepared are counted as failed; the rest are written.
        var unprepared = work.Unprepared;
        var count = work.Calls.Count - unprepared;
        Exception? failure = null;
        PartialCommitException? partial = null;
        if (count == 0)
        {
            DiscardPrepared(work);
        }
        else
        {
            try
            {
                if (_stagedSink is not null)
                {
                    // The front, then the tail the sink thread took over: the queue's order.
                    CommitPrepared(work);
                }
                else
                {
                    var write = _sink.WriteAsync(work.Entries, _shutdown.Token);
                    if (!write.IsCompletedSuccessfully)
                    {
                        write.AsTask().GetAwaiter().GetResult();
                    }
                }
            }
            catch (PartialCommitException ex)
            {
                // Some files failed, the others are written: each entry is counted, and answered, by its own outcome.
                partial = ex;
                failure = ex.InnerException ?? ex;
            }
#pragma warning disable CA1031 // Sinks may throw anything; the recorder contains it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
        }

        var notWritten = failure is null ? 0 : partial?.NotWrittenCount ?? count;
        if (failure is not null)
        {
            Log.SinkFailed(_logger, _sinkName, notWritten, failure);
        }

        lock (_countersGate)
        {
            // When shutdown gave up on the sink meanwhile, it has counted this batch already.
            if (_inFlight.Remove(work))
            {
                _written += count - notWritten;
                _failed += unprepared + notWritten;
            }
        }

        CompleteDurable(work.Calls, failure, partial?.NotWrittenIn(work.Calls));
    }

    private void CommitPrepared(WriteBatchWork work)
    {
        var front = work.Prepared;
        var tail = work.PreparedTail;
        work.Prepared = work.PreparedTail = null;
        if (front is not null)
        {
            _stagedSink!.Commit(front, tail);
        }
        else if (tail is not null)
        {
            _stagedSink!.Commit(tail, null);
        }
    }

    private void DiscardPrepared(WriteBatchWork work)
    {
        if (work.Prepared is { } front)
        {
            _stagedSink!.Discard(front);
        }

        if (work.PreparedTail is { } tail)
        {
            _stagedSink!.Discard(tail);
        }

        work.Prepared = work.PreparedTail = null;
    }

    /// <summary>Answers the batch's durable callers: written, or <paramref name="failure"/> (only for the calls in <paramref name="notWritten"/>, when given).</summary>
    private void CompleteDurable(List<CapturedCall> batch, Exception? failure, IReadOnlySet<CapturedCall>? notWritten = null)
    {
        AuditWriteException? error = null;
        foreach (var captured in batch)
        {
            if (captured.Durable is null)
            {
                continue;
            }

            if (failure is null || (notWritten is not null && !notWritten.Contains(captured)))
            {
                captured.Durable.TrySetResult();
            }
            else
            {
                error ??= failure as AuditWriteException ?? new AuditWriteException([_sinkName], failure);
                captured.Durable.TrySetException(error);
            }
        }
    }

    /// <summary>Writes the gap markers of the drops noted so far; with <paramref name="last"/>, closes the gaps (see <see cref="_gapsClosed"/>).</summary>
    private void WriteGaps(bool last = false)
    {
        Dictionary<string, AuditGap>? gaps;
        lock (_gapsGate)
        {
            gaps = _pendingGaps;
            _pendingGaps = null;
            _gapsClosed |= last;
        }

        if (gaps is null || _sink is not IAuditGapSink gapSink)
        {
            return;
        }

        var list = gaps.Values.ToList();
        try
        {
            var write = gapSink.WriteGapsAsync(list, _shutdown.Token);
            if (!write.IsCompletedSuccessfully)
            {
                write.AsTask().GetAwaiter().GetResult();
            }
        }
#pragma warning disable CA1031 // The drops are counted either way; a marker that cannot be written is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.GapWriteFailed(_logger, _sinkName, list.Count, ex);
        }
    }

    /// <summary>Answers the flushes made once the queue was closed (see <see cref="_flushWaiters"/>). Call under <see cref="_countersGate"/>.</summary>
    private void ReleaseFlushWaiters()
    {
        foreach (var waiter in _flushWaiters)
        {
            waiter.TrySetResult();
        }

        _flushWaiters.Clear();
    }

    private static string SinkName(IAuditSink sink) => sink is CompositeAuditSink composite ? composite.ToString() : sink.GetType().Name;
}
