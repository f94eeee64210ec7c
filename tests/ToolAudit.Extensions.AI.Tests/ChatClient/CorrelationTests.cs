using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>Who, where and which trace: user, session, engine, model, call id and trace ids on every entry.</summary>
public sealed class CorrelationTests
{
    /// <summary>
    /// One conversation with every kind of call: ok, error, unknown tool, rejected approval, granted approval; with
    /// OpenTelemetry inside the invoking client and a host activity around each turn.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_EveryKindOfCall_EachEntryCarriesUserSessionEngineModelCallIdAndTrace(bool streaming)
    {
        await using var audit = new AuditHarness();
        using var activities = new ActivityCapture();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(
                ScriptedChatClient.Call("call-ok", "read_file"),
                ScriptedChatClient.Call("call-error", "explode"),
                ScriptedChatClient.Call("call-unknown", "launch_rockets")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-denied", "delete_file", "a.txt")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-approved", "delete_file", "b.txt")),
            ScriptedChatClient.Text("Done."),
            ScriptedChatClient.Text("Bye."));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder)
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: activities.SourceName)
            .Build();
        var options = new ChatOptions
        {
            ConversationId = "conv-42",
            ModelId = "gpt-test",
            Tools = [Tools.ReadFile(), Tools.Explode(), Tools.DeleteFile()],
        };
        List<ChatMessage> history = [new(ChatRole.User, "tidy up my files")];
        var traceIds = new HashSet<string>();

        async Task<ChatResponse> TurnAsync()
        {
            using var turn = activities.Root.StartActivity("agent turn")!;
            traceIds.Add(turn.TraceId.ToHexString());
            return await Chat.TurnAsync(client, history, options, streaming);
        }

        using (ToolAuditContext.Begin(user: "alice"))
        {
            var first = await TurnAsync();
            history.Add(Chat.Answer(Chat.ApprovalRequest(first, "call-denied"), approved: false, reason: "keep a.txt"));
            var second = await TurnAsync();
            history.Add(Chat.Answer(Chat.ApprovalRequest(second, "call-approved"), approved: true));
            await TurnAsync();
            history.Add(new(ChatRole.User, "thanks"));
            await TurnAsync();
        }

        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.CallId, e.Status, e.Confirmed)).Should().BeEquivalentTo(new[]
        {
            ("call-ok", AuditStatus.Ok, false),
            ("call-error", AuditStatus.Error, false),
            ("call-unknown", AuditStatus.Error, false),
            ("call-denied", AuditStatus.Denied, false),
            ("call-approved", AuditStatus.Ok, true),
        });
        entries.Should().OnlyContain(e =>
            e.User == "alice"
            && e.SessionId == "conv-42"
            && e.Engine == ScriptedChatClient.Provider
            && e.Model == "gpt-test"
            && e.TraceId != null
            && traceIds.Contains(e.TraceId)
            && e.SpanId != null);

        // Calls the invoking client ran carry their execute_tool span.
        foreach (var callId in new[] { "call-ok", "call-error", "call-approved" })
        {
            var span = activities.ExecuteTool(callId);
            entries.Single(e => e.CallId == callId).Should().Match<AuditEntry>(e =>
                e.SpanId == span.SpanId.ToHexString() && e.TraceId == span.TraceId.ToHexString());
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OnlyTheServiceGivesAConversationId_TheFirstRoundsCallsCarryIt()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file"), ScriptedChatClient.Call("call-2", "launch_rockets")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-3", "read_file")),
            ScriptedChatClient.Text("ok"))
        {
            ServiceConversationId = "conv-from-service",
        };
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await Chat.SendAsync(client, [new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] }, streaming: true).WaitAsync(TimeSpan.FromSeconds(30));

        var entries = await audit.EntriesAsync();
        entries.Select(e => e.CallId).Should().BeEquivalentTo(["call-1", "call-2", "call-3"]);
        entries.Should().OnlyContain(e => e.SessionId == "conv-from-service", "the first round's response carries the id the request had not");
    }

    [Fact]
    public async Task GetResponseAsync_NoModelIdInOptions_RecordsDefaultModelId()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Model.Should().Be(ScriptedChatClient.DefaultModel);
        entry.Engine.Should().Be(ScriptedChatClient.Provider);
    }

    [Fact]
    public async Task GetResponseAsync_NoConversationId_FallsBackToAmbientSessionAndTask()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        using (ToolAuditContext.Begin(user: "bob", sessionId: "web-session-7", taskId: "task-3"))
        {
            await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });
        }

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.SessionId.Should().Be("web-session-7");
        entry.TaskId.Should().Be("task-3");
        entry.User.Should().Be("bob");
    }

    [Fact]
    public async Task GetResponseAsync_AmbientUserAndResolver_AmbientUserWins()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o => o.UserResolver = _ => "from-resolver")
            .UseFunctionInvocation()
            .Build();

        using (ToolAuditContext.Begin(user: "from-scope"))
        {
            await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });
        }

        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be("from-scope");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_NoAmbientUser_UsesResolverForInvokedDeniedAndUnknownCalls(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-ok", "read_file"), ScriptedChatClient.Call("call-unknown", "launch_rockets")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-denied", "delete_file")),
            ScriptedChatClient.Text("ok"));
        var resolvedFor = new List<string>();
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o => o.UserResolver = context =>
            {
                lock (resolvedFor)
                {
                    resolvedFor.Add(context.CallContent.CallId);
                }

                return "user-from-http-context";
            })
            .UseFunctionInvocation()
            .Build();
        var options = new ChatOptions { Tools = [Tools.ReadFile(), Tools.DeleteFile()] };
        List<ChatMessage> history = [new(ChatRole.User, "go")];

        var asked = await Chat.TurnAsync(client, history, options, streaming);
        history.Add(Chat.Answer(Chat.ApprovalRequest(asked, "call-denied"), approved: false));
        await Chat.TurnAsync(client, history, options, streaming);

        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(3).And.OnlyContain(e => e.User == "user-from-http-context");
        resolvedFor.Should().BeEquivalentTo(["call-ok", "call-unknown", "call-denied"]);
    }

    [Fact]
    public async Task GetResponseAsync_NoUserAnywhere_RecordsUnknownPlaceholder()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(ToolAuditChatClientOptions.DefaultUnknownUser).And.Be("unknown");
    }

    [Fact]
    public async Task GetResponseAsync_ResolverThrowsOrReturnsNothing_RecordsConfiguredPlaceholderAndLogs()
    {
        await using var audit = new AuditHarness();
        var logs = new ListLoggerFactory();
        await using var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logs).BuildServiceProvider();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file"), ScriptedChatClient.Call("call-2", "read_file")),
            ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o =>
            {
                o.UnknownUser = "anonymous";
                o.UserResolver = context => context.CallContent.CallId == "call-1" ? throw new InvalidOperationException("no HttpContext") : null;
            })
            .UseFunctionInvocation()
            .Build(services);

        var response = await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        response.Text.Should().Be("ok");
        (await audit.EntriesAsync()).Should().HaveCount(2).And.OnlyContain(e => e.User == "anonymous" && e.Status == AuditStatus.Ok);
        logs.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.Contains("user resolver threw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_NoActivityAnywhere_RecordsNoTraceIds()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();
        Activity.Current.Should().BeNull();

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.TraceId.Should().BeNull();
        entry.SpanId.Should().BeNull();
    }

    [Fact]
    public async Task GetResponseAsync_ScopeAndResolverGiveANameWithALoneSurrogate_RecordsThePlaceholderAndLogs()
    {
        await using var audit = new AuditHarness();
        var logs = new ListLoggerFactory();
        await using var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logs).BuildServiceProvider();
        var malformed = "eve" + (char)0xD800;
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o =>
            {
                o.UnknownUser = "anonymous";
                o.UserResolver = _ => malformed;
            })
            .UseFunctionInvocation()
            .Build(services);
        using var scope = ToolAuditContext.Begin(user: malformed);

        var response = await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        response.Text.Should().Be("ok", "a name the trail cannot hold must not fail the tool call");
        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be("anonymous");
        logs.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.Contains("not a valid user", StringComparison.Ordinal));
    }
}
