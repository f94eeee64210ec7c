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
    /// client is audited by <c>UseToolAudit()</c>, the function records nothing itself, so each call has one entry.
    /// </para>
    /// <para>
    /// Wrap before marking for approval (<c>new ApprovalRequiredAIFunction(tool.WithToolAudit(recorder))</c>) or after:
    /// both work. Thread-safe. A recorder that refuses the call (it was shut down) loses the entry; the function's
    /// caller never sees that failure.
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
