using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>
/// A real MCP server (DI-built, stream transport) and a real MCP client talking over two in-process pipes, with a
/// real recorder over an in-memory store.
/// </summary>
public sealed class McpTestHost : IAsyncDisposable
{
    public const string ClientName = "test-client";
    public const string ClientVersion = "2.0.1";

    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverRun;

    private McpTestHost(ServiceProvider services, AuditRecorder recorder, InMemoryAuditStore store, TestTools tools, McpClient client, Task serverRun)
    {
        _services = services;
        Recorder = recorder;
        Store = store;
        Tools = tools;
        Client = client;
        _serverRun = serverRun;
    }

    public AuditRecorder Recorder { get; }

    public InMemoryAuditStore Store { get; }

    public TestTools Tools { get; }

    public McpClient Client { get; }

    public IServiceProvider Services => _services;

    /// <summary>
    /// The principal the server sees on each request from now on, as an authenticating transport (Streamable HTTP)
    /// would set it; null for none.
    /// </summary>
    public ClaimsPrincipal? User { get; set; }

    public static ClaimsPrincipal Principal(string name, params string[] roles)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "test"));
    }

    /// <summary>Starts a server and connects a client.</summary>
    /// <param name="configureServer">Adds to the server builder (filters, WithToolAudit) after the tools.</param>
    /// <param name="user">The first principal the server sees.</param>
    public static async Task<McpTestHost> StartAsync(Action<IMcpServerBuilder>? configureServer = null, ClaimsPrincipal? user = null)
    {
        var store = new InMemoryAuditStore(10_000);
        var recorder = new AuditRecorder(store);
        var tools = new TestTools();
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();

        McpTestHost? host = null;
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(recorder);
        var builder = services
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = "test-server", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
            .WithTools(tools)
            .WithMessageFilters(filters => filters.AddIncomingFilter(next => (context, cancellationToken) =>
            {
                // What an authenticating transport does: put the caller's principal on the message.
                context.User = host?.User;
                return next(context, cancellationToken);
            }));
        configureServer?.Invoke(builder);

        var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<McpServer>();
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);

        var client = await McpClient.CreateAsync(
            new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new Implementation { Name = ClientName, Version = ClientVersion } });

        host = new McpTestHost(provider, recorder, store, tools, client, run) { User = user };
        host._stop.Token.Register(stop.Cancel);
        return host;
    }

    /// <summary>Every entry written so far, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> EntriesAsync()
    {
        await Recorder.FlushAsync();
        return Store.Recent(int.MaxValue).Reverse().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        try
        {
            await _serverRun;
        }
        catch (OperationCanceledException)
        {
            // The server stops by cancellation when the client's disposal did not end it first.
        }

        await _services.DisposeAsync();
        await Recorder.DisposeAsync();
        _stop.Dispose();
    }
}
