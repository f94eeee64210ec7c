using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>
/// A model that follows a script: each turn returns the next scripted message (function calls, then text), so the
/// kernel's real function-invoking client runs real functions without a network.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    public const string ModelId = "scripted-model";

    private readonly Queue<ChatMessage> _turns;

    public ScriptedChatClient(params ChatMessage[] turns) => _turns = new Queue<ChatMessage>(turns);

    /// <summary>The function results the model was sent, by call id.</summary>
    public Dictionary<string, object?> Results { get; } = new();

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        foreach (var result in messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
        {
            Results[result.CallId] = result.Result;
        }

        var turn = _turns.Count > 0 ? _turns.Dequeue() : new ChatMessage(ChatRole.Assistant, "done");
        return Task.FromResult(new ChatResponse(turn) { ModelId = ModelId });
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
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", defaultModelId: ModelId) : null;

    public void Dispose()
    {
    }

    /// <summary>An assistant turn that asks for the given calls.</summary>
    public static ChatMessage Calls(params FunctionCallContent[] calls) => new(ChatRole.Assistant, [.. calls]);
}
