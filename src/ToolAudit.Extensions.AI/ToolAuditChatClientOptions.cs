using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI;

/// <summary>
/// Options of <see cref="ToolAuditChatClientBuilderExtensions.UseToolAudit"/>: who the user is, the placeholder when
/// nobody is known, the clock for durations, and whether to trust an invoking client that overrides
/// <c>InvokeFunctionAsync</c>.
/// </summary>
/// <remarks>
/// The options are read once, when <c>UseToolAudit</c> is called; changing them afterwards changes nothing. Validated
/// there too: a bad value fails with an <see cref="ArgumentException"/> that names it.
/// </remarks>
public sealed class ToolAuditChatClientOptions
{
    /// <summary>The default <see cref="UnknownUser"/>: <c>"unknown"</c>.</summary>
    public const string DefaultUnknownUser = "unknown";

    /// <summary>
    /// Supplies the user of a call when no <see cref="ToolAuditContext"/> scope names one, for example from
    /// <c>IHttpContextAccessor</c>. Return <see langword="null"/> or empty to fall back to <see cref="UnknownUser"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: only the ambient <see cref="ToolAuditContext"/> user is used.</value>
    /// <remarks>
    /// The user of an entry is, in order: the user of the ambient <see cref="ToolAuditContext"/> scope
    /// (<c>ToolAuditContext.Begin(user: ...)</c>), then this resolver's answer, then <see cref="UnknownUser"/>.
    /// It is called on the thread that runs the tool (or, for a denied call or an unknown tool, that handles the
    /// request), once per call, before the tool runs; it must be thread-safe when
    /// <see cref="FunctionInvokingChatClient.AllowConcurrentInvocation"/> is on. For a denied call or an unknown tool
    /// the context carries the call, the messages and the options, and its <see cref="FunctionInvocationContext.Function"/>
    /// is the tool when the pipeline knows it. An exception it throws is logged and the call is recorded with
    /// <see cref="UnknownUser"/>.
    /// </remarks>
    public Func<FunctionInvocationContext, string?>? UserResolver { get; set; }

    /// <summary>The user recorded when neither the ambient context nor <see cref="UserResolver"/> names one.</summary>
    /// <value>The default is <see cref="DefaultUnknownUser"/> (<c>"unknown"</c>). Must be a valid user name (<see cref="ToolCall.IsValidUser"/>).</value>
    public string UnknownUser { get; set; } = DefaultUnknownUser;

    /// <summary>The clock that times each tool call (the entry's <c>duration_ms</c>).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Whether to accept a <see cref="FunctionInvokingChatClient"/> subclass that overrides <c>InvokeFunctionAsync</c>.
    /// </summary>
    /// <value>The default is <see langword="false"/>: building the pipeline fails with an <see cref="InvalidOperationException"/>.</value>
    /// <remarks>
    /// ToolAudit sees invoked calls through <see cref="FunctionInvokingChatClient.FunctionInvoker"/>, which only the base
    /// <c>InvokeFunctionAsync</c> calls. An override that does not call base (Semantic Kernel's
    /// <c>KernelFunctionInvokingChatClient</c> does not) would run tools that are never recorded. Set this to
    /// <see langword="true"/> only when your override calls base; a call that still bypasses the invoker is then
    /// logged as a warning and not recorded, rather than recorded with a guessed status.
    /// </remarks>
    public bool TrustInvokeFunctionOverride { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal void Validate()
    {
        if (!ToolCall.IsValidUser(UnknownUser))
        {
            throw new ArgumentException($"{nameof(ToolAuditChatClientOptions)}.{nameof(UnknownUser)} must be a valid user name: not null or empty, no lone surrogate.", "configure");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException($"{nameof(ToolAuditChatClientOptions)}.{nameof(TimeProvider)} must not be null.", "configure");
        }
    }

    /// <summary>A copy, so a configure callback or later changes cannot reach a built pipeline.</summary>
    internal ToolAuditChatClientOptions Snapshot() => new()
    {
        UserResolver = UserResolver,
        UnknownUser = UnknownUser,
        TimeProvider = TimeProvider,
        TrustInvokeFunctionOverride = TrustInvokeFunctionOverride,
    };
}
