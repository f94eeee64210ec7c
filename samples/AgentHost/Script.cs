using Microsoft.Extensions.AI;

/// <summary>
/// The three conversations of the sample: who asks, what they ask, and (for <see cref="ScriptedChatClient"/>) which
/// tools the scripted model calls and what it answers once the results are in. A real model gets the same prompts.
/// </summary>
internal static class Script
{
    public static IReadOnlyList<Conversation> Conversations { get; } =
    [
        // Two tools that work: both calls are recorded as ok.
        new("alice", "Read notes.md and search the docs for JSONL: where does my audit trail go?",
            [Call("read_file", ("path", "notes.md")), Call("search_docs", ("query", "JSONL"))],
            "Each user's tool calls go to one JSONL file per day, under the audit folder."),

        // Two tools that need approval: the host refuses the delete (denied) and approves the write (ok, confirmed).
        new("bob", "Delete old.log from my sandbox and write 'cleaned up' to summary.md.",
            [Call("delete_file", ("path", "old.log")), Call("write_file", ("path", "summary.md"), ("text", "cleaned up"))],
            "I wrote summary.md. Deleting old.log was refused, so it is still there."),

        // Two tools that throw: a path outside the sandbox, and a fetch without network. Both are recorded as error.
        new("carol", "Show me /etc/passwd and fetch https://example.com/status.",
            [Call("read_file", ("path", "/etc/passwd")), Call("fetch_url", ("url", "https://example.com/status"))],
            "I could not do either: /etc/passwd is outside your sandbox, and I have no network."),
    ];

    private static ToolRequest Call(string tool, params (string Name, object? Value)[] args) =>
        new(tool, args.ToDictionary(a => a.Name, a => a.Value));

    /// <summary>One user's conversation.</summary>
    public sealed record Conversation(string User, string Prompt, IReadOnlyList<ToolRequest> Calls, string Answer);

    /// <summary>A tool call the scripted model asks for.</summary>
    public sealed record ToolRequest(string Tool, Dictionary<string, object?> Args);
}
