using NLog;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets;
using NLog.Targets.Wrappers;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.Peers;

/// <summary>
/// NLog as an audit trail: <c>AsyncTargetWrapper</c> with <c>OverflowAction = Block</c> (lossless) over a
/// <c>FileTarget</c> whose file name is per user and per UTC day, with a <c>JsonLayout</c> of the same fields
/// ToolAudit writes.
/// </summary>
/// <remarks>
/// Defaults are NLog's except <c>OpenFileCacheSize</c>, raised from 5 to 16 so that the 8 users' files stay open
/// (with 5, NLog would close and reopen files all the time, which nobody tuning a per-user layout would accept), and
/// <c>LineEnding = LF</c>, the JSONL convention.
/// </remarks>
public static class NLogPipeline
{
    /// <summary>The message template of one tool call: the properties become the JSON attributes.</summary>
    public const string Template = "{tool} for {user} via {engine}/{model}: {status}, {result_chars} chars {args} {result_snippet}";

    /// <summary>NLog's default <c>QueueLimit</c>.</summary>
    public const int DefaultQueueLimit = 10_000;

    /// <summary>Builds a log factory and its logger.</summary>
    /// <param name="root">The folder that holds one folder per user.</param>
    /// <param name="queueLimit">The async queue's capacity.</param>
    /// <param name="decorate">Wraps the file target (the micro-benchmarks park it behind a gate).</param>
    /// <returns>The factory (dispose it with <see cref="Close"/>) and the logger.</returns>
    public static (LogFactory Factory, Logger Logger) Create(string root, int queueLimit = DefaultQueueLimit, Func<Target, Target>? decorate = null)
    {
        var layout = new JsonLayout();
        layout.Attributes.Add(new JsonAttribute("ts", "${date:universalTime=true:format=o}", encode: true));
        layout.Attributes.Add(new JsonAttribute("user", "${event-properties:item=user}", encode: true));
        layout.Attributes.Add(new JsonAttribute("engine", "${event-properties:item=engine}", encode: true));
        layout.Attributes.Add(new JsonAttribute("model", "${event-properties:item=model}", encode: true));
        layout.Attributes.Add(new JsonAttribute("tool", "${event-properties:item=tool}", encode: true));
        layout.Attributes.Add(new JsonAttribute("args", "${event-properties:item=args:format=@}", encode: false));
        layout.Attributes.Add(new JsonAttribute("status", "${event-properties:item=status}", encode: true));
        layout.Attributes.Add(new JsonAttribute("result_chars", "${event-properties:item=result_chars}", encode: false));
        layout.Attributes.Add(new JsonAttribute("result_snippet", "${event-properties:item=result_snippet}", encode: true));

        Target target = new FileTarget("audit-file")
        {
            FileName = Path.Combine(root, "${event-properties:item=user}", "tool_audit", "${date:universalTime=true:format=yyyy-MM-dd}.jsonl"),
            Layout = layout,
            KeepFileOpen = true,
            OpenFileCacheSize = 16,
            LineEnding = LineEndingMode.LF,
        };

        if (decorate is not null)
        {
            target = decorate(target);
        }

        var wrapper = new AsyncTargetWrapper("audit-async", target)
        {
            OverflowAction = AsyncTargetWrapperOverflowAction.Block,
            QueueLimit = queueLimit,
        };

        var factory = new LogFactory();
        var config = new LoggingConfiguration(factory);
        config.AddRuleForAllLevels(wrapper);
        factory.Configuration = config;
        return (factory, factory.GetLogger("ToolAudit"));
    }

    /// <summary>What a host calls per tool call. The snippet is cut on the caller, as with Serilog.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="entry">The call.</param>
    public static void Write(Logger logger, TypicalEntry entry) =>
        logger.Info(
            Template,
            entry.Tool,
            entry.User,
            EntryGenerator.Engine,
            EntryGenerator.Model,
            entry.StatusWord,
            entry.Result.Length,
            entry.Args,
            EntryGenerator.Snippet(entry.Result));

    /// <summary>Drains the queue into the files and closes them.</summary>
    /// <param name="factory">The factory.</param>
    public static void Close(LogFactory factory)
    {
        factory.Flush(TimeSpan.FromMinutes(10));
        factory.Shutdown();
        factory.Dispose();
    }
}
