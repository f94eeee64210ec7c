using Serilog;
using Serilog.Core;
using Serilog.Sinks.Async;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.Peers;

/// <summary>
/// Serilog as an audit trail: <c>WriteTo.Async(blockWhenFull: true)</c> (lossless, like ToolAudit's Wait mode) over
/// one Serilog.Sinks.File per user with <c>CompactJsonFormatter</c>.
/// </summary>
public static class SerilogPipeline
{
    /// <summary>
    /// The message template of one tool call. The caller passes the same fields every contender writes; <c>@args</c>
    /// makes Serilog keep the dictionary as a JSON object.
    /// </summary>
    public const string Template = "{tool} for {user} via {engine}/{model}: {status}, {result_chars} chars {@args} {result_snippet}";

    /// <summary>Serilog.Sinks.Async's default queue size.</summary>
    public const int DefaultBufferSize = 10_000;

    /// <summary>Builds the logger.</summary>
    /// <param name="root">The folder that holds one folder per user.</param>
    /// <param name="bufferSize">The async queue's capacity.</param>
    /// <param name="buffered">Serilog.Sinks.File's <c>buffered</c> option.</param>
    /// <param name="decorate">Wraps the per-user file sink (the micro-benchmarks park it behind a gate).</param>
    /// <param name="monitor">Receives the async wrapper's inspector (queue length).</param>
    /// <returns>The logger; dispose it to drain the queue and close the files.</returns>
    public static Logger Create(
        string root,
        int bufferSize = DefaultBufferSize,
        bool buffered = false,
        Func<ILogEventSink, ILogEventSink>? decorate = null,
        IAsyncLogEventSinkMonitor? monitor = null)
    {
        ILogEventSink files = new PerUserFileSink(root, buffered);
        if (decorate is not null)
        {
            files = decorate(files);
        }

        return new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Async(to => to.Sink(files), bufferSize: bufferSize, blockWhenFull: true, monitor: monitor)
            .CreateLogger();
    }

    /// <summary>What a host calls per tool call. The snippet is cut here, on the caller, since Serilog has no writer-side hook for it.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="entry">The call.</param>
    public static void Write(Logger logger, TypicalEntry entry) =>
        logger.Information(
            Template,
            entry.Tool,
            entry.User,
            EntryGenerator.Engine,
            EntryGenerator.Model,
            entry.StatusWord,
            entry.Result.Length,
            entry.Args,
            EntryGenerator.Snippet(entry.Result));
}
