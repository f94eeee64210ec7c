using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>A call to a tool the pipeline does not have never reaches the invoker; the wrapper records it as <c>error</c>.</summary>
public sealed class UnknownToolTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_UnknownTool_RecordsErrorOnce(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "launch_rockets"), ScriptedChatClient.Call("call-2", "read_file")),
            ScriptedChatClient.Text("I cannot launch rockets."),
            ScriptedChatClient.Text("Bye."));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [Tools.ReadFile()] };
        List<ChatMessage> history = [new(ChatRole.User, "launch and read")];

        await Chat.TurnAsync(client, history, options, streaming);
        history.Add(new(ChatRole.User, "ok"));
        await Chat.TurnAsync(client, history, options, streaming);

        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(2);
        var unknown = entries.Should().ContainSingle(e => e.CallId == "call-1").Subject;
        unknown.Tool.Should().Be("launch_rockets");
        unknown.Status.Should().Be(AuditStatus.Error);
        unknown.Error.Should().Be("Requested function \"launch_rockets\" not found.");
        unknown.Args.Should().ContainKey("path");
        entries.Should().ContainSingle(e => e.CallId == "call-2").Which.Status.Should().Be(AuditStatus.Ok);

        // Behaviour unchanged: the model was told the function does not exist.
        model.Requests.ElementAt(1).SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .Should().ContainSingle(r => r.CallId == "call-1").Which.Result.Should().Be("Error: Requested function \"launch_rockets\" not found.");
    }

    [Fact]
    public async Task GetResponseAsync_UnknownToolWithTerminateOnUnknownCalls_LeavesTheCallToTheHost()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "client_side_tool")));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder)
            .UseFunctionInvocation(configure: c => c.TerminateOnUnknownCalls = true)
            .Build();

        var response = await client.GetResponseAsync([new(ChatRole.User, "do it")], new() { Tools = [Tools.ReadFile()] });

        // The invoking client hands the call back for the host to run: nothing happened that the audit could label.
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Should().ContainSingle(c => c.CallId == "call-1");
        (await audit.EntriesAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ProviderRepeatsACallIdAcrossRounds_EachUnknownToolIsRecorded(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call_0", "ghost_a")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call_0", "ghost_b")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call_0", "read_file")),
            ScriptedChatClient.Text("done"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await Chat.SendAsync(client, [new(ChatRole.User, "go")], new() { Tools = [Tools.ReadFile()] }, streaming).WaitAsync(TimeSpan.FromSeconds(30));

        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.Tool, e.Status)).Should().BeEquivalentTo(
            [("ghost_a", AuditStatus.Error), ("ghost_b", AuditStatus.Error), ("read_file", AuditStatus.Ok)],
            "some providers number calls per response, so ids repeat within a request");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_TwoUnknownToolsWithoutIds_BothAreRecorded(bool streaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call(string.Empty, "ghost_a"), ScriptedChatClient.Call(string.Empty, "ghost_b")),
            ScriptedChatClient.Text("done"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await Chat.SendAsync(client, [new(ChatRole.User, "go")], new() { Tools = [Tools.ReadFile()] }, streaming).WaitAsync(TimeSpan.FromSeconds(30));

        model.Requests.ElementAt(1).SelectMany(m => m.Contents).OfType<FunctionResultContent>().Should().HaveCount(2, "the invoking client answers each call");
        (await audit.EntriesAsync()).Select(e => e.Tool).Should().BeEquivalentTo(["ghost_a", "ghost_b"]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ALaterRoundThrows_TheUnknownToolCallIsStillRecorded()
    {
        await using var audit = new AuditHarness();

        // One scripted round: the next one finds the script empty and throws, as a failing service would.
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "launch_rockets")));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        var act = () => Chat.SendAsync(client, [new(ChatRole.User, "launch")], new() { Tools = [Tools.ReadFile()] }, streaming: true)
            .WaitAsync(TimeSpan.FromSeconds(30));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("The script has no more turns*");
        model.Requests.Should().HaveCount(2, "the second round is the one that failed");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Should().Match<AuditEntry>(e =>
            e.CallId == "call-1" && e.Status == AuditStatus.Error && e.Error == "Requested function \"launch_rockets\" not found.");
    }

    [Fact]
    public async Task GetResponseAsync_ALaterRoundThrows_AnUnknownToolCallBesideAToolThatRanIsStillRecorded()
    {
        await using var audit = new AuditHarness();

        // One scripted round; the next one finds the script empty and throws, as a failing service would. Without
        // streaming, the response that shows the unknown call never comes: the history the invoker saw has it.
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "launch_rockets"), ScriptedChatClient.Call("call-2", "read_file")));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        var act = () => client.GetResponseAsync([new(ChatRole.User, "launch and read")], new() { Tools = [Tools.ReadFile()] })
            .WaitAsync(TimeSpan.FromSeconds(30));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("The script has no more turns*");
        model.Requests.Should().HaveCount(2, "the second round is the one that failed");
        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.CallId, e.Tool, e.Status)).Should().BeEquivalentTo(
            [("call-1", "launch_rockets", AuditStatus.Error), ("call-2", "read_file", AuditStatus.Ok)]);
        entries.Single(e => e.CallId == "call-1").Error.Should().Be("Requested function \"launch_rockets\" not found.");
    }

    [Fact]
    public async Task GetResponseAsync_ALaterRoundThrows_UnknownToolCallsOfRoundsAfterAToolRanAreRecordedOnce()
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-2", "ghost_a")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("call-3", "ghost_b"), ScriptedChatClient.Call("call-4", "ghost_c")));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        // The caller's history holds an earlier request's unknown call and its answer: that one is on record already.
        List<ChatMessage> history =
        [
            new(ChatRole.User, "earlier"),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("old-1", "ghost_old")),
            new(ChatRole.Tool, [new FunctionResultContent("old-1", "Error: Requested function \"ghost_old\" not found.")]),
            new(ChatRole.User, "go"),
        ];

        var act = () => client.GetResponseAsync(history, new() { Tools = [Tools.ReadFile()] }).WaitAsync(TimeSpan.FromSeconds(30));

        await act.Should().ThrowAsync<InvalidOperationException>();
        model.Requests.Should().HaveCount(4, "the fourth round is the one that failed");
        (await audit.EntriesAsync()).Select(e => (e.CallId, e.Tool, e.Status)).Should().BeEquivalentTo(
            [
                ("call-1", "read_file", AuditStatus.Ok),
                ("call-2", "ghost_a", AuditStatus.Error),
                ("call-3", "ghost_b", AuditStatus.Error),
                ("call-4", "ghost_c", AuditStatus.Error),
            ]);
    }
}
