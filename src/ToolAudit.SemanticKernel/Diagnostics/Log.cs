using Microsoft.Extensions.Logging;

namespace ToolAudit.SemanticKernel.Diagnostics;

/// <summary>The Semantic Kernel integration's log events (201 and up).</summary>
internal static partial class Log
{
    [LoggerMessage(201, LogLevel.Warning, "The ToolAudit user resolver threw for function {Function}; the call is recorded with the ambient or placeholder user, and the function's outcome is unchanged.")]
    public static partial void UserResolverFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(202, LogLevel.Error, "ToolAudit could not record the call to function {Function}; the function's outcome is unchanged.")]
    public static partial void RecordFailed(ILogger logger, string function, Exception exception);
}
