namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>
/// An invoking client that, like Semantic Kernel's <c>KernelFunctionInvokingChatClient</c>, overrides
/// <c>InvokeFunctionAsync</c> and never calls <see cref="FunctionInvokingChatClient.FunctionInvoker"/>.
/// </summary>
internal sealed class IgnoringInvokingChatClient(IChatClient innerClient) : FunctionInvokingChatClient(innerClient)
{
    protected override ValueTask<object?> InvokeFunctionAsync(FunctionInvocationContext context, CancellationToken cancellationToken) =>
        context.Function.InvokeAsync(context.Arguments, cancellationToken);
}
