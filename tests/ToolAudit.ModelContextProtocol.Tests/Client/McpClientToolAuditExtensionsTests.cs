using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ToolAudit.ModelContextProtocol.Tests.Support;
using ToolAudit.Tests.Shared;

namespace ToolAudit.ModelContextProtocol.Tests.Client;

public sealed class McpClientToolAuditExtensionsTests
{
    [Fact]
    public async Task WithToolAudit_ToolReturnsIsError_RecordsErrorAndReturnsResultUnchanged()
    {
        await using var host = await McpTestHost.StartAsync();
        var tool = await ToolAsync(host, "soft_fail");
        var audited = tool.WithToolAudit(host.Recorder);

        object? result;
        using (ToolAuditContext.Begin(user: "alice", engine: "openai", sessionId: "s-1"))
        {
            result = await audited.InvokeAsync(new AIFunctionArguments());
        }

        // What McpClientTool itself returns for an isError result: the whole CallToolResult as JSON.
        result.Should().BeOfType<JsonElement>().Which.GetProperty("isError").GetBoolean().Should().BeTrue();
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("soft_fail");
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("quota exceeded for this folder");
        entry.ResultSnippet.Should().Be("quota exceeded for this folder");
        entry.User.Should().Be("alice");
        entry.Engine.Should().Be("openai");
        entry.SessionId.Should().Be("s-1");
    }

