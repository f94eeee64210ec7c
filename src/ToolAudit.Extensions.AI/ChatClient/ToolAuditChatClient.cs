using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI.ChatClient;

/// <summary>
/// The chat client <c>UseToolAudit</c> puts outside the invoking client: records the calls that never reach the
/// <c>FunctionInvoker</c> (rejected approvals, unknown tools) and tells the invoker which calls a person approved.
/// </summary>
/// <remarks>Thread-safe: each request gets its own <see cref="AuditedTurn"/>.</remarks>
internal sealed class ToolAuditChatClient : DelegatingChatClient
{
    private readonly ToolAuditPipeline _pipeline;

    public ToolAuditChatClient(IChatClient innerClient, ToolAuditPipeline pipeline)
        : base(innerClient)
    {
        _pipeline = pipeline;
    }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // Read once: the turn scans the history, and the invoking client must get the same messages.
        var history = messages as IList<ChatMessage> ?? messages.ToList();
        var turn = new AuditedTurn(_pipeline, history, options, streaming: false);
        _pipeline.EnterRequestWithoutStreaming(turn);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(history, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The calls the invoking client answered itself (unknown tools) show only in the response this request
            // will not get: take them from the history the client passed its invoker. Records, logs, never throws.
            turn.ObserveHistoryOfFailedRequest();
            throw;
        }
        finally
        {
            // A rejection the invoking client answered stays answered even if the request fails later on.
            turn.RecordSettledDenials();
        }

        foreach (var message in response.Messages)
        {
            turn.Observe(message.Contents, message, message.RawRepresentation, response.ConversationId);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        var history = messages as IList<ChatMessage> ?? messages.ToList();
        var turn = new AuditedTurn(_pipeline, history, options, streaming: true);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(history, options, cancellationToken).ConfigureAwait(false))
            {
                // Before the caller sees the update: the invoking client yields rejection results first, so the
                // denial is on record by the time they show.
                turn.RecordSettledDenials();
                turn.Observe(update.Contents, update, update.RawRepresentation, update.ConversationId);
                yield return update;
            }
        }
        finally
        {
            turn.RecordSettledDenials();
        }
    }
}
