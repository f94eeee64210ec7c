using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ToolAudit.Diagnostics;
using ToolAudit.ModelContextProtocol.Diagnostics;
using ToolAudit.ModelContextProtocol.Results;

namespace ToolAudit.ModelContextProtocol.Client;

/// <summary>
/// An <see cref="McpClientTool"/> that records each call. The tool answers a server-side failure with a result
/// that has <c>isError: true</c> instead of throwing; this wrapper reads that flag so the trail says <c>error</c>.
/// </summary>
/// <remarks>Thread-safe: calls share nothing but the recorder.</remarks>
internal sealed class AuditingMcpClientTool : DelegatingAIFunction
{
    /// <summary>
    /// The key of <see cref="AIFunctionArguments.Context"/> under which ToolAudit.Extensions.AI's auditing
    /// <c>FunctionInvoker</c> (<c>UseToolAudit()</c>) says the call it runs is on record already; the value is
    /// <see langword="true"/>. The same string there: the two packages share no code.
    /// </summary>
    internal const string CallRecordedKey = "ToolAudit.CallRecorded";

    /// <summary>The key beside <see cref="CallRecordedKey"/> whose value is the recorder the pipeline records the call in.</summary>
    internal const string CallRecordedByKey = "ToolAudit.CallRecordedBy";

    private readonly IAuditRecorder _recorder;
    private readonly Func<AIFunctionArguments, string?>? _userResolver;
    private readonly string _unknownUser;
    private readonly TimeProvider _timeProvider;

    public AuditingMcpClientTool(McpClientTool tool, IAuditRecorder recorder, McpClientToolAuditOptions options)
        : base(tool)
    {
        _recorder = recorder;
        _userResolver = options.UserResolver;
        _unknownUser = options.UnknownUser;
        _timeProvider = options.TimeProvider;
    }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // Set by FunctionInvokingChatClient around the call it is making: the model's call id, the conversation, the model.
        var invocation = FunctionInvokingChatClient.CurrentContext;
        if (invocation is not null && !ReferenceEquals(invocation.Function, this) && !string.Equals(invocation.Function.Name, Name, StringComparison.Ordinal))
        {
            // The ambient invocation is an outer one (this tool is called from inside another function).
            invocation = null;
        }

        // An audited chat pipeline (UseToolAudit) records this very call itself, from its invoker: a second entry in
        // the same recorder would count one call twice (one for another recorder is that recorder's only one). The
        // flags are read from the invocation's own arguments, not from the ones this tool got: a host's function
        // between the two may pass a copy.
        if (invocation is not null
            && invocation.Arguments.Context is { } context
            && context.TryGetValue(CallRecordedKey, out var recorded)
            && recorded is true
            && (!context.TryGetValue(CallRecordedByKey, out var recordedBy) || recordedBy is null || ReferenceEquals(recordedBy, _recorder)))
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }

        var started = _timeProvider.GetTimestamp();
        object? result;
        try
        {
            result = await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record(arguments, invocation, started, AuditStatus.Error, resultText: null, exception);
            throw;
        }

        var text = McpResultText.FromInvocationResult(result, out var isError);
        Record(arguments, invocation, started, isError ? AuditStatus.Error : AuditStatus.Ok, text, exception: null);
        return result;
    }

    private void Record(AIFunctionArguments arguments, FunctionInvocationContext? invocation, long started, AuditStatus status, string? resultText, Exception? exception)
    {
        var duration = _timeProvider.GetElapsedTime(started);

        // A resolver that throws, or a name that is not a valid user (a lone surrogate), counts as none: the call is
        // recorded, and the tool's own outcome (its result, or its exception) reaches the caller unchanged.
        string? user = null;
        try
        {
            user = _userResolver?.Invoke(arguments);
        }
#pragma warning disable CA1031 // The host's resolver must not fail a call that already ran, nor replace its exception.
        catch (Exception resolverFailure)
#pragma warning restore CA1031
        {
            Log.UserResolverFailed(Logger(arguments), Name, resolverFailure);
        }

        if (!ToolCall.IsValidUser(user))
        {
            user = ToolAuditContext.Current.User;
        }

        try
        {
            _recorder.Record(new ToolCall(ToolCall.IsValidUser(user) ? user : _unknownUser, Name, arguments, status, resultText)
            {
                CallId = invocation?.CallContent.CallId,
                SessionId = invocation?.Options?.ConversationId,
                Model = invocation?.Options?.ModelId,
                Duration = duration,
                Exception = exception,
                Error = status == AuditStatus.Error && exception is null ? resultText ?? "The tool returned isError: true." : null,
            });
        }
#pragma warning disable CA1031 // A host's own IAuditRecorder may throw: the caller gets the tool's outcome, not the audit's failure.
        catch (Exception recordFailure)
#pragma warning restore CA1031
        {
            Log.RecordFailed(Logger(arguments), Name, recordFailure);
        }
    }

    // The tool has no container of its own: log through the one the invoking client hands its functions, if any.
    // Guarded: a logging provider that throws (from CreateLogger or from Log) must not fail the call; only the
    // message is lost.
    private static ILogger Logger(AIFunctionArguments arguments)
    {
        try
        {
            return GuardedLogger.Guard((arguments.Services?.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger("ToolAudit.ModelContextProtocol"));
        }
#pragma warning disable CA1031 // As above: nothing is left to report the logger's own failure to.
        catch (Exception)
#pragma warning restore CA1031
        {
            return NullLogger.Instance;
        }
    }
}
