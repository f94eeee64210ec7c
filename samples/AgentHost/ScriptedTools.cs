using System.Diagnostics;
using ToolAudit;

/// <summary>
/// The tools of the scripted agent, and the one place that records their calls: around each tool run, time it, and
/// record how it ended. Real hosts do the same in their tool loop (or use a framework integration).
/// </summary>
internal sealed class ScriptedTools(IAuditRecorder recorder)
{
    private static readonly string[] Corpus =
    [
        "ToolAudit records every tool call an agent makes.",
        "Each user's calls go to one JSONL file per day.",
        "Admins read recent calls, a day's calls and statistics.",
    ];

    public async Task RunAgentTurnAsync(string user)
    {
        await CallAsync(user, "search", new() { ["query"] = "JSONL" }, () => string.Join("\n", Corpus.Where(c => c.Contains("JSONL", StringComparison.Ordinal))));
        await CallAsync(user, "read_file", new() { ["path"] = "notes/todo.md" }, () => "# TODO\n- ship the audit trail\n- \"quote\" and\ttab");
        await CallAsync(user, "fetch_url", new() { ["url"] = "https://example.invalid/", ["api_key"] = "sk-this-is-not-a-real-key-0123456789" }, () => throw new HttpRequestException("Name or service not known"));

        // A call the policy refuses is on record too, with the reason, and the tool never runs.
        recorder.Record(new ToolCall(user, "delete_file", new Dictionary<string, object?> { ["path"] = "/etc/passwd" }, AuditStatus.Denied)
        {
            Error = "Refused by policy: path outside the sandbox",
        });
    }

    private Task CallAsync(string user, string tool, Dictionary<string, object?> args, Func<string> run)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = run();
            recorder.Record(new ToolCall(user, tool, args, AuditStatus.Ok, result) { Duration = Stopwatch.GetElapsedTime(started) });
        }
        catch (Exception ex)
        {
            recorder.Record(new ToolCall(user, tool, args, AuditStatus.Error) { Exception = ex, Duration = Stopwatch.GetElapsedTime(started) });
        }

        return Task.CompletedTask;
    }
}
