using System.Reflection;
using Microsoft.Extensions.Logging;
using ToolAudit;
using ToolAudit.Diagnostics;
using ToolAudit.Extensions.AI;
using ToolAudit.Extensions.AI.ChatClient;
using ToolAudit.Extensions.AI.Diagnostics;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Audits every tool call of a chat pipeline in one line:
/// <c>client.AsBuilder().UseToolAudit().UseFunctionInvocation().UseOpenTelemetry().Build(services)</c>.
/// </summary>
public static class ToolAuditChatClientBuilderExtensions
{
    /// <summary>
    /// Records every tool call the pipeline's <see cref="FunctionInvokingChatClient"/> handles: <c>ok</c> and
    /// <c>error</c> for the calls it runs, <c>denied</c> for a rejected approval, <c>error</c> for a call to an unknown
    /// tool; with user, engine, model, session, call id, duration and trace ids.
    /// </summary>
    /// <param name="builder">The builder. Call this before <c>UseFunctionInvocation()</c>, so the audit sits outside the invoking client.</param>
    /// <param name="recorder">The recorder; when null, the <see cref="IAuditRecorder"/> of the service provider given to <c>Build</c> (<c>AddToolAudit()</c> registers one).</param>
    /// <param name="configure">Sets the options: the user resolver, the placeholder user, the clock.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException">An option set by <paramref name="configure"/> is invalid; the message names it.</exception>
    /// <remarks>
    /// <para>
    /// When the pipeline is built, this finds the <see cref="FunctionInvokingChatClient"/> below it and sets its
    /// <see cref="FunctionInvokingChatClient.FunctionInvoker"/> to one that runs the invoker already set there (or the
    /// function) and records the outcome. A tool that throws is recorded as <c>error</c> with the exception's type and
    /// message, and the exception is rethrown untouched, so the invoking client still answers the model with its usual
    /// "Error: Function failed.". A tool that returns a result reporting failure (an MCP tool's <c>{"isError": true}</c>)
    /// is recorded as <c>error</c> with the result's first text. The entry is recorded while the invoking client's
    /// <c>execute_tool</c> activity is current, so with <c>UseOpenTelemetry()</c> below the invoking client the entry
    /// carries that span's ids.
    /// </para>
    /// <para>
    /// It also wraps the pipeline, to record the calls the invoker never sees: a <see cref="ToolApprovalResponseContent"/>
    /// with <c>Approved = false</c> for an <see cref="ApprovalRequiredAIFunction"/> is recorded once, as <c>denied</c>,
    /// with the response's <see cref="ToolApprovalResponseContent.Reason"/> as the entry's error (or "Rejected by the
    /// approver."); a call to a tool the pipeline does not know is recorded as <c>error</c>. A call waiting for approval
    /// is not recorded until it is answered. Streaming and non-streaming requests, serial and concurrent invocation, each
    /// give one entry per call. One exception: without streaming, a call to an unknown tool is seen only in the response
    /// of the whole request, because the invoking client answers it without the invoker; when a later round of that
    /// request throws, there is no response and the call is not recorded. A streaming request records it as its round
    /// goes by.
    /// </para>
    /// <para>
    /// An entry has <c>confirmed = true</c> only when its tool is an <see cref="ApprovalRequiredAIFunction"/> (or wraps
    /// one) and a <see cref="ToolApprovalResponseContent"/> with <c>Approved = true</c> for this call came before it ran.
    /// The invoking client also asks approval for every other call of a response that holds such a call, flagging those
    /// requests <c>RequiresConfirmation = false</c> for the host to approve without asking anyone: such a call, like any
    /// call that never needed approval, is recorded with <c>confirmed = false</c> even though an approval answered it.
    /// </para>
    /// <para>
    /// The user is the ambient <see cref="ToolAuditContext"/> user (<c>ToolAuditContext.Begin(user: ...)</c>), else
    /// <see cref="ToolAuditChatClientOptions.UserResolver"/>'s answer, else <see cref="ToolAuditChatClientOptions.UnknownUser"/>
    /// (<c>"unknown"</c>). The engine is <see cref="ChatClientMetadata.ProviderName"/>, the model
    /// <see cref="ChatOptions.ModelId"/> or else <see cref="ChatClientMetadata.DefaultModelId"/>, the session
    /// <see cref="ChatOptions.ConversationId"/>; each falls back to the ambient context when the pipeline has none.
    /// When the request has no conversation id and the service starts one, the invoking client puts it in the options of
    /// the next rounds; the calls of the round whose response first carries it get it from the streamed updates, which
    /// go by before those calls run. A non-streaming response comes back only when the whole request ends, too late for
    /// that round's calls: they fall back to the ambient session.
    /// </para>
    /// <para>
    /// Building the pipeline throws <see cref="InvalidOperationException"/> when no recorder is given nor registered;
    /// when there is no <see cref="FunctionInvokingChatClient"/> below this call (put <c>UseToolAudit()</c> before
    /// <c>UseFunctionInvocation()</c>); when <c>UseToolAudit()</c> already audits that invoking client; and when the
    /// invoking client overrides <c>InvokeFunctionAsync</c>, which may skip <c>FunctionInvoker</c> (Semantic Kernel's
    /// does), unless <see cref="ToolAuditChatClientOptions.TrustInvokeFunctionOverride"/> is set. A call that an invoking
    /// client runs without the invoker is logged as a warning, never recorded with a guessed status.
    /// </para>
    /// <para>
    /// Recording never changes what the agent sees: a recorder that refuses a call is logged (through the
    /// <see cref="ILoggerFactory"/> of the service provider), not thrown.
    /// </para>
    /// </remarks>
    public static ChatClientBuilder UseToolAudit(
        this ChatClientBuilder builder,
        IAuditRecorder? recorder = null,
        Action<ToolAuditChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var options = new ToolAuditChatClientOptions();
        configure?.Invoke(options);
        options.Validate();
        options = options.Snapshot();

        return builder.Use((innerClient, services) => Hook(innerClient, services, recorder, options));
    }

