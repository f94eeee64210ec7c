namespace ToolAudit;

/// <summary>
/// Fans each batch out to several sinks at once. One sink failing never stops the others from getting the batch.
/// </summary>
/// <remarks>
/// <para>
/// The sinks are started together (all but the last offered to the thread pool, so that even a sink that blocks its
/// thread does not delay the others' writes of the same batch); the composite completes when all are done, which means
/// the slowest sink sets the pace of the next batch. A sink the pool has not started by the time the last one is done
/// is started on the composite's own thread, so a pool whose threads are all taken (callers blocked waiting for room in
/// the recorder's queue) cannot hold the writes back.
/// </para>
/// <para>
/// When some sinks fail, the others still complete, and then the composite throws an <see cref="AuditWriteException"/>
/// whose <see cref="AuditWriteException.FailedSinks"/> names the ones that failed. Gap markers are passed to the
/// sinks that are <see cref="IAuditGapSink"/>s.
/// </para>
/// </remarks>
public sealed class CompositeAuditSink : IAuditGapSink
{
    private readonly IAuditSink[] _sinks;
    private readonly string[] _names;

    /// <summary>Creates the composite.</summary>
    /// <param name="sinks">The sinks, in the order they are started.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sinks"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sinks"/> is empty.</exception>
    public CompositeAuditSink(IEnumerable<IAuditSink> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = sinks.ToArray();
        if (_sinks.Length == 0)
        {
            throw new ArgumentException("A composite needs at least one sink.", nameof(sinks));
        }

        if (Array.Exists(_sinks, static sink => sink is null))
        {
            throw new ArgumentNullException(nameof(sinks), "A composite's sinks must not be null.");
        }

        _names = _sinks.Select(static sink => sink.GetType().Name).ToArray();
    }

    /// <summary>Creates the composite.</summary>
    /// <param name="sinks">The sinks, in the order they are started.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sinks"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sinks"/> is empty.</exception>
    public CompositeAuditSink(params IAuditSink[] sinks)
        : this((IEnumerable<IAuditSink>)sinks)
    {
    }

