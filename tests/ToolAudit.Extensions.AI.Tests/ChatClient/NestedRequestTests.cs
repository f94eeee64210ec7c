using System.Text;
using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>A tool that is an agent itself: it sends a request of its own through the same audited pipeline.</summary>
public sealed class NestedRequestTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task GetResponseAsync_ToolSendsARequestOnTheSamePipelineAndTheOuterRequestFails_EachCallIsRecordedOnceAsItsOwn(bool outerStreaming, bool innerStreaming)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(
            ScriptedChatClient.Calls(ScriptedChatClient.Call("o1", "ask_agent"), ScriptedChatClient.Call("o2", "ghost_outer")),
            ScriptedChatClient.Calls(ScriptedChatClient.Call("i1", "read_file"), ScriptedChatClient.Call("i2", "ghost_inner")),
            ScriptedChatClient.Text("inner done"));

        // The outer request's second round finds the script empty: the service fails, and the outer request with it.
        IChatClient? client = null;
        var askAgent = AIFunctionFactory.Create(
            async (string path) =>
            {
                using (ToolAuditContext.Begin(user: "bob"))
                {
                    var response = await Chat.SendAsync(client!, [new(ChatRole.User, "inner " + path)], new() { Tools = [Tools.ReadFile()] }, innerStreaming);
                    return response.Text;
                }
            },
            "ask_agent");
        client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        using (ToolAuditContext.Begin(user: "alice"))
        {
            var send = () => Chat.SendAsync(client, [new(ChatRole.User, "outer")], new() { Tools = [askAgent, Tools.ReadFile()] }, outerStreaming);
            await send.Should().ThrowAsync<InvalidOperationException>();
        }

        var entries = await audit.EntriesAsync();
        entries.Select(e => (e.CallId, e.Tool, e.Status, e.User)).Should().BeEquivalentTo(
        [
            ("o1", "ask_agent", AuditStatus.Ok, "alice"),
            ("o2", "ghost_outer", AuditStatus.Error, "alice"),
            ("i1", "read_file", AuditStatus.Ok, "bob"),
            ("i2", "ghost_inner", AuditStatus.Error, "bob"),
        ]);
        client.Dispose();
    }
}
