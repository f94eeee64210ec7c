// A scripted agent host: three users' agents call tools, every call goes on record through the recorder that
// AddToolAudit() registered, and at the end an admin reads the trail back. No network, no model: the "agent" is a script.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ToolAudit;

var auditRoot = Path.Combine(Environment.CurrentDirectory, "audit-data");

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

// One line registers the recorder; AddJsonl writes {auditRoot}/{user}/tool_audit/{yyyy-MM-dd}.jsonl.
builder.Services.AddToolAudit(options => options.OverflowMode = AuditOverflowMode.Wait)
    .AddJsonl(jsonl => jsonl.Root = auditRoot);

using var host = builder.Build();
await host.StartAsync();

var recorder = host.Services.GetRequiredService<IAuditRecorder>();
var tools = new ScriptedTools(recorder);

foreach (var user in new[] { "alice", "bob", "carol" })
{
    // Everything recorded inside this scope is tagged with the engine, model, user and session.
    using var scope = ToolAuditContext.Begin(engine: "scripted", model: "demo-model-1", user: user, sessionId: $"{user}-session-1");
    await tools.RunAgentTurnAsync(user);
}

// Fire-and-forget recording is asynchronous: flush before reading back.
await recorder.FlushAsync();

var reader = host.Services.GetRequiredService<IAuditReader>();
Console.WriteLine($"Audit trail written under {auditRoot}");
Console.WriteLine();
Console.WriteLine("Recent calls, all users (newest first):");
Console.WriteLine($"{"time (UTC)",-12} {"user",-6} {"tool",-12} {"status",-7} {"ms",6}  error");
foreach (var entry in await reader.ReadRecentAllUsersAsync(days: 1, limit: 20))
{
    Console.WriteLine($"{entry.Timestamp:HH:mm:ss.fff} {entry.User,-6} {entry.Tool,-12} {AuditStatusNames.ToJsonWord(entry.Status),-7} {entry.DurationMs,6:0.0}  {entry.Error}");
}

var today = DateOnly.FromDateTime(DateTime.UtcNow);
var stats = await reader.GetStatsAsync(new AuditQuery { Since = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) });
Console.WriteLine();
Console.WriteLine($"Today: {stats.Total} calls");
Console.WriteLine($"  by status: {string.Join(", ", stats.ByStatus.Select(p => $"{p.Key}={p.Value}"))}");
Console.WriteLine($"  by tool:   {string.Join(", ", stats.ByTool.Select(p => $"{p.Key}={p.Value}"))}");
Console.WriteLine($"  by user:   {string.Join(", ", stats.ByUser.Select(p => $"{p.Key}={p.Value}"))}");
Console.WriteLine($"Recorder counters: {recorder.Counters}");

// Stopping the host drains the recorder: nothing recorded is lost.
await host.StopAsync();
