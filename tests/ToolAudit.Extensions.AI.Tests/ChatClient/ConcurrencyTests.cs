using System.Diagnostics;
using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>With <see cref="FunctionInvokingChatClient.AllowConcurrentInvocation"/>, calls overlap; each still gets one entry.</summary>
public sealed class ConcurrencyTests
{
    private const int CallCount = 6;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ConcurrentInvocation_RecordsOneEntryPerCallId(bool streaming)
    {
        await using var audit = new AuditHarness();
        using var activities = new ActivityCapture();

        // Every call waits until all of them have started: the test only passes if they really run at the same time.
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rendezvous = AIFunctionFactory.Create(
            async (string path) =>
            {
                if (Interlocked.Increment(ref started) == CallCount)
                {
                    allStarted.SetResult();
                }

                await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return path.StartsWith("bad", StringComparison.Ordinal) ? throw new IOException($"cannot read {path}") : $"read {path}";
            },
            "read_together");
        var calls = Enumerable.Range(1, CallCount)
            .Select(i => ScriptedChatClient.Call($"call-{i}", "read_together", i % 2 == 0 ? $"bad-{i}" : $"good-{i}"))
            .ToArray();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(calls), ScriptedChatClient.Text("All read."));
        using var client = model.AsBuilder()
            .UseToolAudit(audit.Recorder)
            .UseFunctionInvocation(configure: c => c.AllowConcurrentInvocation = true)
            .UseOpenTelemetry(sourceName: activities.SourceName)
            .Build();

        using (ToolAuditContext.Begin(user: "carol"))
        {
            await Chat.SendAsync(client, [new(ChatRole.User, "read them all")], new() { Tools = [rendezvous] }, streaming);
        }

        var entries = await audit.EntriesAsync();
        entries.Should().HaveCount(CallCount);
        entries.Select(e => e.CallId).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(calls.Select(c => c.CallId));
        entries.Should().OnlyContain(e => e.User == "carol");
        foreach (var entry in entries)
        {
            var index = int.Parse(entry.CallId!["call-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            entry.Status.Should().Be(index % 2 == 0 ? AuditStatus.Error : AuditStatus.Ok);

            // Each entry carries its own execute_tool span, not a sibling's.
            var span = activities.ExecuteTool(entry.CallId);
            entry.SpanId.Should().Be(span.SpanId.ToHexString());
            entry.TraceId.Should().Be(span.TraceId.ToHexString());
        }

        entries.Where(e => e.Status == AuditStatus.Error).Should().OnlyContain(e => e.Error!.StartsWith("System.IO.IOException: cannot read bad-", StringComparison.Ordinal));
    }
}
