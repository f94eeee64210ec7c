using System.Collections.Concurrent;
using System.Reflection;

namespace ToolAudit.SemanticKernel.Filters;

/// <summary>
/// Wraps a streaming invocation's result (an <see cref="IAsyncEnumerable{T}"/> that runs the function as it is read),
/// so that the call is recorded when the stream ends: read to its end, failed, or left early by its reader.
/// </summary>
/// <remarks>
/// Semantic Kernel hands a streaming call's filters the stream before anything of the function has run: the function
/// runs, and may throw, only while the caller reads. The stream's item type is the caller's choice
/// (<c>InvokeStreamingAsync&lt;string&gt;</c>, <c>&lt;StreamingKernelContent&gt;</c>, …), so the wrapper is made for
/// it once per type.
/// </remarks>
internal static class AuditedStream
{
    private static readonly MethodInfo WrapOfT = typeof(AuditedStream).GetMethod(nameof(WrapTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly ConcurrentDictionary<Type, Func<object, Action<Exception?>, object>> Wrappers = new();

    /// <summary>
    /// Wraps <paramref name="value"/> when it is an <see cref="IAsyncEnumerable{T}"/>: <paramref name="onEnd"/> runs
    /// once, when the first reading of the stream ends: with null when it was read to its end or left early (its
    /// enumerator disposed), with the exception when reading it threw.
    /// </summary>
    /// <param name="value">The streaming result's value.</param>
    /// <param name="onEnd">What to do when the stream ends.</param>
    /// <returns>The wrapped stream, or null when <paramref name="value"/> is no async stream.</returns>
    public static object? TryWrap(object? value, Action<Exception?> onEnd)
    {
        if (value is null || ItemType(value.GetType()) is not { } itemType)
        {
            return null;
        }

        Func<object, Action<Exception?>, object> wrap;
        try
        {
            wrap = Wrappers.GetOrAdd(
                itemType,
                static type => WrapOfT.MakeGenericMethod(type).CreateDelegate<Func<object, Action<Exception?>, object>>());
        }
#pragma warning disable CA1031 // No wrapper for this item type (a runtime without dynamic code): the caller records at once instead.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }

        return wrap(value, onEnd);
    }

    private static Type? ItemType(Type type)
    {
        foreach (var contract in type.GetInterfaces())
        {
            if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
            {
                return contract.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static object WrapTyped<T>(object source, Action<Exception?> onEnd) => new Stream<T>((IAsyncEnumerable<T>)source, new End(onEnd));

    /// <summary>Runs the end action once, whichever of the stream's ends comes first.</summary>
    private sealed class End(Action<Exception?> onEnd)
    {
        private int _ended;

        public void Run(Exception? exception)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                onEnd(exception);
            }
        }
    }

    private sealed class Stream<T>(IAsyncEnumerable<T> source, End end) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            IAsyncEnumerator<T> inner;
            try
            {
                inner = source.GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception exception)
            {
                end.Run(exception);
                throw;
            }

            return new Enumerator<T>(inner, end);
        }
    }

    private sealed class Enumerator<T>(IAsyncEnumerator<T> inner, End end) : IAsyncEnumerator<T>
    {
        public T Current => inner.Current;

        public async ValueTask<bool> MoveNextAsync()
        {
            bool more;
            try
            {
                more = await inner.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                end.Run(exception);
                throw;
            }

            if (!more)
            {
                end.Run(null);
            }

            return more;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                end.Run(exception);
                throw;
            }

            // Left before its end (a reader that breaks out of its loop): the function ran as far as it was read.
            end.Run(null);
        }
    }
}