    [Fact]
    public async Task WithToolAudit_ServerToolThrows_RecordsErrorFromIsErrorResult()
    {
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "explode")).WithToolAudit(host.Recorder);

        using (ToolAuditContext.Begin(user: "alice"))
        {
            await audited.InvokeAsync(new AIFunctionArguments { ["reason"] = "x" });
        }

        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("An error occurred invoking 'explode'.");
    }

    [Fact]
    public async Task WithToolAudit_ToolSucceeds_RecordsOkWithArgumentsAndResult()
    {
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder);

        object? result;
        using (ToolAuditContext.Begin(user: "bob"))
        {
            result = await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "hi there" });
        }

        result.Should().BeOfType<TextContent>().Which.Text.Should().Be("hi there");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("bob");
        entry.Args.Should().ContainKey("text").WhoseValue.GetString().Should().Be("hi there");
        entry.ResultSnippet.Should().Be("hi there");
        entry.Error.Should().BeNull();
    }

    [Fact]
    public async Task WithToolAudit_CallRefusedByServer_RecordsErrorAndRethrows()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server.WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Throwing)),
            McpTestHost.Principal("bob"));
        var audited = (await ToolAsync(host, "admin_reset")).WithToolAudit(host.Recorder, options => options.UserResolver = _ => "bob");

        var call = async () => await audited.InvokeAsync(new AIFunctionArguments());

        await call.Should().ThrowAsync<McpProtocolException>().WithMessage("*Access forbidden*");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.User.Should().Be("bob");
        entry.Error.Should().Contain("McpProtocolException").And.Contain("Access forbidden");
    }

    [Fact]
    public async Task WithToolAudit_NoUserAnywhere_RecordsUnknownUser()
    {
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder);

        await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "x" });

        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(McpClientToolAuditOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task WithToolAudit_InvokedByFunctionInvokingChatClient_RecordsModelCallIdConversationAndModel()
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = (await host.Client.ListToolsAsync()).WithToolAudit(host.Recorder);
        var model = EchoThenSoftFailModel();
        using var agent = new ChatClientBuilder(model).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [.. tools], ModelId = "gpt-test", ConversationId = "conv-9" };

        ChatResponse response;
        using (ToolAuditContext.Begin(user: "carol"))
        {
            response = await agent.GetResponseAsync("do it", options);
        }

        response.Text.Should().Be("all done");
        var entries = await host.EntriesAsync();
        entries.Should().HaveCount(2);
        entries.Should().OnlyContain(e => e.User == "carol" && e.SessionId == "conv-9" && e.Model == "gpt-test");
        entries.Should().ContainSingle(e => e.CallId == "call-echo").Which.Status.Should().Be(AuditStatus.Ok);
        entries.Should().ContainSingle(e => e.CallId == "call-soft").Which.Status.Should().Be(AuditStatus.Error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithToolAudit_InAPipelineThatAuditsItsCalls_RecordsEachCallOnce(bool streaming)
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = (await host.Client.ListToolsAsync()).WithToolAudit(host.Recorder);
        var model = EchoThenSoftFailModel();
        using var agent = new ChatClientBuilder(model).UseToolAudit(host.Recorder).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [.. tools], ModelId = "gpt-test" };

        using (ToolAuditContext.Begin(user: "carol"))
        {
            if (streaming)
            {
                await foreach (var update in agent.GetStreamingResponseAsync("do it", options))
                {
                    _ = update;
                }
            }
            else
            {
                await agent.GetResponseAsync("do it", options);
            }
        }

        // The pipeline's invoker records both calls; the wrapped tools, told so, record nothing more.
        var entries = await host.EntriesAsync();
        entries.Select(e => (e.CallId, e.Status)).Should().BeEquivalentTo([("call-echo", AuditStatus.Ok), ("call-soft", AuditStatus.Error)]);
        entries.Should().OnlyContain(e => e.User == "carol" && e.Model == "gpt-test");

        // The pipeline keeps the same text of an isError result as the MCP wrapper does: its text, not its JSON.
        entries.Single(e => e.CallId == "call-soft").ResultSnippet.Should().Be("quota exceeded for this folder");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithToolAudit_BehindAHostFunctionThatCopiesTheArguments_InAnAuditedPipeline_RecordsEachCallOnce(bool keepContext)
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = (await host.Client.ListToolsAsync()).WithToolAudit(host.Recorder).Select(tool => (AITool)new CopyingFunction(tool, keepContext));
        using var agent = new ChatClientBuilder(EchoThenSoftFailModel()).UseToolAudit(host.Recorder).UseFunctionInvocation().Build();

        using (ToolAuditContext.Begin(user: "carol"))
        {
            await agent.GetResponseAsync("do it", new ChatOptions { Tools = [.. tools], ModelId = "gpt-test" });
        }

        var entries = await host.EntriesAsync();
        entries.Select(e => (e.CallId, e.Status)).Should().BeEquivalentTo([("call-echo", AuditStatus.Ok), ("call-soft", AuditStatus.Error)]);
    }

    [Fact]
    public async Task WithToolAudit_ForAnotherRecorderInAnAuditedPipeline_RecordsEachCallOnceInEach()
    {
        await using var host = await McpTestHost.StartAsync();
        var other = new InMemoryAuditStore(100);
        await using var otherRecorder = new AuditRecorder(other);
        var tools = (await host.Client.ListToolsAsync()).WithToolAudit(otherRecorder);
        using var agent = new ChatClientBuilder(EchoThenSoftFailModel()).UseToolAudit(host.Recorder).UseFunctionInvocation().Build();

        using (ToolAuditContext.Begin(user: "carol"))
        {
            await agent.GetResponseAsync("do it", new ChatOptions { Tools = [.. tools], ModelId = "gpt-test" });
        }

        await otherRecorder.FlushAsync();
        (await host.EntriesAsync()).Select(e => (e.CallId, e.Status)).Should().BeEquivalentTo([("call-echo", AuditStatus.Ok), ("call-soft", AuditStatus.Error)]);
        other.Recent(100).Select(e => (e.CallId, e.Status)).Should().BeEquivalentTo([("call-echo", AuditStatus.Ok), ("call-soft", AuditStatus.Error)]);
    }

    [Fact]
    public async Task WithToolAudit_CalledWithArgumentsThatSayAnotherCallIsRecorded_StillRecords()
    {
        // The key counts only for the invocation the invoking client is making of this very tool, with those arguments.
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder);
        var arguments = new AIFunctionArguments { ["text"] = "hi" };
        arguments.Context = new Dictionary<object, object?> { ["ToolAudit.CallRecorded"] = true };

        using (ToolAuditContext.Begin(user: "bob"))
        {
            await audited.InvokeAsync(arguments);
        }

        (await host.EntriesAsync()).Should().ContainSingle().Which.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task WithToolAudit_ListOfTools_KeepsNamesAndOrder()
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = await host.Client.ListToolsAsync();

        var audited = tools.WithToolAudit(host.Recorder);

        audited.Select(t => t.Name).Should().Equal(tools.Select(t => t.Name));
        audited.Select(t => t.Description).Should().Equal(tools.Select(t => t.Description));
    }

    [Fact]
    public async Task WithToolAudit_EmptyUnknownUser_Throws()
    {
        await using var host = await McpTestHost.StartAsync();
        var tool = await ToolAsync(host, "echo");

        var wrap = () => tool.WithToolAudit(host.Recorder, options => options.UnknownUser = "");

        wrap.Should().Throw<ArgumentException>().WithMessage("*UnknownUser*");
    }

    [Fact]
    public void WithToolAudit_NullArguments_Throw()
    {
        var noTool = () => ((McpClientTool)null!).WithToolAudit(null!);
        var noTools = () => ((IEnumerable<McpClientTool>)null!).WithToolAudit(null!);

        noTool.Should().Throw<ArgumentNullException>().WithParameterName("tool");
        noTools.Should().Throw<ArgumentNullException>().WithParameterName("tools");
    }

    /// <summary>A model that calls echo and soft_fail in one round, then answers "all done".</summary>
    private static ScriptedChatClient EchoThenSoftFailModel() => new(
        new ChatMessage(ChatRole.Assistant,
        [
            new FunctionCallContent("call-echo", "echo", new Dictionary<string, object?> { ["text"] = "ping" }),
            new FunctionCallContent("call-soft", "soft_fail", new Dictionary<string, object?>()),
        ]),
        new ChatMessage(ChatRole.Assistant, "all done"));

    private static async Task<McpClientTool> ToolAsync(McpTestHost host, string name) =>
        (await host.Client.ListToolsAsync()).Single(t => t.Name == name);

    [Fact]
    public async Task WithToolAudit_ResolverGivesANameWithALoneSurrogate_RecordsUnknownUser()
    {
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder, options => options.UserResolver = _ => "eve" + (char)0xD800);

        var result = await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "x" });

        result.Should().NotBeNull();
        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(McpClientToolAuditOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task WithToolAudit_ResolverThrows_ReturnsTheToolsResultAndRecordsTheAmbientUser()
    {
        await using var host = await McpTestHost.StartAsync();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder, options => options.UserResolver = _ => throw new KeyNotFoundException("no tenant"));

        object? result;
        using (ToolAuditContext.Begin(user: "bob"))
        {
            result = await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "still here" });
        }

        result.Should().BeOfType<TextContent>().Which.Text.Should().Be("still here");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be("bob");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task WithToolAudit_LoggerThrowsWhileTheResolverFails_ReturnsTheToolsResultAndRecordsTheCall()
    {
        await using var host = await McpTestHost.StartAsync();
        var logging = new ThrowingLoggerProvider();
        await using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logging)).BuildServiceProvider();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(host.Recorder, options => options.UserResolver = _ => throw new KeyNotFoundException("no tenant"));

        object? result;
        using (ToolAuditContext.Begin(user: "bob"))
        {
            result = await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "still here", Services = services })
                .AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        result.Should().BeOfType<TextContent>().Which.Text.Should().Be("still here");
        logging.Attempts.Should().BePositive("the resolver's failure was logged, and the logger threw");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be("bob");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task WithToolAudit_RecorderThrows_ReturnsTheToolsResult()
    {
        await using var host = await McpTestHost.StartAsync();
        var recorder = new ThrowingRecorder();
        var audited = (await ToolAsync(host, "echo")).WithToolAudit(recorder);

        var result = await audited.InvokeAsync(new AIFunctionArguments { ["text"] = "still here" });

        result.Should().BeOfType<TextContent>().Which.Text.Should().Be("still here");
        recorder.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task WithToolAudit_RecorderThrowsForACallThatThrows_RethrowsTheCallsOwnException()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server.WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Throwing)),
            McpTestHost.Principal("bob"));
        var recorder = new ThrowingRecorder();
        var audited = (await ToolAsync(host, "admin_reset")).WithToolAudit(recorder);

        var call = async () => await audited.InvokeAsync(new AIFunctionArguments());

        await call.Should().ThrowAsync<McpProtocolException>().WithMessage("*Access forbidden*");
        recorder.Attempts.Should().Be(1);
    }

    /// <summary>A host's function around a tool that hands it a copy of the arguments, as a policy that rewrites them would.</summary>
    private sealed class CopyingFunction(AIFunction inner, bool keepContext) : DelegatingAIFunction(inner)
    {
        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var copy = new AIFunctionArguments(arguments) { Services = arguments.Services };
            if (keepContext)
            {
                copy.Context = arguments.Context;
            }

            return base.InvokeCoreAsync(copy, cancellationToken);
        }
    }
}
