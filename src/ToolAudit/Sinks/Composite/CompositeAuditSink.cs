namespace ToolAudit;

/// <summary>
/// Fans each batch out to several sinks at once. One sink failing never stops the others from getting the batch.
/// </summary>
/// <remarks>
/// <para>
/// The sinks are started together (all but the last on the thread pool, so that even a sink that blocks its thread
/// does not delay the others' writes of the same batch); the composite completes when all are done, which means the
/// slowest sink sets the pace of the next batch.
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
        var last = LastTarget(onlyGapSinks);

        for (var i = 0; i < _sinks.Length; i++)
        {
            if (onlyGapSinks && _sinks[i] is not IAuditGapSink)
            {
                continue;
            }

            try
            {
                if (i < last)
                {
                    // A sink may block its thread (file I/O, a synchronous driver): start it on the pool so it cannot
                    // hold back the sinks after it. The last one runs here.
                    var sink = _sinks[i];
                    (pending ??= new()).Add((i, Task.Run(() => write(sink, state, cancellationToken).AsTask(), CancellationToken.None)));
                    continue;
                }

                var task = write(_sinks[i], state, cancellationToken);
                if (task.IsCompletedSuccessfully)
                {
                    continue;
                }

                (pending ??= new()).Add((i, task.AsTask()));
            }
#pragma warning disable CA1031 // A sink that throws synchronously is a failure of that sink only.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (failures ??= new()).Add((i, ex));
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
}