    /// <summary>The sinks, in order.</summary>
    public IReadOnlyList<IAuditSink> Sinks => _sinks;

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken) =>
        FanOutAsync(static (sink, state, token) => sink.WriteAsync(state, token), batch, cancellationToken, onlyGapSinks: false);

    /// <inheritdoc />
    public ValueTask WriteGapsAsync(IReadOnlyList<AuditGap> gaps, CancellationToken cancellationToken) =>
        FanOutAsync(static (sink, state, token) => ((IAuditGapSink)sink).WriteGapsAsync(state, token), gaps, cancellationToken, onlyGapSinks: true);

    /// <summary>Names the sinks, as failures report them.</summary>
    /// <returns>For example <c>Composite(JsonlAuditStore, InMemoryAuditStore)</c>.</returns>
    public override string ToString() => $"Composite({string.Join(", ", _names)})";

    private int LastTarget(bool onlyGapSinks)
    {
        for (var i = _sinks.Length - 1; i >= 0; i--)
        {
            if (!onlyGapSinks || _sinks[i] is IAuditGapSink)
            {
                return i;
            }
        }

        return -1;
    }

    private async ValueTask FanOutAsync<TState>(
        Func<IAuditSink, TState, CancellationToken, ValueTask> write,
        TState state,
        CancellationToken cancellationToken,
        bool onlyGapSinks)
    {
        List<(int Index, Exception Error)>? failures = null;
        List<(int Index, Task Pending)>? pending = null;
        List<(int Index, SinkStart<TState> Start)>? started = null;
        var last = LastTarget(onlyGapSinks);

        for (var i = 0; i < _sinks.Length; i++)
        {
            if (onlyGapSinks && _sinks[i] is not IAuditGapSink)
            {
                continue;
            }

            if (i < last)
            {
                // A sink may block its thread (file I/O, a synchronous driver): offer it to the pool so it cannot hold
                // back the sinks after it. The last one runs here.
                var start = new SinkStart<TState>(_sinks[i], write, state, cancellationToken);
                ThreadPool.UnsafeQueueUserWorkItem(start, preferLocal: false);
                (started ??= new()).Add((i, start));
                continue;
            }

            AddOutcome(i, () => write(_sinks[i], state, cancellationToken), ref pending, ref failures);
        }

        if (started is not null)
        {
            // A sink the pool has not started yet runs here now: callers blocked on pool threads waiting for room in
            // the queue (Wait mode) can hold every pool thread, and the pool's new threads take their queued work first,
            // so a write left to the pool could wait until their wait times out. So the composite needs no pool thread
            // to start a sink, only (like any async sink) for an async sink's continuations.
            foreach (var (index, start) in started)
            {
                start.RunHereIfNotStarted();
                (pending ??= new()).Add((index, start.Completion));
            }
        }

        if (pending is not null)
        {
            foreach (var (index, task) in pending)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Collected and rethrown below, after every sink is done.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    (failures ??= new()).Add((index, ex));
                }
            }
        }

        if (failures is null)
        {
            return;
        }

        // In the sinks' order, names and failures alike: they are collected as they come (a sink that throws at once
        // before one that fails later), and a reader pairs the inner failures with the names.
        var ordered = failures.OrderBy(static f => f.Index).ToArray();
        var names = ordered.SelectMany(f => f.Error is AuditWriteException { FailedSinks.Count: > 0 } inner ? inner.FailedSinks : [_names[f.Index]]).ToArray();
        var inner = ordered.Length == 1 ? ordered[0].Error : new AggregateException(ordered.Select(static f => f.Error));
        var error = new AuditWriteException(names, inner);
        throw error;
    }

    /// <summary>Starts one sink's write, noting a pending write or a synchronous failure.</summary>
    private static void AddOutcome(int index, Func<ValueTask> write, ref List<(int Index, Task Pending)>? pending, ref List<(int Index, Exception Error)>? failures)
    {
        try
        {
            var task = write();
            if (!task.IsCompletedSuccessfully)
            {
                (pending ??= new()).Add((index, task.AsTask()));
            }
        }
#pragma warning disable CA1031 // A sink that throws synchronously is a failure of that sink only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            (failures ??= new()).Add((index, ex));
        }
    }

    /// <summary>
    /// One sink's write, started by whichever comes first: a pool thread, or the composite's own thread once its last
    /// sink is done (<see cref="RunHereIfNotStarted"/>). Never both.
    /// </summary>
    private sealed class SinkStart<TState> : IThreadPoolWorkItem
    {
        private readonly IAuditSink _sink;
        private readonly Func<IAuditSink, TState, CancellationToken, ValueTask> _write;
        private readonly TState _state;
        private readonly CancellationToken _cancellationToken;

        // Completed inline by whoever completes the write: the composite's continuation then runs on that thread, as
        // when it awaits a sink's own task.
        private readonly TaskCompletionSource _done = new();
        private int _started;

        public SinkStart(IAuditSink sink, Func<IAuditSink, TState, CancellationToken, ValueTask> write, TState state, CancellationToken cancellationToken)
        {
            _sink = sink;
            _write = write;
            _state = state;
            _cancellationToken = cancellationToken;
        }

        /// <summary>Completes as the sink's write does, with its failure.</summary>
        public Task Completion => _done.Task;

        /// <inheritdoc />
        public void Execute() => RunHereIfNotStarted();

        /// <summary>Starts the write on this thread, unless it was started already.</summary>
        public void RunHereIfNotStarted()
        {
            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                return;
            }

            ValueTask write;
            try
            {
                write = _write(_sink, _state, _cancellationToken);
            }
#pragma warning disable CA1031 // Handed to the composite, which reports it as this sink's failure.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _done.SetException(ex);
                return;
            }

            if (write.IsCompletedSuccessfully)
            {
                _done.SetResult();
                return;
            }

            _ = write.AsTask().ContinueWith(
                static (task, done) => Complete((TaskCompletionSource)done!, task),
                _done,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private static void Complete(TaskCompletionSource done, Task write)
        {
            if (write.IsFaulted)
            {
                done.SetException(write.Exception!.InnerExceptions);
            }
            else if (write.IsCanceled)
            {
                done.SetCanceled();
            }
            else
            {
                done.SetResult();
            }
        }
    }
}
