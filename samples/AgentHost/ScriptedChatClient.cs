using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

/// <summary>
/// A stand-in for a real model, so the sample runs without a network. It finds the user's prompt in the
/// <see cref="Script"/>: while the conversation ends with the user's message it asks for the script's tool calls; once
/// the tool results are in, it answers with the script's text.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private int _callsAsked;

    /// <summary>How many tool calls the script has asked for so far.</summary>
    public int CallsAsked => _callsAsked;

    // UseToolAudit() records the provider as the entry's engine and the default model as its model.
    public ChatClientMetadata Metadata { get; } = new("scripted", defaultModelId: "scripted-model-1");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        var prompt = history.First(m => m.Role == ChatRole.User).Text;
        var conversation = Script.Conversations.Single(c => c.Prompt == prompt);

        var reply = history[^1].Role == ChatRole.Tool
            ? new ChatMessage(ChatRole.Assistant, conversation.Answer)
            : new ChatMessage(ChatRole.Assistant, conversation.Calls.Select(AskFor).ToList());
        return Task.FromResult(new ChatResponse(reply) { ModelId = Metadata.DefaultModelId });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    // Every call gets its own id, as a real model's do: the audit entry keeps it as call_id.
    private AIContent AskFor(Script.ToolRequest call) =>
        new FunctionCallContent($"call-{Interlocked.Increment(ref _callsAsked)}", call.Tool, call.Args);
}
