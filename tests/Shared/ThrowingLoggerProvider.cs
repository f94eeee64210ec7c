using Microsoft.Extensions.Logging;

namespace ToolAudit.Tests.Shared;

/// <summary>
/// Linked into each integration test project. A logging provider whose loggers throw (its disk is full) for ToolAudit's categories; the framework's own
/// loggers are left alone, so that only ToolAudit's logging is under test.
/// </summary>
public sealed class ThrowingLoggerProvider : ILoggerProvider
{
    public const string Failure = "The log's disk is full.";

    private int _attempts;

    /// <summary>How many times a ToolAudit logger was asked to write.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("ToolAudit", StringComparison.Ordinal) ? new ThrowingLogger(this) : NoLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class ThrowingLogger(ThrowingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new IOException(Failure);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref owner._attempts);
            throw new IOException(Failure);
        }
    }

    private sealed class NoLogger : ILogger
    {
        public static readonly NoLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
