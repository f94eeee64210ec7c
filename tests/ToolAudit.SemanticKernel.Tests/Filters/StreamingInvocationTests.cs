using Microsoft.SemanticKernel;
using ToolAudit.SemanticKernel.Tests.Support;

namespace ToolAudit.SemanticKernel.Tests.Filters;

/// <summary>
/// A streaming invocation runs its function only as the caller reads the stream: the call is on record when reading
/// ends, with how it ended.
/// </summary>
public sealed class StreamingInvocationTests
{
    [Fact]
    public async Task InvokeStreamingAsync_ReadToTheEnd_IsRecordedOkOnlyOnceTheStreamEnds()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);

        var lines = new List<string>();
        await foreach (var line in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 3)))
        {
            lines.Add(line);
            if (lines.Count == 1)
            {
                (await audit.EntriesAsync()).Should().BeEmpty("the function is still running while its stream is read");
            }
        }

        lines.Should().Equal("line 0", "line 1", "line 2");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Lines-lines");
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.Error.Should().BeNull();
        entry.Args!["path"].GetString().Should().Be("notes.txt");
    }

    [Fact]
    public async Task InvokeStreamingAsync_FunctionThrowsMidway_IsRecordedAsErrorAndTheCallerGetsTheException()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);

        var lines = new List<string>();
        var read = async () =>
        {
            await foreach (var line in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 3, failAt: 1)))
            {
                lines.Add(line);
            }
        };

        await read.Should().ThrowExactlyAsync<IOException>().WithMessage("disk gone at line 1 of notes.txt");
        lines.Should().Equal("line 0");
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("System.IO.IOException: disk gone at line 1 of notes.txt");
    }

    [Fact]
    public async Task InvokeStreamingAsync_FunctionThrowsBeforeItsFirstItem_IsRecordedAsError()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);

        var read = async () =>
        {
            await foreach (var unused in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 3, failAt: 0)))
            {
            }
        };

        await read.Should().ThrowExactlyAsync<IOException>();
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().StartWith("System.IO.IOException: disk gone at line 0");
    }

    [Fact]
    public async Task InvokeStreamingAsync_CancelledWhileRead_IsRecordedAsError()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);
        using var cancellation = new CancellationTokenSource();

        var read = async () =>
        {
            await foreach (var unused in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 3), cancellation.Token))
            {
                await cancellation.CancelAsync();
            }
        };

        await read.Should().ThrowAsync<OperationCanceledException>();
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Contain("OperationCanceledException");
    }

    [Fact]
    public async Task InvokeStreamingAsync_ReaderLeavesEarly_IsRecordedOkOnce()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);

        await foreach (var line in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 5)))
        {
            line.Should().Be("line 0");
            break;
        }

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task InvokeStreamingAsync_AsKernelContent_IsRecordedWhenTheOneItemHasGoneByAndTheItemIsUnchanged()
    {
        await using var audit = new AuditFixture();
        var (kernel, _) = Build(audit);

        // Read as StreamingKernelContent, Semantic Kernel hands back the function's stream as one item.
        var items = 0;
        await foreach (var item in kernel.InvokeStreamingAsync<StreamingKernelContent>(Lines(kernel), Arguments(count: 3)))
        {
            items++;

            // The function's own stream, as Semantic Kernel hands it back: its enumerator as well as its enumerable.
            item.Should().BeOfType<StreamingMethodContent>().Which.Content.Should().BeAssignableTo<IAsyncEnumerator<string>>();
            (await audit.EntriesAsync()).Should().BeEmpty();
        }

        items.Should().Be(1);
        (await audit.EntriesAsync()).Should().ContainSingle().Which.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task InvokeStreamingAsync_Duration_RunsUntilTheStreamEnds()
    {
        await using var audit = new AuditFixture();
        var clock = new ManualClock();
        var (kernel, plugin) = Build(audit, clock);
        plugin.BeforeLine = _ => clock.Advance(TimeSpan.FromMilliseconds(250));

        await foreach (var unused in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 4)))
        {
        }

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.DurationMs.Should().Be(1000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Invoke_InnerFilterOpensAContextScope_RecordsTheUserAndTaskTheFunctionRanWith(bool streaming)
    {
        await using var audit = new AuditFixture();
        var plugin = new LinesPlugin();
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(plugin, "Lines");
        var kernel = builder.Build();
        kernel.FunctionInvocationFilters.Add(new UserScopeFunctionFilter("dora", "task-7"));
        kernel.AddToolAuditFilter(audit.Recorder);

        if (streaming)
        {
            await foreach (var unused in kernel.InvokeStreamingAsync<string>(Lines(kernel), Arguments(count: 2)))
            {
            }
        }
        else
        {
            await kernel.InvokeAsync(Lines(kernel), Arguments(count: 2));
        }

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be("dora");
        entry.TaskId.Should().Be("task-7");
    }

    private static (Kernel Kernel, LinesPlugin Plugin) Build(AuditFixture audit, TimeProvider? clock = null)
    {
        var plugin = new LinesPlugin();
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(plugin, "Lines");
        var kernel = builder.Build();
        if (clock is not null)
        {
            // AddToolAuditFilter takes the filter the kernel has, and adds its probe.
            kernel.FunctionInvocationFilters.Add(new ToolAuditFunctionFilter(audit.Recorder, options: null, clock));
        }

        kernel.AddToolAuditFilter(audit.Recorder);
        return (kernel, plugin);
    }

    private static KernelFunction Lines(Kernel kernel) => kernel.Plugins.GetFunction("Lines", "lines");

    private static KernelArguments Arguments(int count, int failAt = -1) =>
        new() { ["path"] = "notes.txt", ["count"] = count, ["failAt"] = failAt };
}
