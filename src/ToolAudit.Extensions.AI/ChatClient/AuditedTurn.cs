using Microsoft.Extensions.AI;
using ToolAudit.Extensions.AI.Diagnostics;
using ToolAudit.Extensions.AI.Recording;

namespace ToolAudit.Extensions.AI.ChatClient;

/// <summary>
/// One request through the audited pipeline, seen from outside the invoking client: records the calls its
/// <c>FunctionInvoker</c> never sees, a rejected approval (<c>denied</c>) and a call to an unknown tool (<c>error</c>).
/// </summary>
/// <remarks>
/// Not thread-safe: one request's flow uses it, one message or update at a time. Every decision mirrors the rules of
/// <see cref="FunctionInvokingChatClient"/> 10.x, so each call is recorded once, by whichever side saw it:
/// <list type="bullet">
/// <item>An approval response is processed only while its <see cref="FunctionCallContent"/> is not
/// <see cref="FunctionCallContent.InformationalOnly"/> and no <see cref="FunctionResultContent"/> for its call id is in
/// the history; the invoking client then flags a rejected one <c>InformationalOnly</c> when it writes the rejection
/// result, which is when it is recorded here. Sending the same history again records nothing more.</item>
/// <item>A result for a call the invoker never took, whose tool the pipeline does not know, is the invoking client's
/// "not found" answer. A result the service sent itself (in the same message as its call, from a message with a raw
/// representation, or for a call already informational when it streamed by) is the service's, not recorded.</item>
/// </list>
/// </remarks>
internal sealed class AuditedTurn
{
    private readonly ToolAuditPipeline _pipeline;
    private readonly IList<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly bool _streaming;
    private List<(FunctionCallContent Call, string? Reason)>? _pendingDenials;
    private HashSet<string>? _deniedCallIds;
    // Calls seen and not yet answered, by call id, oldest first: a provider may repeat an id (across rounds, or leave
    // them all empty), and the invoking client answers each call in turn.
    private Dictionary<string, Queue<Sighting>>? _calls;

    // Each call and each result is taken once, however often the same instance goes by.
    private HashSet<AIContent>? _seen;

    // Without streaming: the history the invoking client last passed its invoker (its own list, which it goes on adding
    // each round's response and results to), for the calls it answers itself should a later round fail.
    private IList<ChatMessage>? _history;

    public AuditedTurn(ToolAuditPipeline pipeline, IList<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        _pipeline = pipeline;
        _messages = messages;
        _options = options;
        _streaming = streaming;
        ScanApprovals();
    }

    /// <summary>The last conversation id a response or update of this request carried, if any.</summary>
    /// <remarks>
    /// Also read by the invoker (through <see cref="ToolAuditPipeline.StreamedConversationId"/>): while it runs, the
    /// request's flow waits for the invoking client's next update, so nothing writes it then.
    /// </remarks>
    public string? LatestConversationId { get; private set; }

    /// <summary>Records the rejections the invoking client has answered by now.</summary>
    public void RecordSettledDenials()
    {
        if (_pendingDenials is not { Count: > 0 } pending)
        {
            return;
        }

        for (var i = 0; i < pending.Count; i++)
        {
            var (call, reason) = pending[i];
            if (!call.InformationalOnly)
            {
                continue;
            }

            pending.RemoveAt(i--);
            var user = _pipeline.ResolveUser(call, _messages, _options, _streaming);
            _pipeline.Record(_pipeline.NewCall(user, call, _options, AuditStatus.Denied) with
            {
                Error = string.IsNullOrWhiteSpace(reason) ? ToolAuditPipeline.DefaultDenialReason : reason,
            });
        }
    }

    /// <summary>
    /// Notes the history the invoking client passed its invoker: the request's messages, then each round's response and
    /// the results the client gave, unknown tools' among them. Thread-safe (concurrent invocations all call it).
    /// </summary>
    public void SawHistory(IList<ChatMessage> history) => Volatile.Write(ref _history, history);

