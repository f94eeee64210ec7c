using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>A filter that lets the function run and then replaces its result (a redaction step, say).</summary>
public sealed class RewriteResultFunctionFilter : IFunctionInvocationFilter
{
    public const string Rewritten = "[rewritten]";

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        await next(context);
        context.Result = new FunctionResult(context.Function, Rewritten);
    }
}
