using Microsoft.Extensions.Logging;

namespace ToolAudit.ModelContextProtocol.Diagnostics;

/// <summary>The MCP integration's log events (301 and up).</summary>
internal static partial class Log
{
    [LoggerMessage(301, LogLevel.Warning, "The ToolAudit user resolver threw for tool {Tool}; the call is recorded with the next user source, and the tool's outcome is unchanged.")]
    public static partial void UserResolverFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(302, LogLevel.Error, "ToolAudit could not record the call to tool {Tool}; the tool's outcome is unchanged.")]
    public static partial void RecordFailed(ILogger logger, string tool, Exception exception);
}
