using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ToolAudit.Extensions.AI.Tests.Support;
using ToolAudit.Tests.Shared;

namespace ToolAudit.Extensions.AI.Tests.Diagnostics;

/// <summary>
/// A logging provider that throws makes the framework's logger throw an <see cref="AggregateException"/>: the
/// pipeline's own log messages must not fail a tool call or change how it is recorded.
/// </summary>
public sealed class FailingLoggerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_LoggerThrowsWhileTheResolverFails_TheToolRunsAndIsRecordedOk(bool streaming)
    {
        await using var audit = new AuditHarness();
        var logging = new ThrowingLoggerProvider();
        await using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logging)).BuildServiceProvider();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o => o.UserResolver = _ => throw new InvalidOperationException("no HttpContext"))
            .UseFunctionInvocation()
            .Build(services);

        List<ChatMessage> messages = [new(ChatRole.User, "read")];
        ChatOptions options = new() { Tools = [Tools.ReadFile()] };
        var text = streaming
            ? (await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync().WaitAsync(TimeSpan.FromSeconds(30))).Text
            : (await client.GetResponseAsync(messages, options).WaitAsync(TimeSpan.FromSeconds(30))).Text;

        text.Should().Be("ok");
        logging.Attempts.Should().BePositive("the resolver's failure was logged, and the logger threw");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok, "the tool ran; only a log message was lost");
        entry.User.Should().Be(ToolAuditChatClientOptions.DefaultUnknownUser);
        entry.ResultSnippet.Should().Be("contents of notes.txt");
    }
}
