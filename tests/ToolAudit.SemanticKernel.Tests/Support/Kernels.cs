using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;

namespace ToolAudit.SemanticKernel.Tests.Support;

public static class Kernels
{
    /// <summary>A kernel with the Files plugin and, when given, the scripted model behind SK's function-invoking client.</summary>
    public static Kernel Build(FilesPlugin files, IChatClient? model = null)
    {
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(files, "Files");
        if (model is not null)
        {
            builder.Services.AddSingleton(new ChatClientBuilder(model).UseKernelFunctionInvocation().Build());
        }

        return builder.Build();
    }

    /// <summary>Settings that let the model call any kernel function, invoked by the kernel.</summary>
    public static KernelArguments AutoInvoke(string? modelId = null) =>
        new(new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), ModelId = modelId });

    /// <summary>A call the scripted model makes to Files.<paramref name="function"/>, by the name the model sees.</summary>
    public static FunctionCallContent Call(string callId, string function, string path) =>
        new(callId, $"Files_{function}", new Dictionary<string, object?> { ["path"] = path });
}
