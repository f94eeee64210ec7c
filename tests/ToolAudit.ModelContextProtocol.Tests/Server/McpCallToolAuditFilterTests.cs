using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ToolAudit.ModelContextProtocol.Tests.Support;
using ToolAudit.Tests.Shared;

namespace ToolAudit.ModelContextProtocol.Tests.Server;

public sealed class McpCallToolAuditFilterTests
{
    private static readonly string Engine = $"{McpTestHost.ClientName}/{McpTestHost.ClientVersion}";

    [Fact]
    public async Task CallTool_ToolReturns_RecordsOkWithArgumentsResultAndIds()
    {
        var seenIds = new ConcurrentQueue<string>();
        await using var host = await McpTestHost.StartAsync(
            server => server
                .WithToolAudit()
                .WithRequestFilters(filters => filters.AddCallToolFilter(next => (request, cancellationToken) =>
                {
                    // The JSON-RPC id the server really got, to compare with what was recorded.
                    seenIds.Enqueue(request.JsonRpcRequest.Id.ToString());
                    return next(request, cancellationToken);
                })),
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hello" });

        result.IsError.Should().NotBe(true);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("echo");
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("alice");
        entry.Engine.Should().Be(Engine);
        entry.SessionId.Should().NotBeNullOrEmpty();
        entry.CallId.Should().Be(seenIds.Should().ContainSingle().Subject);
        entry.Args.Should().ContainKey("text").WhoseValue.GetString().Should().Be("hello");
        entry.ResultSnippet.Should().Be("hello");
        entry.ResultChars.Should().Be(5);
        entry.Error.Should().BeNull();
        entry.DurationMs.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task CallTool_SdkTracingOn_RecordsTraceAndSpanOfServerActivity()
    {
        var serverSpans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Experimental.ModelContextProtocol",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Server && activity.DisplayName.Contains("tools/call", StringComparison.Ordinal))
                {
                    serverSpans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), McpTestHost.Principal("alice"));

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "traced" });

        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.TraceId.Should().NotBeNullOrEmpty();

