using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>Calls the invoking client runs: <c>ok</c>, <c>error</c>, the real exception, unchanged behaviour.</summary>
public sealed class InvokedCallTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturns_RecordsOkWithResultAndDuration(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file", "a.txt")),
            ScriptedChatClient.Text("The file says hello."));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        var response = await Chat.SendAsync(client, [new(ChatRole.User, "read a.txt")], new() { Tools = [Tools.ReadFile()] }, streaming);

        response.Text.Should().Contain("The file says hello.");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("read_file");
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.CallId.Should().Be("call-1");
        entry.ResultSnippet.Should().Be("contents of a.txt");
        entry.ResultChars.Should().Be("contents of a.txt".Length);
        entry.Args.Should().ContainKey("path").WhoseValue.GetString().Should().Be("a.txt");
        entry.DurationMs.Should().NotBeNull().And.BeGreaterThanOrEqualTo(0);
        entry.Error.Should().BeNull();
        entry.Confirmed.Should().BeFalse();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolThrows_RecordsRealExceptionAndModelStillGetsFunctionFailed(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "explode")),
            ScriptedChatClient.Text("Sorry, that failed."));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        var response = await Chat.SendAsync(client, [new(ChatRole.User, "blow up")], new() { Tools = [Tools.Explode()] }, streaming);

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be($"System.InvalidOperationException: {Tools.FailureMessage}");
        entry.CallId.Should().Be("call-1");
        entry.ResultSnippet.Should().BeNull();

        // The invoking client behaves as it would without the audit: the model sees the generic text, the host the exception.
        var result = model.Requests.Last().SelectMany(m => m.Contents).OfType<FunctionResultContent>().Should().ContainSingle().Subject;
        result.Result.Should().Be("Error: Function failed.");
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Exception
            .Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be(Tools.FailureMessage);
    }

    [Fact]
    public async Task GetResponseAsync_ToolThrowsPastErrorLimit_RecordsErrorAndRethrowsOriginalException()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "explode")));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder)
            .UseFunctionInvocation(configure: c => c.MaximumConsecutiveErrorsPerRequest = 0)
            .Build();

        var act = () => client.GetResponseAsync([new(ChatRole.User, "blow up")], new() { Tools = [Tools.Explode()] });

        (await act.Should().ThrowExactlyAsync<InvalidOperationException>()).Which.Message.Should().Be(Tools.FailureMessage);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be($"System.InvalidOperationException: {Tools.FailureMessage}");
    }

    [Fact]
    public async Task Build_FunctionInvokerAlreadySet_ChainsItInsideTheAudit()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file"), ScriptedChatClient.Call("call-2", "read_file")),
            ScriptedChatClient.Text("done"));
        var seenByExisting = new List<string>();
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder)
            .UseFunctionInvocation(configure: c => c.FunctionInvoker = async (context, cancellationToken) =>
            {
                seenByExisting.Add(context.CallContent.CallId);
                var result = await context.Function.InvokeAsync(context.Arguments, cancellationToken);
                return $"[checked] {result}";
            })
            .Build();

        await client.GetResponseAsync([new(ChatRole.User, "read twice")], new() { Tools = [Tools.ReadFile()] });

        seenByExisting.Should().Equal("call-1", "call-2");
        var entries = await audit.EntriesAsync();
        entries.Select(e => e.CallId).Should().Equal("call-1", "call-2");
        entries.Should().OnlyContain(e => e.Status == AuditStatus.Ok && e.ResultSnippet!.StartsWith("[checked]", StringComparison.Ordinal));
        model.Requests.Last().SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .Should().OnlyContain(r => r.Result!.ToString()!.StartsWith("[checked]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ServiceRanTheCallItself_RecordsNothing(bool streaming)
    {
        await using var audit = new AuditHarness();

        // A service that runs a function itself returns the call and its result together.
        var model = new ScriptedChatClient(new ChatMessage(ChatRole.Assistant,
        [
            ScriptedChatClient.Call("server-1", "web_lookup"),
            new FunctionResultContent("server-1", "looked up"),
            new TextContent("Here is what I found."),
        ]));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        var response = await Chat.SendAsync(client, [new(ChatRole.User, "look it up")], new() { Tools = [Tools.ReadFile()] }, streaming);

        response.Text.Should().Contain("Here is what I found.");
        (await audit.EntriesAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturnsMcpIsErrorResult_RecordsErrorWithItsText(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "mcp_tool")),
            ScriptedChatClient.Text("The tool failed."));
        var mcpStyle = AIFunctionFactory.Create(
            () => System.Text.Json.JsonDocument.Parse("""{"content":[{"type":"text","text":"Disk quota exceeded"}],"isError":true}""").RootElement.Clone(),
            "mcp_tool");
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await Chat.SendAsync(client, [new(ChatRole.User, "run it")], new() { Tools = [mcpStyle] }, streaming);

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("Disk quota exceeded");
        entry.ResultSnippet.Should().Be("Disk quota exceeded", "an MCP result reads as its text, as the MCP package records it");
    }
}
