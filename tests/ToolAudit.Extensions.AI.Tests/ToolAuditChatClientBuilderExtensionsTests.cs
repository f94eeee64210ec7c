using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests;

/// <summary><c>UseToolAudit()</c> and the checks made when the pipeline is built.</summary>
public sealed class ToolAuditChatClientBuilderExtensionsTests
{
    [Fact]
    public void UseToolAudit_NullBuilder_ThrowsArgumentNull()
    {
        var act = () => ToolAuditChatClientBuilderExtensions.UseToolAudit(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void UseToolAudit_EmptyUnknownUser_ThrowsArgumentNamingIt(string? unknownUser)
    {
        var act = () => new ScriptedChatClient().AsBuilder().UseToolAudit(configure: o => o.UnknownUser = unknownUser!);

        act.Should().Throw<ArgumentException>().WithMessage("*UnknownUser*");
    }

    [Fact]
    public void Build_NoRecorderGivenOrRegistered_ThrowsInvalidOperation()
    {
        var builder = new ScriptedChatClient().AsBuilder().UseToolAudit().UseFunctionInvocation();

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*no recorder*AddToolAudit*");
    }

    [Fact]
    public async Task Build_RecorderRegisteredInServices_RecordsThroughIt()
    {
        await using var audit = new AuditHarness();
        await using var services = new ServiceCollection().AddSingleton<IAuditRecorder>(audit.Recorder).BuildServiceProvider();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit().UseFunctionInvocation().Build(services);

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        (await audit.EntriesAsync()).Should().ContainSingle().Which.CallId.Should().Be("call-1");
    }

    [Fact]
    public async Task Build_NoFunctionInvokingClient_ThrowsInvalidOperationExplainingTheOrder()
    {
        await using var audit = new AuditHarness();
        var builder = new ScriptedChatClient().AsBuilder().UseToolAudit(audit.Recorder);

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*no FunctionInvokingChatClient*UseToolAudit().UseFunctionInvocation()*");
    }

    [Fact]
    public async Task Build_AuditInsideInvokingClient_ThrowsInvalidOperation()
    {
        await using var audit = new AuditHarness();
        var builder = new ScriptedChatClient().AsBuilder().UseFunctionInvocation().UseToolAudit(audit.Recorder);

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*before*UseFunctionInvocation()*");
    }

    [Fact]
    public async Task Build_AppliedTwice_ThrowsInvalidOperation()
    {
        await using var audit = new AuditHarness();
        var builder = new ScriptedChatClient().AsBuilder().UseToolAudit(audit.Recorder).UseToolAudit(audit.Recorder).UseFunctionInvocation();

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*applied twice*");
    }

    [Fact]
    public async Task Build_InvokingClientOverridesInvokeFunction_ThrowsInvalidOperationNamingIt()
    {
        await using var audit = new AuditHarness();
        var builder = new ScriptedChatClient().AsBuilder()
            .UseToolAudit(audit.Recorder)
            .Use(inner => new IgnoringInvokingChatClient(inner));

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*{typeof(IgnoringInvokingChatClient).FullName}*InvokeFunctionAsync*TrustInvokeFunctionOverride*");
    }

    [Fact]
    public async Task GetResponseAsync_TrustedOverrideBypassesInvoker_LogsWarningAndRecordsNothing()
    {
        await using var audit = new AuditHarness();
        var logs = new ListLoggerFactory();
        await using var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logs).BuildServiceProvider();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder, o => o.TrustInvokeFunctionOverride = true)
            .Use(inner => new IgnoringInvokingChatClient(inner))
            .Build(services);

        var response = await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        response.Text.Should().Be("ok");
        (await audit.EntriesAsync()).Should().BeEmpty("a call the audit did not see must not be recorded with a guessed status");
        logs.Lines.Should().ContainSingle(l => l.Level == LogLevel.Warning && l.Message.Contains("read_file", StringComparison.Ordinal) && l.Message.Contains("without going through its FunctionInvoker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_FunctionInvokerReplacedAfterBuild_LogsWarningAndRecordsNothing()
    {
        await using var audit = new AuditHarness();
        var logs = new ListLoggerFactory();
        await using var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logs).BuildServiceProvider();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")), ScriptedChatClient.Text("ok"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build(services);
        client.GetService<FunctionInvokingChatClient>()!.FunctionInvoker = null;

        await client.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        (await audit.EntriesAsync()).Should().BeEmpty();
        logs.Lines.Should().ContainSingle(l => l.Level == LogLevel.Warning && l.Message.Contains("call-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_Twice_EachPipelineAuditsItsOwnCalls()
    {
        await using var audit = new AuditHarness();
        var builder = new ScriptedChatClient(
                ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", "read_file")),
                ScriptedChatClient.Text("ok"),
                ScriptedChatClient.Calls(ScriptedChatClient.Call("call-2", "read_file")),
                ScriptedChatClient.Text("ok"))
            .AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation();
        using var first = builder.Build();
        using var second = builder.Build();

        await first.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });
        await second.GetResponseAsync([new(ChatRole.User, "read")], new() { Tools = [Tools.ReadFile()] });

        (await audit.EntriesAsync()).Select(e => e.CallId).Should().Equal("call-1", "call-2");
    }
}
