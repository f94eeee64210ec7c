using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.Functions;

/// <summary><c>tool.WithToolAudit(recorder)</c>: a function that records itself, once per call.</summary>
public sealed class AuditedAIFunctionTests
{
    [Fact]
    public void WithToolAudit_NullArguments_ThrowArgumentNull()
    {
        var recorder = new AuditRecorder(new InMemoryAuditStore(10));
        try
        {
            ((Func<AIFunction>)(() => ((AIFunction)null!).WithToolAudit(recorder))).Should().Throw<ArgumentNullException>().WithParameterName("tool");
            ((Func<AIFunction>)(() => Tools.ReadFile().WithToolAudit(null!))).Should().Throw<ArgumentNullException>().WithParameterName("recorder");
        }
        finally
        {
            recorder.Dispose();
        }
    }

    [Theory]
    [InlineData("pipeline's inside, other's outside")]
    [InlineData("other's inside, pipeline's outside")]
    [InlineData("other's alone")]
    public async Task InvokeAsync_InAPipelineAuditedToAnotherRecorder_RecordsOnceInEach(string wrapping)
    {
        await using var pipelineAudit = new AuditHarness();
        await using var otherAudit = new AuditHarness();
        var tool = wrapping switch
        {
            "pipeline's inside, other's outside" => Tools.ReadFile().WithToolAudit(pipelineAudit.Recorder).WithToolAudit(otherAudit.Recorder),
            "other's inside, pipeline's outside" => Tools.ReadFile().WithToolAudit(otherAudit.Recorder).WithToolAudit(pipelineAudit.Recorder),
            _ => Tools.ReadFile().WithToolAudit(otherAudit.Recorder),
        };
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("done"));
        using var client = model.AsBuilder().UseToolAudit(pipelineAudit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [tool] });

        // Each recorder has the call once, with what the invoking client knows of it.
        foreach (var audit in new[] { pipelineAudit, otherAudit })
        {
            var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
            entry.CallId.Should().Be("call-1");
            entry.Status.Should().Be(AuditStatus.Ok);
        }
    }

    [Fact]
    public async Task WithToolAudit_AlreadyAuditedBySameRecorder_ReturnsTheSameFunction()
    {
        await using var audit = new AuditHarness();
        var audited = Tools.ReadFile().WithToolAudit(audit.Recorder);

        audited.WithToolAudit(audit.Recorder).Should().BeSameAs(audited);
        audited.Name.Should().Be("read_file");
        audited.JsonSchema.GetRawText().Should().Be(Tools.ReadFile().JsonSchema.GetRawText());
    }

    [Fact]
    public async Task InvokeAsync_Returns_RecordsOkWithAmbientUser()
    {
        await using var audit = new AuditHarness();
        var tool = Tools.ReadFile().WithToolAudit(audit.Recorder);

        object? result;
        using (ToolAuditContext.Begin(user: "dave", engine: "local", model: "tiny"))
        {
            result = await tool.InvokeAsync(new() { ["path"] = "a.txt" });
        }

        result!.ToString().Should().Contain("contents of a.txt");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Should().Match<AuditEntry>(e =>
            e.Tool == "read_file" && e.Status == AuditStatus.Ok && e.User == "dave" && e.Engine == "local" && e.Model == "tiny"
            && e.ResultSnippet == "contents of a.txt" && e.CallId == null && e.DurationMs != null);
    }

    [Fact]
    public async Task InvokeAsync_Throws_RecordsErrorWithUnknownUserAndRethrows()
    {
        await using var audit = new AuditHarness();
        var tool = Tools.Explode().WithToolAudit(audit.Recorder);

        var act = async () => await tool.InvokeAsync(new() { ["path"] = "a.txt" });

        (await act.Should().ThrowExactlyAsync<InvalidOperationException>()).Which.Message.Should().Be(Tools.FailureMessage);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be($"System.InvalidOperationException: {Tools.FailureMessage}");
        entry.User.Should().Be("unknown");
    }

    [Fact]
    public async Task InvokeAsync_ReturnsMcpIsErrorResult_RecordsErrorWithItsTextAndReturnsTheResultUnchanged()
    {
        await using var audit = new AuditHarness();
        var returned = System.Text.Json.JsonDocument.Parse("""{"content":[{"type":"text","text":"Disk quota exceeded"}],"isError":true}""").RootElement.Clone();
        var inner = AIFunctionFactory.Create(() => returned, "mcp_tool");
        var unaudited = await inner.InvokeAsync(new());
        var tool = inner.WithToolAudit(audit.Recorder);

        var result = await tool.InvokeAsync(new());

        // The same call run by an audited pipeline is an error: a function wrapped on its own must say so too.
        result.Should().BeOfType<System.Text.Json.JsonElement>().Which.GetRawText().Should().Be(((System.Text.Json.JsonElement)unaudited!).GetRawText());
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("Disk quota exceeded");
        entry.ResultSnippet.Should().Be("Disk quota exceeded");
    }

    [Fact]
    public async Task InvokeAsync_ByPlainInvokingClient_RecordsCallIdModelAndSession()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseFunctionInvocation().Build();

        await client.GetResponseAsync(
            [new(ChatRole.User, "read")],
            new() { Tools = [Tools.ReadFile().WithToolAudit(audit.Recorder)], ModelId = "gpt-test", ConversationId = "conv-1" });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Should().Match<AuditEntry>(e => e.CallId == "call-1" && e.Model == "gpt-test" && e.SessionId == "conv-1" && e.Status == AuditStatus.Ok);
    }

    [Fact]
    public async Task InvokeAsync_ByAuditedPipeline_RecordsOneEntryPerCall()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file"), ScriptedChatClient.Call("call-2", "explode")),
            ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync(
            [new(ChatRole.User, "read")],
            new() { Tools = [Tools.ReadFile().WithToolAudit(audit.Recorder), Tools.Explode().WithToolAudit(audit.Recorder)] });

        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.CallId, e.Status)).Should().BeEquivalentTo(new[] { ("call-1", AuditStatus.Ok), ("call-2", AuditStatus.Error) });
        entries.Should().OnlyContain(e => e.Engine == ScriptedChatClient.Provider, "the pipeline's entry, which knows the engine, is the one kept");
    }

    [Fact]
    public async Task InvokeAsync_WrappedInsideApprovalRequired_StaysApprovalRequiredAndRecordsConfirmedOnce()
    {
        await using var audit = new AuditHarness();
        var deleteFile = new ApprovalRequiredAIFunction(
            AIFunctionFactory.Create((string path) => $"deleted {path}", "delete_file").WithToolAudit(audit.Recorder));
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "delete_file")), ScriptedChatClient.Text("Deleted."));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [deleteFile] };
        List<ChatMessage> history = [new(ChatRole.User, "delete notes.txt")];

        var asked = await Chat.TurnAsync(client, history, options, streaming: false);
        history.Add(Chat.Answer(Chat.ApprovalRequest(asked, "call-1"), approved: true));
        await Chat.TurnAsync(client, history, options, streaming: false);

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Should().Match<AuditEntry>(e => e.CallId == "call-1" && e.Status == AuditStatus.Ok && e.Confirmed);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task InvokeAsync_ApprovedAndRunByPlainInvokingClient_RecordsConfirmedOnlyForTheFunctionThatAskedForApproval(bool auditInside, bool streaming)
    {
        await using var audit = new AuditHarness();
        var deleteFile = AIFunctionFactory.Create((string path) => $"deleted {path}", "delete_file");
        var audited = auditInside
            ? new ApprovalRequiredAIFunction(deleteFile.WithToolAudit(audit.Recorder))
            : new ApprovalRequiredAIFunction(deleteFile).WithToolAudit(audit.Recorder);
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-read", "read_file"), ScriptedChatClient.Call("call-delete", "delete_file")),
            ScriptedChatClient.Text("Read it and deleted it."));
        using var client = model.AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [Tools.ReadFile().WithToolAudit(audit.Recorder), audited] };
        List<ChatMessage> history = [new(ChatRole.User, "read notes.txt, then delete it")];

        var asked = await Chat.TurnAsync(client, history, options, streaming).WaitAsync(TimeSpan.FromSeconds(30));
        var requests = asked.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().ToList();
        requests.Should().HaveCount(2, "the invoking client asks approval for both calls, read_file's flagged as needing no confirmation");
        history.Add(new(ChatRole.User, requests.Select(r => (AIContent)r.CreateResponse(approved: true)).ToList()));
        await Chat.TurnAsync(client, history, options, streaming).WaitAsync(TimeSpan.FromSeconds(30));

        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.CallId, e.Status, e.Confirmed)).Should().BeEquivalentTo(new[]
        {
            ("call-read", AuditStatus.Ok, false),
            ("call-delete", AuditStatus.Ok, true),
        });
    }
}
