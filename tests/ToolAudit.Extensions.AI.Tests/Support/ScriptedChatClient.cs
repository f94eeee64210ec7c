using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>
/// A model that answers from a script: each request, streaming or not, takes the next scripted message (tool calls or
/// a final text). Echoes the request's conversation id like a stateful service (or, for a request without one, answers
/// with <see cref="ServiceConversationId"/>), and reports its provider and default model through <see cref="ChatClientMetadata"/>.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    public const string Provider = "scripted-provider";
    public const string DefaultModel = "scripted-model-1";

    private readonly ConcurrentQueue<ChatMessage> _turns;

    public ScriptedChatClient(params ChatMessage[] turns)
    {
        _turns = new ConcurrentQueue<ChatMessage>(turns);
    }

    /// <summary>Every request's messages, in order.</summary>
    public ConcurrentQueue<IReadOnlyList<ChatMessage>> Requests { get; } = new();

    public ChatClientMetadata Metadata { get; } = new(Provider, null, DefaultModel);

    /// <summary>The conversation id the service starts when a request brings none; by default it starts none.</summary>
    public string? ServiceConversationId { get; init; }

    public static ChatMessage Calls(params FunctionCallContent[] calls) => new(ChatRole.Assistant, calls.Cast<AIContent>().ToList());

    public static ChatMessage Text(string text) => new(ChatRole.Assistant, text);

    public static FunctionCallContent Call(string callId, string tool, string path = "notes.txt") =>
        new(callId, tool, new Dictionary<string, object?> { ["path"] = path });

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = Next(messages);
        return Task.FromResult(new ChatResponse(turn)
        {
            ConversationId = options?.ConversationId ?? ServiceConversationId,
            ModelId = options?.ModelId ?? DefaultModel,
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = Next(messages);
        var messageId = Guid.NewGuid().ToString("N");
        foreach (var content in turn.Contents)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(turn.Role, [content])
            {
                MessageId = messageId,
                ResponseId = messageId,
                ConversationId = options?.ConversationId ?? ServiceConversationId,
                ModelId = options?.ModelId ?? DefaultModel,
                RawRepresentation = turn.RawRepresentation,
            };
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

    private ChatMessage Next(IEnumerable<ChatMessage> messages)
    {
        Requests.Enqueue(messages.ToList());
        return _turns.TryDequeue(out var turn)
            ? turn
            : throw new InvalidOperationException("The script has no more turns: the pipeline asked the model more often than the test expected.");
    }
}
