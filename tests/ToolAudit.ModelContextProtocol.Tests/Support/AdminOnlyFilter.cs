using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>
/// A real call-tool filter that refuses <c>admin_reset</c> to anyone without the <c>admin</c> role, the way the
/// ASP.NET Core authorization filters of the MCP SDK do (same exception, same error code).
/// </summary>
public static class AdminOnlyFilter
{
    public const string ForbiddenMessage = "Access forbidden: This tool requires authorization.";

    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Throwing(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) =>
        {
            if (request.Params?.Name == "admin_reset" && request.User?.IsInRole("admin") != true)
            {
                throw new McpProtocolException(ForbiddenMessage, McpErrorCode.InvalidRequest);
            }

            return next(request, cancellationToken);
        };

    /// <summary>A policy that answers with an isError result instead of throwing, and never calls the tool.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Answering(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) =>
        {
            if (request.Params?.Name == "admin_reset" && request.User?.IsInRole("admin") != true)
            {
                return ValueTask.FromResult(new CallToolResult
                {
                    IsError = true,
                    Content = [new TextContentBlock { Text = "policy: admins only" }],
                });
            }

            return next(request, cancellationToken);
        };
}
