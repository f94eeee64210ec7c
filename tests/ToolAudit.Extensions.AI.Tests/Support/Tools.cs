namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>The tools the scripted agent asks for.</summary>
internal static class Tools
{
    public const string FailureMessage = "disk on fire";

    public static AIFunction ReadFile() =>
        AIFunctionFactory.Create((string path) => $"contents of {path}", "read_file", "Reads a file in the sandbox.");

    public static AIFunction Explode() =>
        AIFunctionFactory.Create(string (string path) => throw new InvalidOperationException(FailureMessage), "explode", "Always fails.");

    public static AIFunction DeleteFile() =>
        new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string path) => $"deleted {path}", "delete_file", "Deletes a file; needs approval."));
}