    private static ToolAuditChatClient Hook(IChatClient innerClient, IServiceProvider services, IAuditRecorder? recorder, ToolAuditChatClientOptions options)
    {
        recorder ??= services.GetService(typeof(IAuditRecorder)) as IAuditRecorder
            ?? throw new InvalidOperationException(
                "UseToolAudit() has no recorder: pass one (UseToolAudit(recorder)) or register one in the service provider given to Build() (services.AddToolAudit()).");

        var invokingClient = innerClient.GetService<FunctionInvokingChatClient>()
            ?? throw new InvalidOperationException(
                "UseToolAudit() found no FunctionInvokingChatClient below it, so it could not see any tool call. Put it before "
                + "UseFunctionInvocation(): client.AsBuilder().UseToolAudit().UseFunctionInvocation().Build(). To audit functions "
                + "you invoke yourself, wrap them with tool.WithToolAudit(recorder).");

        var invokingType = invokingClient.GetType();
        if (invokingClient.FunctionInvoker?.Target is AuditingFunctionInvoker)
        {
            throw new InvalidOperationException(
                $"UseToolAudit() is applied twice to the same {invokingType.Name}; every call would be recorded twice. Keep one UseToolAudit() per invoking client.");
        }

        // Guarded: a logging provider that throws must not fail a tool call, nor change how it is recorded.
        var logger = GuardedLogger.Guard((services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger("ToolAudit.Extensions.AI"));
        if (OverridesInvokeFunction(invokingType))
        {
            if (!options.TrustInvokeFunctionOverride)
            {
                throw new InvalidOperationException(
                    $"{invokingType.FullName} overrides FunctionInvokingChatClient.InvokeFunctionAsync, which may never call FunctionInvoker "
                    + "(Semantic Kernel's KernelFunctionInvokingChatClient does not), so ToolAudit could miss or mislabel its tool calls. "
                    + "Use that framework's own hook (for Semantic Kernel, a function invocation filter), or set "
                    + "ToolAuditChatClientOptions.TrustInvokeFunctionOverride if your override calls base.InvokeFunctionAsync.");
            }

            Log.TrustingOverride(logger, invokingType.FullName ?? invokingType.Name);
        }

        var pipeline = new ToolAuditPipeline(recorder, options, invokingClient, innerClient.GetService<ChatClientMetadata>(), logger);

        // Chain, never clobber: the invoker set by UseFunctionInvocation(configure: ...) still runs, inside the audit.
        invokingClient.FunctionInvoker = new AuditingFunctionInvoker(pipeline, invokingClient.FunctionInvoker).InvokeAsync;
        return new ToolAuditChatClient(innerClient, pipeline);
    }

    private static bool OverridesInvokeFunction(Type invokingType)
    {
        if (invokingType == typeof(FunctionInvokingChatClient))
        {
            return false;
        }

        var method = invokingType.GetMethod(
            "InvokeFunctionAsync",
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
            binder: null,
            [typeof(FunctionInvocationContext), typeof(CancellationToken)],
            modifiers: null);
        return method is not null && method.DeclaringType != typeof(FunctionInvokingChatClient);
    }
}
