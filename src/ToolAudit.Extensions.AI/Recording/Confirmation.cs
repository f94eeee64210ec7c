using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI.Recording;

/// <summary>When an invoked call counts as confirmed, the same rule for <c>UseToolAudit()</c> and <c>WithToolAudit()</c>.</summary>
/// <remarks>
/// <see cref="FunctionInvokingChatClient"/> runs a function that is, or wraps, an <see cref="ApprovalRequiredAIFunction"/>
/// only after an approving <see cref="ToolApprovalResponseContent"/>. It also asks approval for every other call of a
/// response that holds one such call, but flags those requests <see cref="ToolApprovalRequestContent.RequiresConfirmation"/>
/// <see langword="false"/>, and hosts approve them without asking anyone: such a call was never confirmed, so its tool
/// decides, not the approval response.
/// </remarks>
internal static class Confirmation
{
    /// <summary>Whether <paramref name="function"/> asks for approval before it runs.</summary>
    public static bool IsAskedBy(AIFunction function) => function.GetService(typeof(ApprovalRequiredAIFunction)) is not null;
}
