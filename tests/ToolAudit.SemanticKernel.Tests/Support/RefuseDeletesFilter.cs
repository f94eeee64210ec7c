using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>
/// A real approval policy in Semantic Kernel's own style: it answers for <c>delete</c> with a refusal and never lets
/// the function run.
/// </summary>
public sealed class RefuseDeletesFilter : IAutoFunctionInvocationFilter
{
    public const string Refusal = "Refused: deleting needs a person's approval.";

    public Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        if (context.Function.Name == "delete")
        {
            context.Result = new FunctionResult(context.Function, Refusal);
            return Task.CompletedTask;
        }

        return next(context);
    }
}
