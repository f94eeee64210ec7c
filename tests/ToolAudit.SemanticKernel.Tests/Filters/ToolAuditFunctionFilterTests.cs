using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;
using Microsoft.SemanticKernel.ChatCompletion;
using ToolAudit.SemanticKernel.Tests.Support;
using ToolAudit.Tests.Shared;

namespace ToolAudit.SemanticKernel.Tests.Filters;

public sealed class ToolAuditFunctionFilterTests
{
    [Fact]
    public async Task InvokeAsync_DirectFunctionReturns_RecordsOkWithPluginFunctionName()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);

        FunctionResult result;
        using (ToolAuditContext.Begin(user: "alice", engine: "openai", model: "gpt-x", sessionId: "s-1"))
        {
            result = await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });
        }

        result.GetValue<string>().Should().Be("contents of a.txt");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-read");
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("alice");
        entry.Engine.Should().Be("openai");
        entry.Model.Should().Be("gpt-x");
        entry.SessionId.Should().Be("s-1");
        entry.CallId.Should().BeNull("a direct invocation has no model call");
        entry.Args.Should().ContainKey("path").WhoseValue.GetString().Should().Be("a.txt");
        entry.ResultSnippet.Should().Be("contents of a.txt");
        entry.DurationMs.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task InvokeAsync_DirectFunctionThrows_RecordsErrorAndRethrowsUnchanged()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);

        var call = async () =>
        {
            using (ToolAuditContext.Begin(user: "alice"))
            {
                await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });
            }
        };

        await call.Should().ThrowAsync<UnauthorizedAccessException>().WithMessage("read-only volume: a.txt");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-delete");
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("System.UnauthorizedAccessException: read-only volume: a.txt");
        entry.User.Should().Be("alice");
    }

    [Fact]
    public async Task InvokeAsync_FunctionReturnsObject_RecordsItsJson()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);

        await kernel.InvokeAsync("Files", "stat", new KernelArguments { ["path"] = "b.txt" });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        using var json = JsonDocument.Parse(entry.ResultSnippet!);
        json.RootElement.EnumerateObject().Select(p => p.Value.ToString()).Should().Equal("b.txt", "42");
    }

    [Fact]
    public async Task InvokeAsync_NoUserAnywhere_RecordsUnknownUser()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);

        await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(ToolAuditFunctionFilterOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task InvokeAsync_UserResolverReadsKernelData_RecordsResolvedUser()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin())
            .AddToolAuditFilter(audit.Recorder, options => options.UserResolver = (k, _) => k.Data.TryGetValue("user", out var user) ? user as string : null);
        kernel.Data["user"] = "dora";

        await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be("dora");
    }

    [Fact]
    public async Task InvokeAsync_ConcurrentDirectCalls_RecordsExactlyOneEntryPerCall()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using (ToolAuditContext.Begin(user: $"user-{i % 4}"))
            {
                try
                {
                    await kernel.InvokeAsync("Files", i % 2 == 0 ? "read" : "delete", new KernelArguments { ["path"] = $"{i}.txt" });
                }
                catch (UnauthorizedAccessException)
                {
                    // Half of the calls fail on purpose.
                }
            }
        }));

        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(40);
        entries.Count(e => e.Status == AuditStatus.Ok).Should().Be(20);
        entries.Count(e => e.Status == AuditStatus.Error).Should().Be(20);
        entries.Select(e => e.Args!["path"].GetString()).Should().OnlyHaveUniqueItems();
        entries.Should().OnlyContain(e => e.User == $"user-{int.Parse(e.Args!["path"].GetString()!.Split('.')[0]) % 4}");
    }

    [Fact]
    public async Task InvokePromptAsync_ModelAutoInvokesFunctions_RecordsEachCallWithCallIdAndModel()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-1", "read", "a.txt"), Kernels.Call("call-2", "delete", "b.txt")),
            new ChatMessage(ChatRole.Assistant, "finished"));
        var kernel = Kernels.Build(files, model).AddToolAuditFilter(audit.Recorder);

        FunctionResult result;
        using (ToolAuditContext.Begin(user: "erin", engine: "scripted"))
        {
            result = await kernel.InvokePromptAsync("Tidy up my files.", Kernels.AutoInvoke(modelId: "gpt-test"));
        }

        result.ToString().Should().Be("finished");
        files.Deletes.Should().Be(1);
        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(2, "the prompt itself is a model call, not a tool call");
        var read = entries.Should().ContainSingle(e => e.CallId == "call-1").Subject;
        read.Tool.Should().Be("Files-read");
        read.Status.Should().Be(AuditStatus.Ok);
        read.ResultSnippet.Should().Be("contents of a.txt");
        var delete = entries.Should().ContainSingle(e => e.CallId == "call-2").Subject;
        delete.Tool.Should().Be("Files-delete");
        delete.Status.Should().Be(AuditStatus.Error);
        delete.Error.Should().Be("System.UnauthorizedAccessException: read-only volume: b.txt");
        entries.Should().OnlyContain(e => e.User == "erin" && e.Engine == "scripted");
        entries.Select(e => e.Model).Should().AllBe("gpt-test");
    }

    [Fact]
    public async Task GetChatMessageContentAsync_ScriptedChatCompletionService_RecordsAutoInvokedCall()
    {
        await using var audit = new AuditFixture();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-7", "read", "c.txt")),
            new ChatMessage(ChatRole.Assistant, "here it is"));
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);
        var chat = new ChatClientBuilder(model).UseKernelFunctionInvocation().Build().AsChatCompletionService();
        var history = new ChatHistory();
        history.AddUserMessage("Show me c.txt");

        ChatMessageContent answer;
        using (ToolAuditContext.Begin(user: "frank"))
        {
            answer = await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }, kernel);
        }

        answer.Content.Should().Be("here it is");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-read");
        entry.CallId.Should().Be("call-7");
        entry.User.Should().Be("frank");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task AutoInvoke_ApprovalFilterRefuses_RecordsDeniedWithReasonAndFunctionNeverRuns()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-1", "delete", "a.txt"), Kernels.Call("call-2", "read", "a.txt")),
            new ChatMessage(ChatRole.Assistant, "ok"));
        var kernel = Kernels.Build(files, model);

        // The policy is added first; AddToolAuditFilter still goes outside it.
        kernel.AutoFunctionInvocationFilters.Add(new RefuseDeletesFilter());
        kernel.AddToolAuditFilter(audit.Recorder);

        using (ToolAuditContext.Begin(user: "gail"))
        {
            await kernel.InvokePromptAsync("Delete a.txt then read it.", Kernels.AutoInvoke());
        }

        files.Deletes.Should().Be(0);
        model.Results["call-1"]?.ToString().Should().Be(RefuseDeletesFilter.Refusal);
        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(2);
        var denied = entries.Should().ContainSingle(e => e.CallId == "call-1").Subject;
        denied.Tool.Should().Be("Files-delete");
        denied.Status.Should().Be(AuditStatus.Denied);
        denied.Error.Should().Be(RefuseDeletesFilter.Refusal);
        denied.User.Should().Be("gail");
        denied.Args.Should().ContainKey("path");
        entries.Should().ContainSingle(e => e.CallId == "call-2").Which.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task AutoInvoke_OnlyFunctionFilterRegistered_RecordsCallIdFromChatClient()
    {
        await using var audit = new AuditFixture();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-9", "read", "a.txt")),
            new ChatMessage(ChatRole.Assistant, "ok"));
        var kernel = Kernels.Build(new FilesPlugin(), model);
        kernel.FunctionInvocationFilters.Add(new ToolAuditFunctionFilter(audit.Recorder));

        await kernel.InvokePromptAsync("Read a.txt", Kernels.AutoInvoke());

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.CallId.Should().Be("call-9");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task AutoInvoke_ModelAsksForPromptFunction_RecordsIt()
    {
        await using var audit = new AuditFixture();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(new FunctionCallContent("call-s", "Writer_summarize", new Dictionary<string, object?> { ["text"] = "long text" })),
            new ChatMessage(ChatRole.Assistant, "a short summary"),
            new ChatMessage(ChatRole.Assistant, "done"));
        var kernel = Kernels.Build(new FilesPlugin(), model);
        kernel.Plugins.AddFromFunctions("Writer", [KernelFunctionFactory.CreateFromPrompt("Summarize: {{$text}}", functionName: "summarize")]);
        kernel.AddToolAuditFilter(audit.Recorder);

        await kernel.InvokePromptAsync("Summarize this.", Kernels.AutoInvoke());

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Writer-summarize");
        entry.CallId.Should().Be("call-s");
        entry.ResultSnippet.Should().Be("a short summary");
    }

    [Fact]
    public async Task AutoInvoke_InnerFilterThrowsBeforeFunction_RecordsOneError()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-1", "read", "a.txt")),
            new ChatMessage(ChatRole.Assistant, "ok"));
        var kernel = Kernels.Build(files, model).AddToolAuditFilter(audit.Recorder);
        kernel.AutoFunctionInvocationFilters.Add(new ThrowingAutoFilter());

        await kernel.InvokePromptAsync("Read a.txt", Kernels.AutoInvoke());

        // The function-invoking client turns the exception into an error result for the model, as it always does.
        model.Results["call-1"]?.ToString().Should().StartWith("Error:");
        files.Deletes.Should().Be(0);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.CallId.Should().Be("call-1");
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be($"System.InvalidOperationException: {ThrowingAutoFilter.Message}");
    }

    [Fact]
    public async Task InvokeStreamingAsync_DirectFunction_RecordsOneOkEntry()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);
        var function = kernel.Plugins.GetFunction("Files", "read");

        var chunks = new List<string>();
        await foreach (var chunk in kernel.InvokeStreamingAsync<string>(function, new KernelArguments { ["path"] = "a.txt" }))
        {
            chunks.Add(chunk);
        }

        string.Concat(chunks).Should().Be("contents of a.txt");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-read");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task AddToolAuditFilter_CalledTwice_AddsOneFilterFirstInBothLists()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin());
        kernel.AutoFunctionInvocationFilters.Add(new RefuseDeletesFilter());

        kernel.AddToolAuditFilter(audit.Recorder).AddToolAuditFilter(audit.Recorder);
        await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        kernel.FunctionInvocationFilters.OfType<ToolAuditFunctionFilter>().Should().ContainSingle();
        kernel.FunctionInvocationFilters.Should().HaveCount(2, "the audit filter first, its probe last");
        kernel.FunctionInvocationFilters[0].Should().BeOfType<ToolAuditFunctionFilter>();
        kernel.AutoFunctionInvocationFilters.Should().HaveCount(2);
        kernel.AutoFunctionInvocationFilters[0].Should().BeSameAs(kernel.FunctionInvocationFilters[0]);
        (await audit.EntriesAsync()).Should().ContainSingle();
    }

    [Fact]
    public void ToolName_FunctionWithoutPlugin_IsItsName()
    {
        var function = KernelFunctionFactory.CreateFromMethod(() => "x", "standalone");

        ToolAuditFunctionFilter.ToolName(function).Should().Be("standalone");
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        var noRecorder = () => new ToolAuditFunctionFilter(null!);
        var emptyUser = () => new ToolAuditFunctionFilter(new AuditRecorder(new InMemoryAuditStore(1)), new ToolAuditFunctionFilterOptions { UnknownUser = "" });

        noRecorder.Should().Throw<ArgumentNullException>().WithParameterName("recorder");
        emptyUser.Should().Throw<ArgumentException>().WithMessage("*UnknownUser*");
    }

    [Fact]
    public async Task InvokeAsync_ResolverGivesANameWithALoneSurrogate_RecordsUnknownUser()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin())
            .AddToolAuditFilter(audit.Recorder, options => options.UserResolver = (_, _) => "eve" + (char)0xD800);

        var result = await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        result.Should().NotBeNull();
        (await audit.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(ToolAuditFunctionFilterOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task InvokeAsync_ResolverThrows_TheCallSucceedsAndIsRecordedWithTheUnknownUser()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin())
            .AddToolAuditFilter(audit.Recorder, options => options.UserResolver = (_, _) => throw new KeyNotFoundException("no user"));

        var result = await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        result.GetValue<string>().Should().Be("contents of a.txt");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be(ToolAuditFunctionFilterOptions.DefaultUnknownUser);
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task InvokeAsync_ResolverThrowsForAFunctionThatThrows_TheFunctionsExceptionReachesTheCallerUnchanged()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin())
            .AddToolAuditFilter(audit.Recorder, options => options.UserResolver = (_, _) => throw new KeyNotFoundException("no user"));

        var call = () => kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        await call.Should().ThrowAsync<UnauthorizedAccessException>().WithMessage("read-only volume: a.txt");
        (await audit.EntriesAsync()).Should().ContainSingle().Which.Status.Should().Be(AuditStatus.Error);
    }

    [Fact]
    public async Task InvokeAsync_InnerFunctionFilterSkipsTheFunctionWithoutAnswer_RecordsDenied()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var kernel = Kernels.Build(files).AddToolAuditFilter(audit.Recorder);

        // Added after the probe: a filter that sets no result is seen all the same.
        kernel.FunctionInvocationFilters.Add(new BlockDeletesFunctionFilter(answer: null));
        await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        files.Deletes.Should().Be(0);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-delete");
        entry.Status.Should().Be(AuditStatus.Denied, "the function never ran");
        entry.Error.Should().Be("A function invocation filter did not let the function run.");
        entry.ResultSnippet.Should().BeNull();
    }

    [Fact]
    public async Task InvokeAsync_InnerFunctionFilterAnswersForTheFunction_RecordsDeniedWithTheAnswer()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var kernel = Kernels.Build(files);
        kernel.FunctionInvocationFilters.Add(new BlockDeletesFunctionFilter(BlockDeletesFunctionFilter.Answer));
        kernel.AddToolAuditFilter(audit.Recorder);

        var result = await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        result.GetValue<string>().Should().Be(BlockDeletesFunctionFilter.Answer, "the caller gets the filter's answer unchanged");
        files.Deletes.Should().Be(0);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Denied);
        entry.Error.Should().Be(BlockDeletesFunctionFilter.Answer);
    }

    [Fact]
    public async Task InvokeAsync_AnsweringFilterAddedAfterTheAudit_AddToolAuditFilterAgainMovesTheProbeAndRecordsDenied()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin()).AddToolAuditFilter(audit.Recorder);
        kernel.FunctionInvocationFilters.Add(new BlockDeletesFunctionFilter(BlockDeletesFunctionFilter.Answer));

        kernel.AddToolAuditFilter(audit.Recorder);
        await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        kernel.FunctionInvocationFilters.Should().HaveCount(3);
        kernel.FunctionInvocationFilters[1].Should().BeOfType<BlockDeletesFunctionFilter>();
        (await audit.EntriesAsync()).Should().ContainSingle().Which.Status.Should().Be(AuditStatus.Denied);
    }

    [Fact]
    public async Task InvokeAsync_InnerFilterRewritesTheResultOfAFunctionThatRan_RecordsOkWithTheRewrittenResult()
    {
        await using var audit = new AuditFixture();
        var kernel = Kernels.Build(new FilesPlugin());
        kernel.FunctionInvocationFilters.Add(new RewriteResultFunctionFilter());
        kernel.AddToolAuditFilter(audit.Recorder);

        await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be(RewriteResultFunctionFilter.Rewritten);
    }

    [Fact]
    public async Task AutoInvoke_InnerFunctionFilterAnswersForTheFunction_RecordsOneDeniedEntryWithTheCallId()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(Kernels.Call("call-1", "delete", "a.txt"), Kernels.Call("call-2", "read", "a.txt")),
            new ChatMessage(ChatRole.Assistant, "ok"));
        var kernel = Kernels.Build(files, model);
        kernel.FunctionInvocationFilters.Add(new BlockDeletesFunctionFilter(BlockDeletesFunctionFilter.Answer));
        kernel.AddToolAuditFilter(audit.Recorder);

        await kernel.InvokePromptAsync("Delete a.txt then read it.", Kernels.AutoInvoke());

        files.Deletes.Should().Be(0);
        model.Results["call-1"]?.ToString().Should().Be(BlockDeletesFunctionFilter.Answer);
        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(2);
        var denied = entries.Should().ContainSingle(e => e.CallId == "call-1").Subject;
        denied.Status.Should().Be(AuditStatus.Denied);
        denied.Error.Should().Be(BlockDeletesFunctionFilter.Answer);
        entries.Should().ContainSingle(e => e.CallId == "call-2").Which.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task InvokePromptAsync_DirectPromptFunction_IsNotRecorded()
    {
        await using var audit = new AuditFixture();
        var model = new ScriptedChatClient(new ChatMessage(ChatRole.Assistant, "hello back"));
        var kernel = Kernels.Build(new FilesPlugin(), model).AddToolAuditFilter(audit.Recorder);

        var result = await kernel.InvokePromptAsync("Say hello.");

        result.ToString().Should().Be("hello back");
        (await audit.EntriesAsync()).Should().BeEmpty("a prompt invoked directly is a model call, not a tool call");
    }

    [Fact]
    public async Task InvokeAsync_LoggerThrowsWhileTheResolverFails_TheCallSucceedsAndIsRecorded()
    {
        await using var audit = new AuditFixture();
        var logging = new ThrowingLoggerProvider();
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(new FilesPlugin(), "Files");
        builder.Services.AddLogging(b => b.AddProvider(logging));
        var kernel = builder.Build()
            .AddToolAuditFilter(audit.Recorder, options => options.UserResolver = (_, _) => throw new KeyNotFoundException("no user"));

        var result = await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        result.GetValue<string>().Should().Be("contents of a.txt");
        logging.Attempts.Should().BePositive("the resolver's failure was logged, and the logger threw");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be(ToolAuditFunctionFilterOptions.DefaultUnknownUser);
    }
}
