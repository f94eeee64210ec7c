using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>
/// A real ASP.NET Core MCP server (Kestrel on a loopback port, Streamable HTTP, ASP.NET Core authentication and the
/// SDK's authorization filters) with a real recorder over an in-memory store; clients connect over real HTTP.
/// </summary>
public sealed class HttpMcpTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpMcpTestHost(WebApplication app, AuditRecorder recorder, InMemoryAuditStore store, SecuredTools tools, Uri endpoint)
    {
        _app = app;
        Recorder = recorder;
        Store = store;
        Tools = tools;
        Endpoint = endpoint;
    }

    public AuditRecorder Recorder { get; }

    public InMemoryAuditStore Store { get; }

    public SecuredTools Tools { get; }

    public Uri Endpoint { get; }

    /// <summary>Starts the server.</summary>
    /// <param name="auditFirst">
    /// Whether <c>WithToolAudit()</c> is called first, before <c>WithHttpTransport()</c> and <c>AddAuthorizationFilters()</c>
    /// (else last): the SDK's authorization setups then run after the audit's.
    /// </param>
    /// <param name="sessionMode">The Streamable HTTP session mode (the SDK's default is stateless: no session ids).</param>
    public static async Task<HttpMcpTestHost> StartAsync(bool auditFirst, HttpServerSessionMode sessionMode = HttpServerSessionMode.Stateful)
    {
        var store = new InMemoryAuditStore(10_000);
        var recorder = new AuditRecorder(store);
        var tools = new SecuredTools();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IAuditRecorder>(recorder);
        builder.Services
            .AddAuthentication(HeaderAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        var mcp = builder.Services.AddMcpServer(options => options.ServerInfo = new Implementation { Name = "http-test-server", Version = "1.0.0" });
        if (auditFirst)
        {
            mcp.WithToolAudit();
        }

        mcp.WithHttpTransport(options => options.SessionMode = sessionMode).WithTools(tools).AddAuthorizationFilters();
        if (!auditFirst)
        {
            mcp.WithToolAudit();
        }

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMcp("/mcp");
        await app.StartAsync();

        var address = app.Urls.Single();
        return new HttpMcpTestHost(app, recorder, store, tools, new Uri($"{address}/mcp"));
    }

    /// <summary>Connects a client over Streamable HTTP as <paramref name="user"/> (<c>name</c> or <c>name;role,role</c>; null: anonymous).</summary>
    public Task<McpClient> ConnectAsync(string? user)
    {
        var headers = new Dictionary<string, string>();
        if (user is not null)
        {
            headers[HeaderAuthenticationHandler.Header] = user;
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
        });
        return McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = McpTestHost.ClientName, Version = McpTestHost.ClientVersion },
        });
    }

    /// <summary>Every entry written so far, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> EntriesAsync()
    {
        await Recorder.FlushAsync();
        return Store.Recent(int.MaxValue).Reverse().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Recorder.DisposeAsync();
    }
}
