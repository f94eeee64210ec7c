using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ToolAudit.ModelContextProtocol.Tests.Support;

namespace ToolAudit.ModelContextProtocol.Tests.Server;

/// <summary>
/// The audit filter with the SDK's real ASP.NET Core authorization filters (<c>AddAuthorizationFilters()</c> and
/// <c>[Authorize]</c> on a tool), on a real Kestrel server over Streamable HTTP, users from ASP.NET Core authentication:
/// a refusal is recorded as <c>denied</c> whichever is registered first, with the user, session and client. The SDK
/// refuses in its alternate-result pipeline, outside the ordinary call-tool filters.
/// </summary>
public sealed class AspNetCoreAuthorizationTests
{
    private const string Forbidden = "Access forbidden: This tool requires authorization.";
    private static readonly string Engine = $"{McpTestHost.ClientName}/{McpTestHost.ClientVersion}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallTool_UserWithoutTheRole_RecordsDeniedWithTheSdksMessageAndTheToolNeverRuns(bool auditFirst)
    {
        await using var host = await HttpMcpTestHost.StartAsync(auditFirst);
        await using var client = await host.ConnectAsync("bob");

        var call = async () => await client.CallToolAsync("admin_reset");

        await call.Should().ThrowAsync<McpProtocolException>().WithMessage("*Access forbidden*");
        host.Tools.AdminRuns.Should().Be(0);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("admin_reset");
        entry.Status.Should().Be(AuditStatus.Denied);
        entry.Error.Should().Be(Forbidden);
        entry.User.Should().Be("bob");
        entry.Engine.Should().Be(Engine);
        entry.SessionId.Should().NotBeNullOrEmpty().And.Be(client.SessionId, "the Mcp-Session-Id of the HTTP session");
        entry.CallId.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallTool_UserWithTheRole_RecordsOkAndTheToolRuns(bool auditFirst)
    {
        await using var host = await HttpMcpTestHost.StartAsync(auditFirst);
        await using var client = await host.ConnectAsync("carol;admin");

        var result = await client.CallToolAsync("admin_reset");

        result.IsError.Should().NotBe(true);
        host.Tools.AdminRuns.Should().Be(1);
        var entry = (await host.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Ok);
        entry.User.Should().Be("carol");
        entry.ResultSnippet.Should().Be("reset done");
        entry.SessionId.Should().Be(client.SessionId);
    }

    [Fact]
    public async Task CallTool_AnonymousOnAGuardedAndAnOpenTool_RecordsDeniedThenOkForTheUnknownUser()
    {
        await using var host = await HttpMcpTestHost.StartAsync(auditFirst: true);
        await using var client = await host.ConnectAsync(user: null);

        var denied = async () => await client.CallToolAsync("admin_reset");
        await denied.Should().ThrowAsync<McpProtocolException>();
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });

        var entries = await host.EntriesAsync();
        entries.Select(e => (e.Tool, e.Status, e.User)).Should().Equal(
            ("admin_reset", AuditStatus.Denied, "unknown"),
            ("echo", AuditStatus.Ok, "unknown"));
    }

    [Fact]
    public async Task CallTool_StatelessHttp_RecordsNoSessionIdAndStillRecordsRefusals()
    {
        await using var host = await HttpMcpTestHost.StartAsync(auditFirst: true, HttpServerSessionMode.Stateless);
        await using var client = await host.ConnectAsync("bob");

        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });
        var denied = async () => await client.CallToolAsync("admin_reset");
        await denied.Should().ThrowAsync<McpProtocolException>();

        client.SessionId.Should().BeNull("a stateless server has no Mcp-Session-Id");
        var entries = await host.EntriesAsync();
        entries.Select(e => (e.Tool, e.Status, e.User, e.SessionId)).Should().Equal(
            ("echo", AuditStatus.Ok, "bob", (string?)null),
            ("admin_reset", AuditStatus.Denied, "bob", (string?)null));
    }

    [Fact]
    public async Task CallTool_TwoUsersOnTwoSessions_EachEntryHasItsOwnUserAndSession()
    {
        await using var host = await HttpMcpTestHost.StartAsync(auditFirst: false);
        await using var bob = await host.ConnectAsync("bob");
        await using var carol = await host.ConnectAsync("carol;admin");

        await bob.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "from bob" });
        await carol.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "from carol" });

        bob.SessionId.Should().NotBe(carol.SessionId);
        var entries = await host.EntriesAsync();
        entries.Select(e => (e.User, e.SessionId, e.ResultSnippet)).Should().Equal(
            ("bob", bob.SessionId, "from bob"),
            ("carol", carol.SessionId, "from carol"));
    }
}
