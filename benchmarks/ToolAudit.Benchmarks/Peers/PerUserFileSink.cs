using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ToolAudit.Benchmarks.Peers;

/// <summary>
/// One Serilog file sink per user, chosen by the event's <c>user</c> property: what Serilog.Sinks.Map does
/// (<c>WriteTo.Map("user", (user, wt) =&gt; wt.File(...))</c>), which is not available here, in the same few lines.
/// </summary>
/// <remarks>
/// It sits inside one <c>WriteTo.Async</c> wrapper, so Serilog gets one queue and one worker thread, as ToolAudit and
/// NLog do; the alternative (one async logger per user) would give Serilog eight queues and eight threads on a
/// two-core machine and change the caller's API. Each user's sink is Serilog.Sinks.File with
/// <see cref="CompactJsonFormatter"/>, rolling daily (file names are Serilog's <c>yyyyMMdd.jsonl</c>).
/// Like Map, it creates sinks through <see cref="LoggerSinkConfiguration.CreateSink"/> and locks around the lookup.
/// </remarks>
public sealed class PerUserFileSink : ILogEventSink, IDisposable
{
    private readonly string _root;
    private readonly bool _buffered;
    private readonly object _gate = new();
    private readonly Dictionary<string, ILogEventSink> _sinks = new(StringComparer.Ordinal);

    /// <summary>Creates the sink.</summary>
    /// <param name="root">The folder that holds one folder per user.</param>
    /// <param name="buffered">Serilog.Sinks.File's <c>buffered</c>: false (its default) hands every event to the OS at once.</param>
    public PerUserFileSink(string root, bool buffered)
    {
        _root = root;
        _buffered = buffered;
    }

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        var user = logEvent.Properties.TryGetValue("user", out var value) && value is ScalarValue { Value: string name } ? name : "_unknown";
        ILogEventSink? sink;
        lock (_gate)
        {
            if (!_sinks.TryGetValue(user, out sink))
            {
                var path = Path.Combine(_root, user, "tool_audit", ".jsonl");
                sink = LoggerSinkConfiguration.CreateSink(to => to.File(
                    new CompactJsonFormatter(),
                    path,
                    fileSizeLimitBytes: null,
                    buffered: _buffered,
                    rollingInterval: RollingInterval.Day));
                _sinks[user] = sink;
            }
        }

        sink.Emit(logEvent);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var sink in _sinks.Values)
            {
                (sink as IDisposable)?.Dispose();
            }

            _sinks.Clear();
        }
    }
}
