namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>Sends a request streaming or not, and reads approval requests out of a response.</summary>
internal static class Chat
{
    public static async Task<ChatResponse> SendAsync(IChatClient client, IList<ChatMessage> history, ChatOptions? options, bool streaming)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(history, options);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(history, options))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    /// <summary>Sends a request and appends the response to <paramref name="history"/>, the way a host keeps its chat.</summary>
    public static async Task<ChatResponse> TurnAsync(IChatClient client, List<ChatMessage> history, ChatOptions? options, bool streaming)
    {
        var response = await SendAsync(client, history, options, streaming);
        history.AddRange(response.Messages);
        return response;
    }

    public static ToolApprovalRequestContent ApprovalRequest(ChatResponse response, string callId) =>
        response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single(r => r.ToolCall.CallId == callId);

    public static ChatMessage Answer(ToolApprovalRequestContent request, bool approved, string? reason = null) =>
        new(ChatRole.User, [request.CreateResponse(approved, reason)]);
}
