using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>An auto-function filter that fails before the function runs (its policy store is down).</summary>
public sealed class ThrowingAutoFilter : IAutoFunctionInvocationFilter
{
    public const string Message = "policy store unreachable";

    public Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next) =>
        throw new InvalidOperationException(Message);
}
