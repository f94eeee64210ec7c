// An agent host on Microsoft.Extensions.AI, audited with one line. Three users chat with an agent whose tools read
// and write files in a sandbox, search the docs, fetch a URL and delete files. UseToolAudit() puts every tool call on
// record (ok, error, or denied when the host refuses an approval), with the user, model, call id and OpenTelemetry
// trace ids; at the end an admin reads the trail back.
// The model is a script (ScriptedChatClient), so nothing needs a network. Set OPENAI_API_KEY (and OPENAI_BASE_URL,
// OPENAI_MODEL for another OpenAI-compatible endpoint) and the same conversations run against a real model.
using System.ClientModel;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ToolAudit;

var auditRoot = Path.Combine(Environment.CurrentDirectory, "audit-data");
var startedAt = DateTimeOffset.UtcNow;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

// The invoking client logs every failing tool with its stack trace; the audit trail below already shows the error.
builder.Logging.AddFilter("Microsoft.Extensions.AI", LogLevel.None);

// The recorder, writing {auditRoot}/{user}/tool_audit/{yyyy-MM-dd}.jsonl. UseToolAudit() finds it in DI.
builder.Services.AddToolAudit().AddJsonl(jsonl => jsonl.Root = auditRoot);

using var host = builder.Build();
await host.StartAsync();

// OpenTelemetry for the host's spans ("AgentHost") and the chat pipeline's ("AgentHost.Chat"). No exporter here: the
// spans exist so that each audit entry carries its trace and span ids. Add an exporter to see them in your backend.
using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("AgentHost", "AgentHost.Chat").Build();
using var hostSpans = new ActivitySource("AgentHost");

// The audited agent. Order matters: the audit outside the tool loop, OpenTelemetry inside it, so that each call's
// entry carries the span of the execute_tool activity that ran it.
var model = CreateModel();
using var agent = model.AsBuilder()
    .UseToolAudit()
    .UseFunctionInvocation()
    .UseOpenTelemetry(sourceName: "AgentHost.Chat")
    .Build(host.Services);

using var tools = new AgentTools();
var options = new ChatOptions { Tools = tools.All };
var metadata = agent.GetService<ChatClientMetadata>();
Console.WriteLine($"Model: {metadata?.ProviderName} {metadata?.DefaultModelId}; sandbox: {tools.Folder}");
Console.WriteLine();

foreach (var conversation in Script.Conversations)
{
    // Every tool call made inside this scope is recorded under this user; the span gives the calls one trace.
    using var auditScope = ToolAuditContext.Begin(user: conversation.User);
    using var span = hostSpans.StartActivity($"conversation {conversation.User}");

    List<ChatMessage> history = [new(ChatRole.User, conversation.Prompt)];
    var response = await agent.GetResponseAsync(history, options);
    history.AddRange(response.Messages);

    // Calls to an ApprovalRequiredAIFunction come back as requests instead of running. Answer each one and send the
    // history again: approved calls run now, refused ones never run (and are recorded as denied).
    var requests = response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().ToList();
    if (requests.Count > 0)
    {
        history.Add(new ChatMessage(ChatRole.User, requests.Select(Decide).ToList<AIContent>()));
        response = await agent.GetResponseAsync(history, options);
    }

    Console.WriteLine($"{conversation.User}: {conversation.Prompt}");
    Console.WriteLine($"  agent: {response.Text}");
}

// Recording is asynchronous (the agent never waits for the disk): flush before reading back.
var recorder = host.Services.GetRequiredService<IAuditRecorder>();
await recorder.FlushAsync();
Console.WriteLine();
Console.WriteLine($"Audit trail written under {auditRoot}");
await AuditReport.PrintAsync(host.Services.GetRequiredService<IAuditReader>(), recorder, startedAt, (model as ScriptedChatClient)?.CallsAsked);

// Stopping the host drains the recorder: nothing recorded is lost.
await host.StopAsync();

// The model: an OpenAI-compatible endpoint when OPENAI_API_KEY or OPENAI_BASE_URL is set, else the script.
static IChatClient CreateModel()
{
    var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
    var baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
    if (string.IsNullOrEmpty(apiKey) && string.IsNullOrEmpty(baseUrl))
    {
        return new ScriptedChatClient();
    }

    var modelId = Environment.GetEnvironmentVariable("OPENAI_MODEL") is { Length: > 0 } id ? id : "gpt-4o-mini";
    var clientOptions = new OpenAIClientOptions();
    if (!string.IsNullOrEmpty(baseUrl))
    {
        clientOptions.Endpoint = new Uri(baseUrl);
    }

    // Local servers (Ollama, vLLM, LM Studio) accept any key.
    var key = new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "unused" : apiKey);
    return new OpenAI.Chat.ChatClient(modelId, key, clientOptions).AsIChatClient();
}

// The host's approval policy. A real host asks a person; this one lets the agent write files but never delete them.
static ToolApprovalResponseContent Decide(ToolApprovalRequestContent request) =>
    request.ToolCall is FunctionCallContent { Name: "delete_file" }
        ? request.CreateResponse(approved: false, reason: "Deleting files needs an administrator.")
        : request.CreateResponse(approved: true);
