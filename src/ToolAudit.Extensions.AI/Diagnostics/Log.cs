using Microsoft.Extensions.Logging;

namespace ToolAudit.Extensions.AI.Diagnostics;

/// <summary>The log messages of the Microsoft.Extensions.AI integration.</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Warning, "Tool {Tool} (call {CallId}) was run by {InvokingClient} without going through its FunctionInvoker, so ToolAudit could not see how it ended and did not record it. Something replaced FunctionInvoker after the pipeline was built, or an InvokeFunctionAsync override does not call base.")]
    public static partial void InvokerBypassed(ILogger logger, string tool, string callId, string invokingClient);

    [LoggerMessage(102, LogLevel.Error, "ToolAudit could not record the call to tool {Tool} (call {CallId}); the tool's outcome is unchanged.")]
    public static partial void RecordFailed(ILogger logger, string tool, string? callId, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "The ToolAudit user resolver threw for tool {Tool}; the call is recorded with the placeholder user.")]
    public static partial void UserResolverFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(105, LogLevel.Warning, "The ToolAudit user resolver returned a name that is not a valid user (a lone surrogate) for tool {Tool}; the call is recorded with the placeholder user.")]
    public static partial void UserNotValid(ILogger logger, string tool);

    [LoggerMessage(104, LogLevel.Information, "ToolAudit hooks {InvokingClient}, which overrides InvokeFunctionAsync; TrustInvokeFunctionOverride says the override calls base.")]
    public static partial void TrustingOverride(ILogger logger, string invokingClient);
}
