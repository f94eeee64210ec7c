using ToolAudit;
using ToolAudit.Extensions.AI.Functions;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Audits one function wherever it runs: <c>var audited = tool.WithToolAudit(recorder);</c>.
/// </summary>
public static class ToolAuditAIFunctionExtensions
{
    /// <summary>
    /// Wraps <paramref name="tool"/> so every invocation is recorded: <c>ok</c> with its result, or <c>error</c> with the
    /// exception's type and message (the exception is rethrown untouched) or, for a result that reports failure (an MCP
    /// tool's <c>{"isError": true}</c>, returned unchanged), its first text. For hosts that invoke functions without a
    /// <see cref="FunctionInvokingChatClient"/>.
    /// </summary>
    /// <param name="tool">The function.</param>
    /// <param name="recorder">The recorder.</param>
    /// <returns>A function with the same name, description and schema; <paramref name="tool"/> itself when it is already audited by <paramref name="recorder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tool"/> or <paramref name="recorder"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// The user is the ambient <see cref="ToolAuditContext"/> user, else <c>"unknown"</c>; engine, model and session come
    /// from the ambient context. When a <see cref="FunctionInvokingChatClient"/> invokes the function, the call id,
    /// model and session come from its <see cref="FunctionInvokingChatClient.CurrentContext"/>; and when that invoking
    /// client is audited by <c>UseToolAudit()</c> to the same recorder, the function records nothing itself, so each call
    /// has one entry (audited to another recorder, it records the call there too). The
    /// session is the context's <see cref="ChatOptions.ConversationId"/>: when only the service starts the conversation,
    /// the first round's calls have none there (the invoking client sets it for the next rounds), so they fall back to
    /// the ambient session; <c>UseToolAudit()</c> gives them the id when streaming.
    /// </para>
    /// <para>
    /// Wrap before marking for approval (<c>new ApprovalRequiredAIFunction(tool.WithToolAudit(recorder))</c>) or after:
    /// both work. The entry has <c>confirmed = true</c> when a <see cref="FunctionInvokingChatClient"/> runs the function
    /// and the function is, or wraps, an <see cref="ApprovalRequiredAIFunction"/>: the function never sees the approval
    /// response, but that client runs such a function only after a <see cref="ToolApprovalResponseContent"/> approved
    /// the call. Invoked any other way (directly, or a function that asks for no approval), it has
    /// <c>confirmed = false</c>. A rejected call never runs, so it leaves no entry here; <c>UseToolAudit()</c> records
    /// it as <c>denied</c>.
    /// </para>
    /// <para>
    /// Thread-safe. A recorder that refuses the call (it was shut down) loses the entry; the function's caller never
    /// sees that failure.
    /// </para>
    /// </remarks>
    public static AIFunction WithToolAudit(this AIFunction tool, IAuditRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(recorder);

        if (tool.GetService(typeof(AuditedAIFunction)) is AuditedAIFunction audited && ReferenceEquals(audited.Recorder, recorder))
        {
            return tool;
        }

        return new AuditedAIFunction(tool, recorder);
    }
}