    /// <summary>
    /// The request without streaming failed (a later round threw, or was cancelled): the response that would have shown
    /// the calls the invoking client answered itself will never come, so records them from the history it last passed
    /// its invoker, as <see cref="Observe"/> would have from the response. Nothing when no tool ran in the request (the
    /// invoker never saw a history), or when the service holds the conversation (the client then keeps only each round's
    /// new messages, without the calls they answer).
    /// </summary>
    public void ObserveHistoryOfFailedRequest()
    {
        var history = Volatile.Read(ref _history);
        if (history is null)
        {
            return;
        }

        // The client is done with it (it threw): copied anyway, so a list it kept changing could not break the loop.
        var messages = history.ToArray();
        var asked = new HashSet<ChatMessage>(_messages, ReferenceEqualityComparer.Instance);
        foreach (var message in messages)
        {
            if (!asked.Contains(message))
            {
                Observe(message.Contents, message, message.RawRepresentation, conversationId: null);
            }
        }
    }

    /// <summary>Looks at one response message or streamed update as it goes out to the caller.</summary>
    /// <param name="contents">Its contents.</param>
    /// <param name="container">The message or update itself.</param>
    /// <param name="rawRepresentation">Its raw representation: set by services, never by the invoking client.</param>
    /// <param name="conversationId">The conversation id the response carries, for calls whose options had none.</param>
    public void Observe(IList<AIContent> contents, object container, object? rawRepresentation, string? conversationId)
    {
        if (!string.IsNullOrEmpty(conversationId))
        {
            LatestConversationId = conversationId;
        }

        for (var i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case FunctionCallContent call when FirstSighting(call):
                    _calls ??= new Dictionary<string, Queue<Sighting>>(StringComparer.Ordinal);
                    if (!_calls.TryGetValue(call.CallId, out var pending))
                    {
                        pending = new Queue<Sighting>(1);
                        _calls[call.CallId] = pending;
                    }

                    // Streaming: the invoking client yields a call it will run before running it, and flags the calls
                    // the service already ran as informational before yielding them.
                    pending.Enqueue(new Sighting(call, container, _streaming && call.InformationalOnly));
                    if (_streaming)
                    {
                        _pipeline.SawStreamedCall(call, this);
                    }

                    break;
                case FunctionResultContent result when FirstSighting(result):
                    OnResult(result, container, rawRepresentation, conversationId);
                    break;
            }
        }
    }

    private bool FirstSighting(AIContent content) => (_seen ??= new HashSet<AIContent>(ReferenceEqualityComparer.Instance)).Add(content);

    private void ScanApprovals()
    {
        HashSet<string>? answered = null;
        foreach (var message in _messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    (answered ??= new HashSet<string>(StringComparer.Ordinal)).Add(result.CallId);
                }
            }
        }

        foreach (var message in _messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is not ToolApprovalResponseContent { ToolCall: FunctionCallContent call } response
                    || call.InformationalOnly
                    || (answered?.Contains(call.CallId) ?? false))
                {
                    continue;
                }

                if (response.Approved)
                {
                    _pipeline.MarkApproved(call);
                }
                else
                {
                    (_pendingDenials ??= new()).Add((call, response.Reason));
                    (_deniedCallIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(call.CallId);
                }
            }
        }
    }

    private void OnResult(FunctionResultContent result, object container, object? rawRepresentation, string? conversationId)
    {
        var callId = result.CallId;

        // The oldest call of that id not answered yet is the one this result answers.
        if (_calls is null || !_calls.TryGetValue(callId, out var pending) || !pending.TryDequeue(out var sighting))
        {
            return;
        }

        var call = sighting.Call;
        if (AuditedCalls.IsTaken(call) || (_deniedCallIds?.Contains(callId) ?? false))
        {
            return;
        }

        if (sighting.InformationalWhenSeen || ReferenceEquals(sighting.Container, container) || rawRepresentation is not null)
        {
            // The service ran it; this client did not.
            return;
        }

        switch (_pipeline.FindTool(call.Name, _options))
        {
            case null:
                var user = _pipeline.ResolveUser(call, _messages, _options, _streaming);
                _pipeline.Record(_pipeline.NewCall(user, call, _options, AuditStatus.Error, conversationId) with
                {
                    Error = $"Requested function \"{call.Name}\" not found.",
                });
                break;
            case AIFunction:
                // The invoking client ran a tool without our invoker: say so rather than guess how it ended.
                Log.InvokerBypassed(_pipeline.Logger, call.Name, callId, _pipeline.InvokingClient.GetType().FullName ?? nameof(FunctionInvokingChatClient));
                break;
            default:
                // A declaration-only tool is the caller's to run and to record.
                break;
        }
    }

    private readonly record struct Sighting(FunctionCallContent Call, object Container, bool InformationalWhenSeen);
}
