using System.Diagnostics;
using Microsoft.Extensions.AI;
using ToolAudit.Extensions.AI.Recording;

namespace ToolAudit.Extensions.AI.Functions;

/// <summary>
/// The function <c>WithToolAudit</c> returns: runs the inner function and records how it ended, unless an audited
/// pipeline's invoker already has this call on record.
/// </summary>
/// <remarks>Thread-safe; holds no state of its own between calls.</remarks>
internal sealed class AuditedAIFunction : DelegatingAIFunction
{
    public AuditedAIFunction(AIFunction innerFunction, IAuditRecorder recorder)
        : base(innerFunction)
    {
        Recorder = recorder;
    }

    public IAuditRecorder Recorder { get; }

    /// <summary>
    /// Also answers whether this very instance is in a chain of wrappers: asked for <see cref="AuditedAIFunction"/> with
    /// itself as the key, it returns itself (the base answers only for the outermost one, without a key).
    /// </summary>
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(AuditedAIFunction) && ReferenceEquals(serviceKey, this) ? this : base.GetService(serviceType, serviceKey);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // CurrentContext flows into everything below a tool call: use it only when it describes this very function
        // (the invoked function is this one, or wraps it), not an outer tool that happens to call this one.
        var context = FunctionInvokingChatClient.CurrentContext;
        if (context is not null && !ReferenceEquals(context.Function.GetService(typeof(AuditedAIFunction), this), this))
        {
            context = null;
        }

        if (context is not null && AuditedCalls.IsTakenBy(context.CallContent, Recorder))
        {
            // An audited pipeline records this call in the same recorder: one entry per call.
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }

        var ambientUser = ToolAuditContext.Current.User;
        var user = ToolCall.IsValidUser(ambientUser) ? ambientUser : ToolAuditChatClientOptions.DefaultUnknownUser;
        var started = Stopwatch.GetTimestamp();
        object? result;
        try
        {
            result = await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Record(NewCall(user, arguments, context, AuditStatus.Error) with
            {
                Duration = Stopwatch.GetElapsedTime(started),
                Exception = ex,
            });
            throw;
        }

        // As in an audited pipeline: a result that reports failure (an MCP tool's {"isError": true}) is an error.
        var failed = ResultText.IsToolError(result, out var error);
        Record(NewCall(user, arguments, context, failed ? AuditStatus.Error : AuditStatus.Ok) with
        {
            Duration = Stopwatch.GetElapsedTime(started),
            Result = ResultText.From(result, JsonSerializerOptions),
            Error = error,
        });
        return result;
    }

    private ToolCall NewCall(string user, AIFunctionArguments arguments, FunctionInvocationContext? context, AuditStatus status) =>
        new(user, string.IsNullOrEmpty(Name) ? ChatClient.ToolAuditPipeline.UnnamedTool : Name, arguments, status)
        {
            CallId = string.IsNullOrEmpty(context?.CallContent.CallId) ? null : context.CallContent.CallId,
            Model = string.IsNullOrEmpty(context?.Options?.ModelId) ? null : context.Options.ModelId,
            // Null in a first round whose conversation only the service started: the invoking client sets it for
            // the next rounds, and nothing here sees the response that carries it (the ambient session stands in).
            SessionId = string.IsNullOrEmpty(context?.Options?.ConversationId) ? null : context.Options.ConversationId,

            // The invoking client runs a function that asks for approval only after an approving response; that
            // response is gone from the context by now, so the function's own demand is what tells.
            Confirmed = context is not null && Confirmation.IsAskedBy(context.Function),
        };

    private void Record(ToolCall call)
    {
        try
        {
            Recorder.Record(call);
        }
#pragma warning disable CA1031 // The audit must not change what the function's caller sees (the recorder may be shut down).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
