using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>
/// A model that follows a script: each turn returns the next scripted message (function calls, then text), so a real
/// <see cref="FunctionInvokingChatClient"/> can run real tools without a network.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<ChatMessage> _turns;

    public ScriptedChatClient(params ChatMessage[] turns) => _turns = new Queue<ChatMessage>(turns);

    /// <summary>The messages the model was sent on its last turn (tool results included).</summary>
    public IReadOnlyList<ChatMessage> LastMessages { get; private set; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        LastMessages = messages.ToList();
        var turn = _turns.Count > 0 ? _turns.Dequeue() : new ChatMessage(ChatRole.Assistant, "done");
        return Task.FromResult(new ChatResponse(turn) { ModelId = options?.ModelId });
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
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", defaultModelId: "scripted-model") : null;

    public void Dispose()
    {
    }
}
