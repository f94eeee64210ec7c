using System.ComponentModel;
using Microsoft.Extensions.AI;

/// <summary>
/// The agent's tools: plain methods made into tools by <see cref="AIFunctionFactory"/>. The file tools work in a
/// sandbox folder made for this run (deleted on <see cref="Dispose"/>) and refuse any path outside it.
/// </summary>
internal sealed class AgentTools : IDisposable
{
    private static readonly string[] Docs =
    [
        "ToolAudit records every tool call an agent makes.",
        "Each user's calls go to one JSONL file per day: {root}/{user}/tool_audit/{yyyy-MM-dd}.jsonl.",
        "A call that needs approval and is refused is recorded as denied, with the reason.",
        "Admins read recent calls, a day's calls and statistics.",
    ];

    public AgentTools()
    {
        Folder = Directory.CreateTempSubdirectory("agenthost-sandbox-").FullName;
        File.WriteAllText(Path.Combine(Folder, "notes.md"), "# Notes\n- the audit trail is JSONL, one file per user and day\n");
        File.WriteAllText(Path.Combine(Folder, "old.log"), "2026-01-01 nothing to see\n");

        All =
        [
            AIFunctionFactory.Create(ReadFile, "read_file", "Reads a text file from the user's sandbox."),
            AIFunctionFactory.Create(SearchDocs, "search_docs", "Searches the ToolAudit documentation."),
            AIFunctionFactory.Create(FetchUrl, "fetch_url", "Downloads a web page."),

            // These two do not run until the host approves the call (see the approval policy in Program.cs).
            new ApprovalRequiredAIFunction(AIFunctionFactory.Create(WriteFile, "write_file", "Writes a text file in the user's sandbox.")),
            new ApprovalRequiredAIFunction(AIFunctionFactory.Create(DeleteFile, "delete_file", "Deletes a file from the user's sandbox.")),
        ];
    }

    /// <summary>The sandbox folder.</summary>
    public string Folder { get; }

    /// <summary>The tools, for <see cref="ChatOptions.Tools"/>.</summary>
    public IList<AITool> All { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private string ReadFile([Description("The file's path, relative to the sandbox.")] string path) =>
        File.ReadAllText(InSandbox(path));

    private string WriteFile([Description("The file's path, relative to the sandbox.")] string path, [Description("The text to write.")] string text)
    {
        File.WriteAllText(InSandbox(path), text);
        return $"Wrote {text.Length} characters to {path}.";
    }

    private string DeleteFile([Description("The file's path, relative to the sandbox.")] string path)
    {
        File.Delete(InSandbox(path));
        return $"Deleted {path}.";
    }

    private static string SearchDocs([Description("A word or phrase to look for.")] string query)
    {
        var hits = Docs.Where(d => d.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
        return hits.Count == 0 ? "No match." : string.Join("\n", hits);
    }

    // The sample has no network, so this tool always throws. The model only gets "Error: Function failed.";
    // the audit entry gets the real exception type and message.
    private static string FetchUrl([Description("The page's address.")] string url) =>
        throw new HttpRequestException($"No network in this sample: cannot fetch {url}.");

    // Resolve the path and check it stays inside the sandbox: "../x" and "/etc/passwd" are refused.
    private string InSandbox(string path)
    {
        var full = Path.GetFullPath(Path.Combine(Folder, path));
        return full.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new UnauthorizedAccessException($"'{path}' is outside the sandbox.");
    }
}