        // The listener is process-wide and other tests run alongside: find this call's span by its ids.
        serverSpans.Should().ContainSingle(a => a.TraceId.ToHexString() == entry.TraceId && a.SpanId.ToHexString() == entry.SpanId)
            .Which.DisplayName.Should().Contain("echo");
    }

    [Fact]
    public async Task CallTool_ToolThrows_RecordsErrorWithRealExceptionAndClientGetsUsualResult()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("explode", new Dictionary<string, object?> { ["reason"] = "test" });

        // Behaviour unchanged: the server still answers with its own generic isError result.
        result.IsError.Should().BeTrue();
        result.Content.OfType<TextContentBlock>().Single().Text.Should().Be("An error occurred invoking 'explode'.");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("System.InvalidOperationException: disk on fire: test");
        entry.User.Should().Be("alice");
        entry.CallId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task CallTool_ToolReturnsIsError_RecordsErrorWithItsText()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("soft_fail");

        result.IsError.Should().BeTrue();
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("quota exceeded for this folder");
        entry.ResultSnippet.Should().Be("quota exceeded for this folder");
    }

    [Fact]
    public async Task CallTool_UnknownTool_RecordsErrorAndClientStillGetsProtocolError()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), McpTestHost.Principal("alice"));

        var call = async () => await host.Client.CallToolAsync("no_such_tool", new Dictionary<string, object?> { ["x"] = 1 });

        await call.Should().ThrowAsync<McpProtocolException>().WithMessage("*Unknown tool*");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("no_such_tool");
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Contain("McpProtocolException").And.Contain("Unknown tool: 'no_such_tool'");
        entry.Args.Should().ContainKey("x");
    }

    [Fact]
    public async Task CallTool_AuthorizationFilterRefuses_RecordsDeniedAndToolNeverRuns()
    {
        // The authorization filter is added before WithToolAudit: the audit still goes around it.
        await using var host = await McpTestHost.StartAsync(
            server => server
                .WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Throwing))
                .WithToolAudit(),
            user: McpTestHost.Principal("bob"));

        var call = async () => await host.Client.CallToolAsync("admin_reset");

        await call.Should().ThrowAsync<McpProtocolException>().WithMessage("*Access forbidden*");
        host.Tools.AdminRuns.Should().Be(0);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("admin_reset");
        entry.Status.Should().Be(AuditStatus.Denied);
        entry.Error.Should().Be(AdminOnlyFilter.ForbiddenMessage);
        entry.User.Should().Be("bob");
        entry.Engine.Should().Be(Engine);
        entry.SessionId.Should().NotBeNullOrEmpty();
        entry.CallId.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallTool_HostFilterOpensAContextScope_RecordsTheUserAndTaskTheToolRanWith(bool filterBeforeAudit)
    {
        static McpRequestHandler<CallToolRequestParams, CallToolResult> Scoped(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
            async (request, cancellationToken) =>
            {
                using (ToolAuditContext.Begin(user: "dora", taskId: "task-7"))
                {
                    return await next(request, cancellationToken);
                }
            };

        await using var host = await McpTestHost.StartAsync(server =>
        {
            if (filterBeforeAudit)
            {
                server.WithRequestFilters(filters => filters.AddCallToolFilter(Scoped)).WithToolAudit();
            }
            else
            {
                server.WithToolAudit().WithRequestFilters(filters => filters.AddCallToolFilter(Scoped));
            }
        });

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });

        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("dora");
        entry.TaskId.Should().Be("task-7");
    }

    [Fact]
    public async Task CallTool_AuthorizationFilterAllows_RecordsOk()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server
                .WithToolAudit()
                .WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Throwing)),
            user: McpTestHost.Principal("carol", "admin"));

        await host.Client.CallToolAsync("admin_reset");

        host.Tools.AdminRuns.Should().Be(1);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("carol");
    }

    [Fact]
    public async Task CallTool_PolicyFilterAnswersIsErrorWithoutTool_RecordsDenied()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server
                .WithToolAudit()
                .WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Answering)),
            user: McpTestHost.Principal("bob"));

        var result = await host.Client.CallToolAsync("admin_reset");

        result.IsError.Should().BeTrue();
        host.Tools.AdminRuns.Should().Be(0);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Denied);
        entry.Error.Should().Be("policy: admins only");
    }

    [Fact]
    public async Task CallTool_MixedConcurrentCalls_RecordsExactlyOneEntryPerCallWithIdsOnEach()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server
                .WithRequestFilters(filters => filters.AddCallToolFilter(AdminOnlyFilter.Throwing))
                .WithToolAudit(),
            user: McpTestHost.Principal("dave"));
        var calls = new List<(string Tool, AuditStatus Expected)>();
        for (var i = 0; i < 10; i++)
        {
            calls.Add(("echo", AuditStatus.Ok));
            calls.Add(("explode", AuditStatus.Error));
            calls.Add(("soft_fail", AuditStatus.Error));
            calls.Add(("no_such_tool", AuditStatus.Error));
            calls.Add(("admin_reset", AuditStatus.Denied));
        }

        await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await host.Client.CallToolAsync(call.Tool, new Dictionary<string, object?> { ["text"] = "t", ["reason"] = "r" });
            }
            catch (McpProtocolException)
            {
                // Unknown tool and refused calls come back as protocol errors; the trail is what is checked here.
            }
        }));

        var entries = await host.EntriesAsync();
        entries.Should().HaveCount(calls.Count);
        entries.Select(e => e.CallId).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        entries.Should().OnlyContain(e => e.User == "dave" && e.Engine == Engine && !string.IsNullOrEmpty(e.SessionId));
        entries.Select(e => e.SessionId).Distinct().Should().ContainSingle("all calls share one connection");
        entries.GroupBy(e => (e.Tool, e.Status)).Select(g => (g.Key.Tool, g.Key.Status, Count: g.Count()))
            .Should().BeEquivalentTo(calls.GroupBy(c => c).Select(g => (g.Key.Tool, Status: g.Key.Expected, Count: g.Count())));
    }

    [Fact]
    public async Task CallTool_UserResolverSet_RecordsResolvedUser()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server.WithToolAudit(options => options.UserResolver = request => $"tenant-7:{request.User?.Identity?.Name}"),
            user: McpTestHost.Principal("erin"));

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });

        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be("tenant-7:erin");
    }

    [Fact]
    public async Task CallTool_NoPrincipalNoResolver_RecordsUnknownUser()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), user: null);

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });

        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(McpToolAuditOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task CallTool_CustomUnknownUser_RecordsIt()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(options => options.UnknownUser = "anonymous"), user: null);

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });

        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be("anonymous");
    }

    [Fact]
    public async Task CallTool_ResolverGivesANameWithALoneSurrogate_RecordsUnknownUserAndTheCallSucceeds()
    {
        var malformed = "eve" + (char)0xD800;
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(options => options.UserResolver = _ => malformed), user: null);

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });

        result.IsError.Should().NotBe(true);
        (await host.EntriesAsync()).Should().ContainSingle().Which.User.Should().Be(McpToolAuditOptions.DefaultUnknownUser);
    }

    [Fact]
    public async Task CallTool_ResolverThrows_TheClientGetsTheToolsResultAndTheCallIsRecordedWithThePrincipal()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server.WithToolAudit(options => options.UserResolver = _ => throw new KeyNotFoundException("no tenant")),
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "still here" });

        result.IsError.Should().NotBe(true);
        result.Content.OfType<TextContentBlock>().Should().ContainSingle().Which.Text.Should().Be("still here");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be("alice");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task CallTool_LoggerThrowsWhileTheResolverFails_TheClientGetsTheToolsResultAndTheCallIsRecorded()
    {
        var logging = new ThrowingLoggerProvider();
        await using var host = await McpTestHost.StartAsync(
            server =>
            {
                server.Services.AddLogging(b => b.AddProvider(logging));
                server.WithToolAudit(options => options.UserResolver = _ => throw new KeyNotFoundException("no tenant"));
            },
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "still here" })
            .AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        result.IsError.Should().NotBe(true);
        result.Content.OfType<TextContentBlock>().Should().ContainSingle().Which.Text.Should().Be("still here");
        logging.Attempts.Should().BePositive("the resolver's failure was logged, and the logger threw");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.User.Should().Be("alice");
        entry.Status.Should().Be(AuditStatus.Ok);
    }

    [Fact]
    public async Task CallTool_ResolverThrowsForAToolThatThrows_TheClientGetsTheUsualErrorResult()
    {
        await using var host = await McpTestHost.StartAsync(
            server => server.WithToolAudit(options => options.UserResolver = _ => throw new KeyNotFoundException("no tenant")),
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("explode", new Dictionary<string, object?> { ["reason"] = "x" });

        result.IsError.Should().BeTrue();
        result.Content.OfType<TextContentBlock>().Should().ContainSingle().Which.Text.Should().Be("An error occurred invoking 'explode'.");
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().Be("System.InvalidOperationException: disk on fire: x");
    }

    [Fact]
    public async Task CallTool_RecorderThrows_TheClientGetsTheToolsResult()
    {
        var recorder = new ThrowingRecorder();
        await using var host = await McpTestHost.StartAsync(
            server =>
            {
                // A host's own recorder, registered after the test host's.
                server.Services.AddSingleton<IAuditRecorder>(recorder);
                server.WithToolAudit();
            },
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "still here" });

        result.IsError.Should().NotBe(true);
        result.Content.OfType<TextContentBlock>().Should().ContainSingle().Which.Text.Should().Be("still here");
        recorder.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task CallTool_RecorderThrowsForAToolThatThrows_TheClientGetsTheUsualErrorResult()
    {
        var recorder = new ThrowingRecorder();
        await using var host = await McpTestHost.StartAsync(
            server =>
            {
                server.Services.AddSingleton<IAuditRecorder>(recorder);
                server.WithToolAudit();
            },
            user: McpTestHost.Principal("alice"));

        var result = await host.Client.CallToolAsync("explode", new Dictionary<string, object?> { ["reason"] = "x" });

        result.IsError.Should().BeTrue();
        result.Content.OfType<TextContentBlock>().Should().ContainSingle().Which.Text.Should().Be("An error occurred invoking 'explode'.");
        recorder.Attempts.Should().Be(1);
    }
}
