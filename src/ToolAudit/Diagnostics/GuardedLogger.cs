using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ToolAudit.Diagnostics;

/// <summary>
/// The host's logger, kept from throwing into the recorder: a logging provider that fails (a full disk, a closed
/// console, a bug) makes the framework's logger throw an <see cref="AggregateException"/>, which from a tool call's
/// <c>Record</c> would fail the call, and from the writer's threads would stop the writer. Only the log message is lost.
/// </summary>
internal sealed class GuardedLogger : ILogger
{
    private readonly ILogger _inner;

    private GuardedLogger(ILogger inner) => _inner = inner;

    /// <summary>Guards <paramref name="logger"/>; the no-op logger when it is null.</summary>
    /// <param name="logger">The host's logger.</param>
    /// <returns>A logger that never throws.</returns>
    public static ILogger Guard(ILogger? logger) => logger is null or NullLogger ? NullLogger.Instance : new GuardedLogger(logger);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return _inner.BeginScope(state);
        }
#pragma warning disable CA1031 // The logger's failure must not become the audit's.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return _inner.IsEnabled(logLevel);
        }
#pragma warning disable CA1031 // As above: a logger that cannot say is treated as one that logs, and Log guards the rest.
        catch (Exception)
#pragma warning restore CA1031
        {
            return true;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
#pragma warning disable CA1031 // As above: nothing is left to report the logger's own failure to.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
