using Microsoft.Extensions.AI;
using ToolAudit.Extensions.AI.Recording;

namespace ToolAudit.Extensions.AI.ChatClient;

/// <summary>
/// The <see cref="FunctionInvokingChatClient.FunctionInvoker"/> that <c>UseToolAudit</c> installs: runs the invoker
/// that was there before (or the function itself) and records how it ended.
/// </summary>
/// <remarks>
/// Runs inside the invoking client's <c>execute_tool</c> activity, so the recorder, which captures
/// <c>Activity.Current</c> at <c>Record</c>, puts that span's trace and span ids on the entry. Thread-safe: with
/// <see cref="FunctionInvokingChatClient.AllowConcurrentInvocation"/> it runs for several calls at once.
/// </remarks>
internal sealed class AuditingFunctionInvoker
{
    /// <summary>
    /// The key of <see cref="AIFunctionArguments.Context"/> under which the invoker tells the function it runs that the call
    /// is on record already, so that a recording wrapper below it (ToolAudit.ModelContextProtocol's
    /// <c>McpClientTool.WithToolAudit</c>, which reads the same key) records nothing itself. The value is <see langword="true"/>.
    /// </summary>
    internal const string CallRecordedKey = "ToolAudit.CallRecorded";

    /// <summary>
    /// The key of <see cref="AIFunctionArguments.Context"/> beside <see cref="CallRecordedKey"/> whose value is the
    /// recorder the call is on record in: a wrapper that records to another recorder records the call there too.
    /// </summary>
    internal const string CallRecordedByKey = "ToolAudit.CallRecordedBy";

    private readonly Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? _next;

    public AuditingFunctionInvoker(ToolAuditPipeline pipeline, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next)
    {
        Pipeline = pipeline;
        _next = next;
    }

    public ToolAuditPipeline Pipeline { get; }

    public async ValueTask<object?> InvokeAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Before the tool runs: a WithToolAudit function inside, and the chat client wrapper outside, both look here
        // to know this call is on record already.
        AuditedCalls.MarkTaken(context.CallContent, Pipeline.Recorder);

        // And for ToolAudit.ModelContextProtocol's wrapped MCP tools, which cannot see AuditedCalls. A read-only context
        // (an InvokeFunctionAsync override's) is left as it is: the audit never fails a call; the wrapper records too.
        if (context.Arguments.Context is not { IsReadOnly: true })
        {
            var flags = context.Arguments.Context ??= new Dictionary<object, object?>();
            flags[CallRecordedKey] = true;
            flags[CallRecordedByKey] = Pipeline.Recorder;
        }

        // Only a request without streaming keeps the history for its failure path. A streamed request started from a
        // tool of one (an agent as a tool, on the same pipeline) still flows that request's value: its history would
        // take the place of the outer request's own.
        if (!context.IsStreaming)
        {
            Pipeline.SawHistory(context.Messages);
        }

        var user = Pipeline.ResolveUser(context);
        var confirmed = Pipeline.IsConfirmed(context);

        // A first round's options have no conversation id when only the service starts one: a streamed response has
        // shown it by now (a non-streamed one only returns it after the whole request, too late for this entry).
        var conversationId = Pipeline.StreamedConversationId(context.CallContent);
        var clock = Pipeline.Options.TimeProvider;
        var started = clock.GetTimestamp();
        object? result;
        try
        {
            result = _next is null
                ? await context.Function.InvokeAsync(context.Arguments, cancellationToken).ConfigureAwait(false)
                : await _next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The invoking client swallows this into "Error: Function failed." (or rethrows it past its error limit):
            // record the real exception, then rethrow it untouched so that behaviour stays exactly the same.
            Pipeline.Record(Pipeline.NewCall(user, context.CallContent, context.Options, AuditStatus.Error, conversationId) with
            {
                Confirmed = confirmed,
                Duration = clock.GetElapsedTime(started),
                Exception = ex,
                Error = UnreadArguments(context.CallContent, ex),
            });
            throw;
        }

        // A tool that reports failure in its result rather than by throwing (an MCP tool's {"isError": true}) failed.
        var failed = ResultText.IsToolError(result, out var error);
        Pipeline.Record(Pipeline.NewCall(user, context.CallContent, context.Options, failed ? AuditStatus.Error : AuditStatus.Ok, conversationId) with
        {
            Confirmed = confirmed,
            Duration = clock.GetElapsedTime(started),
            Result = ResultText.From(result, context.Function.JsonSerializerOptions),
            Error = error,
        });
        return result;
    }

    /// <summary>
    /// When the model's arguments could not be parsed (<see cref="FunctionCallContent.Exception"/>), the invoking
    /// client still runs the function, without them; what it throws then (a missing parameter) is not the cause. The
    /// error names both; null when the arguments were read.
    /// </summary>
    private static string? UnreadArguments(FunctionCallContent call, Exception thrown) =>
        call.Exception is { } unread
            ? $"{thrown.GetType().FullName}: {thrown.Message} (the model's arguments could not be read: {unread.GetType().FullName}: {unread.Message})"
            : null;
}
