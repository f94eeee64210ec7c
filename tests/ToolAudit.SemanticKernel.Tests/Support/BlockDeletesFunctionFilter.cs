using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>
/// A policy written as an ordinary function filter: it never calls <c>next</c> for <c>delete</c>, and either answers
/// for it (sets <see cref="FunctionInvocationContext.Result"/>) or, with no answer, just returns.
/// </summary>
public sealed class BlockDeletesFunctionFilter(string? answer) : IFunctionInvocationFilter
{
    public const string Answer = "Blocked: deleting is not allowed here.";

    public Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        if (context.Function.Name != "delete")
        {
            return next(context);
        }

        if (answer is not null)
        {
            context.Result = new FunctionResult(context.Function, answer);
        }

        return Task.CompletedTask;
    }
}
