using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using ToolAudit;
using ToolAudit.ModelContextProtocol;
using ToolAudit.ModelContextProtocol.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds ToolAudit to an MCP server: <c>services.AddMcpServer().WithToolAudit()</c>.
/// </summary>
public static class ToolAuditMcpServerBuilderExtensions
{
    /// <summary>
    /// Records every <c>tools/call</c> the server handles in the <see cref="IAuditRecorder"/> registered in the
    /// service collection: tool, arguments, user, MCP session, client (as engine), JSON-RPC id (as call id), duration
    /// and how it ended.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets the options; may be null. Calls add up when the method is called more than once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// Statuses: <c>ok</c> for a result; <c>error</c> for a tool that threw (the real exception type and message are
    /// recorded, the client still gets the server's usual error result), a result with <c>isError: true</c>, and an
    /// unknown tool; <c>denied</c> for a call that a filter refused before the tool ran, by throwing an
    /// <c>McpException</c> (as the ASP.NET Core authorization filters do) or <see cref="UnauthorizedAccessException"/>,
    /// or by returning an <c>isError</c> result itself.
    /// </para>
    /// <para>
    /// The audit filter is put outside every other call-tool filter whatever order the builder calls come in, and a
    /// marker inside them, when the server's options are built. The alternate-result filters
    /// (<c>CallToolWithAlternateFilters</c>, where the SDK's ASP.NET Core authorization filter refuses calls) run outside
    /// both: a guard kept first in that list records the calls refused there. Calling this method twice adds the filter once.
    /// </para>
    /// <para>
    /// The recorder is resolved when the server's options are built; without one that fails with an
    /// <see cref="InvalidOperationException"/>.
    /// </para>
    /// </remarks>
    public static IMcpServerBuilder WithToolAudit(this IMcpServerBuilder builder, Action<McpToolAuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var options = builder.Services.AddOptions<McpToolAuditOptions>()
            .Validate(static o => ToolCall.IsValidUser(o.UnknownUser), $"{nameof(McpToolAuditOptions)}.{nameof(McpToolAuditOptions.UnknownUser)} must be a valid user name: not null or empty, no lone surrogate.");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<McpServerOptions>, McpToolAuditFilterSetup>());
        return builder;
    }
}
