using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using ToolAudit.ModelContextProtocol.Tests.Support;

namespace ToolAudit.ModelContextProtocol.Tests.DependencyInjection;

public sealed class ToolAuditMcpServerBuilderExtensionsTests
{
    [Fact]
    public async Task WithToolAudit_CalledTwice_RecordsEachCallOnce()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit().WithToolAudit(), McpTestHost.Principal("alice"));

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });
        await host.Client.CallToolAsync("soft_fail");

        (await host.EntriesAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task WithToolAudit_OtherRequests_RecordsNothing()
    {
        await using var host = await McpTestHost.StartAsync(server => server.WithToolAudit(), McpTestHost.Principal("alice"));

        var tools = await host.Client.ListToolsAsync();

        tools.Should().HaveCount(4);
        (await host.EntriesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task WithToolAudit_NoRecorderRegistered_ThrowsWhenServerIsBuilt()
    {
        var services = new ServiceCollection();
        services.AddMcpServer().WithTools(new TestTools()).WithToolAudit();
        await using var provider = services.BuildServiceProvider();

        var build = () => provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        build.Should().Throw<InvalidOperationException>().WithMessage("*IAuditRecorder*");
    }

    [Fact]
    public async Task WithToolAudit_EmptyUnknownUser_FailsValidationWhenServerIsBuilt()
    {
        await using var recorder = new AuditRecorder(new InMemoryAuditStore(10));
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(recorder);
        services.AddMcpServer().WithTools(new TestTools()).WithToolAudit(options => options.UnknownUser = "");
        await using var provider = services.BuildServiceProvider();

        var build = () => provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        build.Should().Throw<OptionsValidationException>().WithMessage("*UnknownUser*");
    }

    [Fact]
    public void WithToolAudit_NullBuilder_Throws()
    {
        var call = () => ((IMcpServerBuilder)null!).WithToolAudit();

        call.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }
}
