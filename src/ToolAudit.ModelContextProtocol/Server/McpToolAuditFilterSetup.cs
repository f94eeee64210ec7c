using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ToolAudit.Diagnostics;

namespace ToolAudit.ModelContextProtocol.Server;

/// <summary>
/// Puts the audit filter around every other call-tool filter and its marker inside them, once the host has added
/// its own filters (a post-configure runs after every configure, whatever order the builder calls came in).
/// </summary>
internal sealed class McpToolAuditFilterSetup : IPostConfigureOptions<McpServerOptions>
{
    private readonly IServiceProvider _services;
    private readonly IOptions<McpToolAuditOptions> _auditOptions;

    public McpToolAuditFilterSetup(IServiceProvider services, IOptions<McpToolAuditOptions> auditOptions)
    {
        _services = services;
        _auditOptions = auditOptions;
    }

    public void PostConfigure(string? name, McpServerOptions options)
    {
        var recorder = _services.GetService<IAuditRecorder>()
            ?? throw new InvalidOperationException(
                "WithToolAudit() needs an IAuditRecorder in the service collection: call services.AddToolAudit(...) or register one.");
        // Guarded: a logging provider that throws must not fail a tool call, nor change how it is recorded.
        var logger = GuardedLogger.Guard(_services.GetService<ILoggerFactory>()?.CreateLogger("ToolAudit.ModelContextProtocol"));
        var filter = new McpCallToolAuditFilter(recorder, _auditOptions.Value, _services.GetService<TimeProvider>() ?? TimeProvider.System, logger);

        var filters = options.Filters.Request.CallToolFilters;

        // Outermost, so that a call refused by an authorization or policy filter is on record too.
        filters.Insert(0, filter.Audit);

        // Innermost, right before the tool: reaching it is what "the tool ran" means to the audit filter.
        filters.Add(filter.MarkToolReached);

#pragma warning disable MCPEXP002 // The SDK's ASP.NET Core authorization filter refuses calls in this pipeline.
        // The alternate-result filters run outside the ordinary ones, and the SDK's ASP.NET Core authorization filter
        // is one of them (inserted first by a post-configure of its own, which may run after this one). The audit's
        // guard is kept first in that list, so that a refusal there is on record too, whatever the registration order.
        var alternate = options.Filters.Request.CallToolWithAlternateFilters;
        options.Filters.Request.CallToolWithAlternateFilters = new FirstStaysFirstList<McpRequestInvocationFilter<CallToolRequestParams, ResultOrAlternate<CallToolResult>>>(filter.AuditOutside, alternate);
#pragma warning restore MCPEXP002
    }
}
