namespace ToolAudit.Tests.Context;

public sealed class ToolAuditContextTests
{
    [Fact]
    public void Begin_Nested_InheritsUnsetValuesAndRestoresOuterOnDispose()
    {
        ToolAuditContext.Current.Should().Be(AuditContext.Empty);
        using (ToolAuditContext.Begin(engine: "openai", model: "gpt-4o", user: "alice"))
        {
            using (ToolAuditContext.Begin(model: "o3", sessionId: "s"))
            {
                ToolAuditContext.Current.Should().Be(new AuditContext("openai", "o3", "alice", "s", null));
            }

            ToolAuditContext.Current.Should().Be(new AuditContext("openai", "gpt-4o", "alice", null, null));
        }

        ToolAuditContext.Current.Should().Be(AuditContext.Empty);
    }

    [Fact]
    public void Restore_SetsExactlyTheGivenValuesAndRestoresOuterOnDispose()
    {
        AuditContext captured;
        using (ToolAuditContext.Begin(user: "dora", taskId: "task-7"))
        {
            ToolAuditContext.Set(null, null);
            captured = ToolAuditContext.Current;
        }

        using (ToolAuditContext.Begin(engine: "openai", model: "gpt-4o", user: "alice", sessionId: "s-1"))
        {
            using (ToolAuditContext.Restore(captured))
            {
                // Nothing inherited: the engine and model cleared where it was taken stay cleared.
                ToolAuditContext.Current.Should().Be(new AuditContext(null, null, "dora", null, "task-7"));
            }

            ToolAuditContext.Current.Should().Be(new AuditContext("openai", "gpt-4o", "alice", "s-1", null));
        }

        ((Action)(() => ToolAuditContext.Restore(null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Set_ReplacesEngineAndModelAndKeepsTheRest()
    {
        using (ToolAuditContext.Begin(engine: "a", model: "b", user: "u", sessionId: "s", taskId: "t"))
        {
            ToolAuditContext.Set("anthropic", null);
            ToolAuditContext.Current.Should().Be(new AuditContext("anthropic", null, "u", "s", "t"));
        }
    }

    [Fact]
    public async Task Begin_FlowsIntoAwaitedAndChildWork()
    {
        using var scope = ToolAuditContext.Begin(engine: "openai", user: "alice");
        await Task.Yield();
        ToolAuditContext.Current.Engine.Should().Be("openai");
        var child = await Task.Run(() => ToolAuditContext.Current.User);
        child.Should().Be("alice");
    }

    [Fact]
    public async Task Begin_ConcurrentTasks_NeverSeeEachOthersValues()
    {
        using var bothStarted = new Barrier(2);
        async Task<string?> RunAs(string user)
        {
            await Task.Yield();
            using var scope = ToolAuditContext.Begin(user: user);
            bothStarted.SignalAndWait();
            await Task.Yield();
            return ToolAuditContext.Current.User;
        }

        var results = await Task.WhenAll(Task.Run(() => RunAs("alice")), Task.Run(() => RunAs("bob")));
        results.Should().Equal("alice", "bob");
        ToolAuditContext.Current.Should().Be(AuditContext.Empty);
    }

    [Fact]
    public async Task Set_InsideAwaitedMethod_DoesNotFlowBackToTheCaller()
    {
        using var scope = ToolAuditContext.Begin(engine: "outer");
        await SetInner();
        ToolAuditContext.Current.Engine.Should().Be("outer");

        static async Task SetInner()
        {
            await Task.Yield();
            ToolAuditContext.Set("inner", "m");
            ToolAuditContext.Current.Engine.Should().Be("inner");
        }
    }
}
