using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolAudit.Diagnostics;
using ToolAudit.Recording;

namespace ToolAudit;

/// <summary>
/// The recorder: takes tool calls on the caller's thread, queues them in a bounded <see cref="Channel{T}"/> and hands
/// them in batches to a sink on one background writer thread.
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
    private readonly Thread _writerThread;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();

    // How often the idle writer yields before it blocks and producers must wake it.
    private const int IdleSpins = 40;

    // How often a producer facing a full queue yields before it blocks.
    private const int OverflowSpins = 20;

    // Admission: every call takes a ticket (_accepted). The queue holds the calls admitted and not yet dequeued:
    // _accepted - _dequeued - _notQueued. A ticket is admitted while that stays within QueueCapacity. This keeps the
    // hot path to one Interlocked increment and a lock-free enqueue (a bounded channel takes a lock per item).
    private long _dequeued;
    private long _notQueued;

    // Producers that wait for room (Wait mode) sleep on this gate; the writer pulses it when it frees room.
    // RecordDurableAsync callers await _roomSignal instead, which the writer completes and replaces.
    private readonly object _roomGate = new();
    private int _waitingProducers;
    private int _asyncRoomWaiters;
    private TaskCompletionSource _roomSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _overflowing;

    // Counters. Accepted and Dropped move on the hot path (Interlocked); Written and Failed move under _countersGate,
    // which also guards the flush waiters and the shutdown hand-over, so no entry is ever counted twice.
    private readonly object _countersGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = new();
    private long _accepted;
    private long _written;
    private long _dropped;
    private long _failed;
    private volatile int _flushWaiterCount;
    private bool _abandoned;
    private List<CapturedCall>? _inFlight;

    // Drops not yet told to the sink as gap markers, per user.
    private readonly object _gapsGate = new();
    private Dictionary<string, AuditGap>? _pendingGaps;

    private volatile bool _disposing;
    private Task? _disposeTask;

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
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _factory = new AuditEntryFactory(options);
        // Unbounded as a channel, bounded by admission (see _notQueued): a single-reader unbounded channel is lock-free.
        _channel = Channel.CreateUnbounded<CapturedCall>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,

            // The only continuation is the writer's wake-up, which just releases its blocked thread.
            AllowSynchronousContinuations = true,
        });

        _writerThread = new Thread(WriterLoop)
        {
            IsBackground = true,
            Name = "ToolAudit writer",
        };

        // UnsafeStart: the writer must not inherit the creator's ExecutionContext (ToolAuditContext, Activity, culture
        // of whoever resolved the recorder first). Entries carry what was captured at their call instead.
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

    /// <inheritdoc />
    public void Record(ToolCall call)
    {
        var captured = Capture(call, durable: null);
        var ticket = Interlocked.Increment(ref _accepted);
        if (HasRoom(ticket) && !_disposing)
        {
            if (_channel.Writer.TryWrite(captured))
            {
                return;
            }
        }
        else if (!_disposing)
        {
            OnQueueFull(captured, ticket);
            return;
        }

        // Shutdown closed the queue: nothing after it is written, but it is counted and logged, never thrown at a tool call.
        Reject(captured);
    }

    /// <inheritdoc />
    public async ValueTask RecordDurableAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var captured = Capture(call, done);
        cancellationToken.ThrowIfCancellationRequested();
        var ticket = Interlocked.Increment(ref _accepted);
        try
        {
            if (!HasRoom(ticket))
            {
                await WaitForRoomAsync(ticket, cancellationToken).ConfigureAwait(false);
            }

            if (_disposing || !_channel.Writer.TryWrite(captured))
            {
                throw new ObjectDisposedException(nameof(AuditRecorder), "The recorder is shutting down; the call is not on record.");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Never queued: an outcome of its own, so the counters stay exact.
            Reject(captured, log: false);
            throw;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _accepted);
        TaskCompletionSource waiter;
        lock (_countersGate)
        {
            if (_written + _failed + Interlocked.Read(ref _dropped) >= target || _abandoned)
            {
                return ValueTask.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((target, waiter));
            _flushWaiterCount = _flushWaiters.Count;
        }

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Stops taking calls, writes everything queued, and stops the writer; waits at most
    /// <see cref="ToolAuditOptions.ShutdownTimeout"/>. Safe to call more than once.
    /// </summary>
    /// <returns>A task that completes when the queue is drained or the timeout has passed.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_countersGate)
        {
            _disposeTask ??= DisposeCoreAsync();
        }

        return new ValueTask(_disposeTask);
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking the caller until it is done.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task DisposeCoreAsync()
    {
        _disposing = true;
        _channel.Writer.TryComplete();
        WakeWaitingProducers();
        SignalRoom();

        var finished = await WaitForWriterAsync(_options.ShutdownTimeout).ConfigureAwait(false);
        if (!finished)
        {
            // The sink hangs. Ask it to stop, and account for everything still unwritten as failed, exactly once:
            // the batch the writer holds (it will not count it when it returns) and what is left in the queue.
            await _shutdown.CancelAsync().ConfigureAwait(false);
            long pending = 0;
            var durable = new List<TaskCompletionSource>();
            lock (_countersGate)
            {
                _abandoned = true;
                if (_inFlight is not null)
                {
                    pending += _inFlight.Count;
                    durable.AddRange(_inFlight.Where(static c => c.Durable is not null).Select(static c => c.Durable!));
                }

                while (_channel.Reader.TryRead(out var left))
                {
                    pending++;
                    if (left.Durable is not null)
                    {
                        durable.Add(left.Durable);
                    }
                }

                _failed += pending;
                ReleaseFlushWaiters(all: true);
            }

            foreach (var waiter in durable)
            {
                waiter.TrySetException(new AuditWriteException($"The recorder shut down before the entry was written (sink: {_sinkName})."));
            }

            Log.ShutdownTimedOut(_logger, _options.ShutdownTimeout, pending);

            // The writer thread may still be inside the hung sink and read the token later: leave it undisposed.
            return;
        }

        _shutdown.Dispose();
    }

    private async Task<bool> WaitForWriterAsync(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await _writerDone.Task.ConfigureAwait(false);
            return true;
        }

        try
        {
            await _writerDone.Task.WaitAsync(timeout, _timeProvider).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private CapturedCall Capture(ToolCall call, TaskCompletionSource? durable)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (string.IsNullOrEmpty(call.User))
        {
            throw new ArgumentException("The call's user must not be null or empty.", nameof(call));
        }

        if (string.IsNullOrEmpty(call.Tool))
        {
            throw new ArgumentException("The call's tool must not be null or empty.", nameof(call));
        }

        if (durable is not null)
        {
            ObjectDisposedException.ThrowIf(_disposing, this);
        }

        var context = ToolAuditContext.Current;
        var activity = Activity.Current;
        return new CapturedCall
        {
            Call = call,
            Timestamp = _timeProvider.GetUtcNow(),
            Args = ArgumentCapture.Capture(call.Args),
            Engine = call.Engine ?? context.Engine,
            Model = call.Model ?? context.Model,
            SessionId = call.SessionId ?? context.SessionId,
            TaskId = call.TaskId ?? context.TaskId,
            HasActivity = activity is not null,
            TraceId = activity?.TraceId ?? default,
            SpanId = activity?.SpanId ?? default,
            Durable = durable,
        };
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool HasRoom(long ticket) =>
        ticket - Volatile.Read(ref _dequeued) - Volatile.Read(ref _notQueued) <= _options.QueueCapacity;

    private void OnQueueFull(CapturedCall captured, long ticket)
    {
        if (_options.OverflowMode == AuditOverflowMode.Wait && !_overflowing && WaitForRoom(ticket))
        {
            if (!_disposing && _channel.Writer.TryWrite(captured))
            {
                return;
            }

            Reject(captured);
            return;
        }

        if (_disposing)
        {
            Reject(captured);
            return;
        }

        Drop(captured);
    }

    /// <summary>Blocks until the ticket is admitted or the overflow wait runs out. Returns false when it ran out.</summary>
    private bool WaitForRoom(long ticket)
    {
        // The writer frees a batch of room at a time, usually within microseconds: spin (yielding) briefly first.
        var spinner = new SpinWait();
        while (spinner.Count < OverflowSpins)
        {
            if (HasRoom(ticket))
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        var timeout = _options.OverflowWaitTimeout;
        var start = _timeProvider.GetTimestamp();
        ITimer? alarm = null;
        Interlocked.Increment(ref _waitingProducers);
        try
        {
            lock (_roomGate)
            {
                if (timeout != Timeout.InfiniteTimeSpan && !ReferenceEquals(_timeProvider, TimeProvider.System))
                {
                    // An injected clock (a fake one in tests) may run at its own pace: its timer wakes us at its
                    // deadline. With the system clock the bounded Monitor.Wait below is enough, and needs no thread
                    // pool thread to fire, so a starved pool cannot stretch the wait.
                    alarm = _timeProvider.CreateTimer(static state => ((AuditRecorder)state!).WakeWaitingProducers(), this, timeout, Timeout.InfiniteTimeSpan);
                }

                while (true)
                {
                    if (HasRoom(ticket))
                    {
                        return true;
                    }

                    if (_disposing)
                    {
                        return false;
                    }

                    var remaining = timeout == Timeout.InfiniteTimeSpan
                        ? Timeout.InfiniteTimeSpan
                        : timeout - _timeProvider.GetElapsedTime(start);
                    if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                    {
                        // From now on callers drop at once, until the writer makes room again.
                        _overflowing = true;
                        return false;
                    }

                    Monitor.Wait(_roomGate, remaining == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Min(Math.Ceiling(remaining.TotalMilliseconds), int.MaxValue));
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingProducers);
            alarm?.Dispose();
        }
    }

    private async ValueTask WaitForRoomAsync(long ticket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _asyncRoomWaiters);
        try
        {
            while (!HasRoom(ticket))
            {
                ObjectDisposedException.ThrowIf(_disposing, this);
                var signal = Volatile.Read(ref _roomSignal).Task;
                if (HasRoom(ticket))
                {
                    break;
                }

                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
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

    private void Drop(CapturedCall captured)
    {
        lock (_gapsGate)
        {
            _pendingGaps ??= new Dictionary<string, AuditGap>(StringComparer.Ordinal);
            var user = captured.Call.User;
            _pendingGaps[user] = _pendingGaps.TryGetValue(user, out var gap)
                ? gap with { Dropped = gap.Dropped + 1, Until = captured.Timestamp > gap.Until ? captured.Timestamp : gap.Until }
                : new AuditGap(user, 1, captured.Timestamp, captured.Timestamp);
        }

        // Dropped before _notQueued: a snapshot never sees the slot freed without the drop counted.
        var dropped = Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _notQueued);
        if (dropped == 1 || (dropped & 0x3FF) == 0)
        {
            Log.Dropping(_logger, _options.OverflowMode, dropped);
        }

        if (_flushWaiterCount > 0)
        {
            lock (_countersGate)
            {
                ReleaseFlushWaiters(all: false);
            }
        }
    }

    /// <summary>Counts a call that never reached the queue (after shutdown, or cancelled while waiting) as failed.</summary>
    private void Reject(CapturedCall captured, bool log = true)
    {
        lock (_countersGate)
        {
            _failed++;
            Interlocked.Increment(ref _notQueued);
            ReleaseFlushWaiters(all: false);
        }

        if (log)
        {
            Log.RecordedAfterShutdown(_logger, captured.Call.Tool);
        }
    }

    private void WriterLoop()
    {
        var reader = _channel.Reader;
        var maxBatch = _options.MaxBatchSize;
        var batch = new List<CapturedCall>(Math.Min(maxBatch, 4096));
        var entries = new List<AuditEntry>(Math.Min(maxBatch, 4096));
        try
        {
            var idle = new SpinWait();
            while (true)
            {
                if (!reader.TryRead(out var first))
                {
                    // Yield a little before blocking: during a burst the next call comes within microseconds, and
                    // while the writer is not blocked no producer pays for waking it.
                    if (idle.Count < IdleSpins)
                    {
                        idle.SpinOnce(sleep1Threshold: -1);
                        continue;
                    }

                    idle.Reset();
                    var wait = reader.WaitToReadAsync();
                    var more = wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                    if (!more)
                    {
                        break;
                    }

                    continue;
                }

                idle.Reset();
                batch.Add(first);
                while (batch.Count < maxBatch && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                OnRoomFreed(batch.Count);
                WriteBatch(batch, entries);
                batch.Clear();
                entries.Clear();
            }

            // Drops after the last batch still deserve their marker.
            WriteGaps();
        }
        finally
        {
            _writerDone.TrySetResult();
        }
    }

    private void OnRoomFreed(int count)
    {
        Volatile.Write(ref _dequeued, _dequeued + count);
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

    private void WriteBatch(List<CapturedCall> batch, List<AuditEntry> entries)
    {
        lock (_countersGate)
        {
            if (_abandoned)
            {
                // Shutdown gave up on the sink after this batch left the queue: its entries are ours to count.
                _failed += batch.Count;
                ReleaseFlushWaiters(all: false);
                return;
            }

            _inFlight = batch;
        }

        WriteGaps();

        var unprepared = 0;
        foreach (var captured in batch)
        {
            try
            {
                entries.Add(_factory.Create(captured));
            }
#pragma warning disable CA1031 // A bug preparing one entry must not lose the batch: count it, log it, go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                unprepared++;
                captured.Durable?.TrySetException(new AuditWriteException("The audit entry could not be prepared.", ex));
                Log.PrepareFailed(_logger, captured.Call.Tool, ex);
            }
        }

        Exception? failure = null;
        if (entries.Count > 0)
        {
            try
            {
                var write = _sink.WriteAsync(entries, _shutdown.Token);
                if (!write.IsCompletedSuccessfully)
                {
                    write.AsTask().GetAwaiter().GetResult();
                }
            }
#pragma warning disable CA1031 // Sinks may throw anything; the recorder contains it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
                Log.SinkFailed(_logger, _sinkName, entries.Count, ex);
            }
        }

        lock (_countersGate)
        {
            _inFlight = null;
            if (!_abandoned)
            {
                if (failure is null)
                {
                    _written += entries.Count;
                    _failed += unprepared;
                }
                else
                {
                    _failed += batch.Count;
                }
            }

            ReleaseFlushWaiters(all: false);
        }

        CompleteDurable(batch, failure);
    }

    private void CompleteDurable(List<CapturedCall> batch, Exception? failure)
    {
        AuditWriteException? error = null;
        foreach (var captured in batch)
        {
            if (captured.Durable is null)
            {
                continue;
            }

            if (failure is null)
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

    private void WriteGaps()
    {
        Dictionary<string, AuditGap>? gaps;
        lock (_gapsGate)
        {
            gaps = _pendingGaps;
            _pendingGaps = null;
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

    /// <summary>Completes flush waiters whose entries are all accounted for. Call under <see cref="_countersGate"/>.</summary>
    private void ReleaseFlushWaiters(bool all)
    {
        if (_flushWaiters.Count == 0)
        {
            return;
        }

        var processed = _written + _failed + Interlocked.Read(ref _dropped);
        for (var i = _flushWaiters.Count - 1; i >= 0; i--)
        {
            if (all || _flushWaiters[i].Target <= processed)
            {
                _flushWaiters[i].Done.TrySetResult();
                _flushWaiters.RemoveAt(i);
            }
        }

        _flushWaiterCount = _flushWaiters.Count;
    }

    private static string SinkName(IAuditSink sink) => sink is CompositeAuditSink composite ? composite.ToString() : sink.GetType().Name;
}
