using System.Collections.Concurrent;
using System.Diagnostics;

namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>
/// Listens to a source name of its own (give it to <c>UseOpenTelemetry(sourceName: ...)</c>) and to a root source for
/// the test's own turn activity, and keeps every activity that stops.
/// </summary>
internal sealed class ActivityCapture : IDisposable
{
    private readonly ActivityListener _listener;

    public ActivityCapture()
    {
        SourceName = "ToolAudit.Extensions.AI.Tests." + Guid.NewGuid().ToString("N");
        Root = new ActivitySource(SourceName + ".Root");
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName || source.Name == Root.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Stopped.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The source name to hand to <c>UseOpenTelemetry</c>.</summary>
    public string SourceName { get; }

    /// <summary>Starts the test's turn activity with it.</summary>
    public ActivitySource Root { get; }

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    /// <summary>The invoking client's <c>execute_tool</c> activity of one call.</summary>
    public Activity ExecuteTool(string callId) => Stopped.Single(a =>
        (string?)a.GetTagItem("gen_ai.operation.name") == "execute_tool"
        && (string?)a.GetTagItem("gen_ai.tool.call.id") == callId);

    public void Dispose()
    {
        _listener.Dispose();
        Root.Dispose();
    }
}
