using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>A host's function filter that says who calls, by opening an ambient scope around <c>next</c>.</summary>
public sealed class UserScopeFunctionFilter(string user, string taskId) : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        using (ToolAuditContext.Begin(user: user, taskId: taskId))
        {
            await next(context);
        }
    }
}
