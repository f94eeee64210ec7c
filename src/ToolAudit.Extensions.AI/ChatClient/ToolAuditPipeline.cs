using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ToolAudit.Extensions.AI.Diagnostics;
using ToolAudit.Extensions.AI.Recording;

namespace ToolAudit.Extensions.AI.ChatClient;

/// <summary>
/// What one audited pipeline shares between its chat client wrapper and its function invoker: the recorder, the
/// options, the provider's metadata, the calls a person approved and the streamed request each call came in.
/// </summary>
/// <remarks>Thread-safe: built once per <c>Build</c>, then only read, except its two tables, which are themselves thread-safe.</remarks>
internal sealed class ToolAuditPipeline
{
    /// <summary>Recorded for a call whose model gave no tool name (the recorder needs one).</summary>
    internal const string UnnamedTool = "(unnamed)";

    /// <summary>The error text of a rejected approval that gave no reason.</summary>
    internal const string DefaultDenialReason = "Rejected by the approver.";

    // Approved calls, by the FunctionCallContent instance inside the approval response: the invoking client invokes
    // that very instance, so the invoker can tell an approved call from any other without flowing state.
    private readonly ConditionalWeakTable<FunctionCallContent, object> _approved = new();
    private static readonly object Approved = new();

    // Streamed calls, by instance, with the request they came in: the invoking client invokes that very instance, and
    // the request knows the conversation id its updates carried.
    private readonly ConditionalWeakTable<FunctionCallContent, AuditedTurn> _streamedIn = new();

    // The request without streaming whose invoking client is running in this flow: the invoker hands it the history
    // that client builds, for the calls it answers itself should a later round fail (see AuditedTurn.SawHistory).
    private readonly AsyncLocal<AuditedTurn?> _requestWithoutStreaming = new();

    public ToolAuditPipeline(
        IAuditRecorder recorder,
        ToolAuditChatClientOptions options,
        FunctionInvokingChatClient invokingClient,
        ChatClientMetadata? metadata,
        ILogger logger)
    {
        Recorder = recorder;
        Options = options;
        InvokingClient = invokingClient;
        Engine = string.IsNullOrEmpty(metadata?.ProviderName) ? null : metadata.ProviderName;
        DefaultModel = string.IsNullOrEmpty(metadata?.DefaultModelId) ? null : metadata.DefaultModelId;
        Logger = logger;
    }

    public IAuditRecorder Recorder { get; }

    public ToolAuditChatClientOptions Options { get; }

    public FunctionInvokingChatClient InvokingClient { get; }

    public string? Engine { get; }

    public string? DefaultModel { get; }

    public ILogger Logger { get; }

    public void MarkApproved(FunctionCallContent call) => _approved.AddOrUpdate(call, Approved);

    /// <summary>
    /// Whether a call the invoker runs was confirmed: an approval response in the request approved this very call, and
    /// its function is one that asks for approval (a call approved only because it came beside one is not).
    /// </summary>
    public bool IsConfirmed(FunctionInvocationContext context) =>
        _approved.TryGetValue(context.CallContent, out _) && Confirmation.IsAskedBy(context.Function);

    /// <summary>
    /// Makes <paramref name="turn"/> the request without streaming of the calling flow: the invoker, which runs in it,
    /// hands it the invoking client's history (<see cref="SawHistory"/>). Call it from the request's async method, whose
    /// end restores the flow's value.
    /// </summary>
    public void EnterRequestWithoutStreaming(AuditedTurn turn) => _requestWithoutStreaming.Value = turn;

    /// <summary>Hands the history the invoking client passed its invoker to the flow's request without streaming, if any.</summary>
    public void SawHistory(IList<ChatMessage> messages) => _requestWithoutStreaming.Value?.SawHistory(messages);

    /// <summary>Notes which streamed request a call came in, so the invoker can ask it for the conversation id.</summary>
    public void SawStreamedCall(FunctionCallContent call, AuditedTurn turn) => _streamedIn.AddOrUpdate(call, turn);

    /// <summary>
    /// The conversation id the service has given by now in the streamed request <paramref name="call"/> came in, or
    /// <see langword="null"/>. The invoking client runs a round's calls only after all of that round's updates went by,
    /// so for a first round without <see cref="ChatOptions.ConversationId"/> this is the id the round's response carries.
    /// </summary>
    public string? StreamedConversationId(FunctionCallContent call) =>
        _streamedIn.TryGetValue(call, out var turn) ? turn.LatestConversationId : null;

    /// <summary>
    /// The user of a call: the ambient scope's, else the resolver's, else the placeholder. A name that is not a valid
    /// user (<see cref="ToolCall.IsValidUser"/>: a lone surrogate) counts as none, so it never fails the tool call.
    /// </summary>
    public string ResolveUser(FunctionInvocationContext context)
    {
        var ambient = ToolAuditContext.Current.User;
        if (ToolCall.IsValidUser(ambient))
        {
            return ambient;
        }

        if (Options.UserResolver is { } resolver)
        {
            try
            {
                var resolved = resolver(context);
                if (ToolCall.IsValidUser(resolved))
                {
                    return resolved;
                }

                if (!string.IsNullOrEmpty(resolved))
                {
                    Log.UserNotValid(Logger, context.CallContent.Name);
                }
            }
#pragma warning disable CA1031 // A failing resolver must not fail the tool call; the entry says "unknown" and the log says why.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.UserResolverFailed(Logger, context.CallContent.Name, ex);
            }
        }

        return Options.UnknownUser;
    }

    /// <summary>The user of a call the invoker never sees (denied, unknown tool): same rules, with a context built for the resolver.</summary>
    public string ResolveUser(FunctionCallContent call, IList<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var ambient = ToolAuditContext.Current.User;
        if (ToolCall.IsValidUser(ambient))
        {
            return ambient;
        }

        if (Options.UserResolver is null)
        {
            return Options.UnknownUser;
        }

        var context = new FunctionInvocationContext
        {
            CallContent = call,
            Messages = messages,
            Options = options,
            IsStreaming = streaming,
        };
        if (FindTool(call.Name, options) is AIFunction function)
        {
            context.Function = function;
        }

        return ResolveUser(context);
    }

    /// <summary>Finds a tool the way the invoking client does: the request's tools first, then its additional tools.</summary>
    public AIFunctionDeclaration? FindTool(string name, ChatOptions? options) =>
        FindTool(name, options?.Tools) ?? FindTool(name, InvokingClient.AdditionalTools);

    /// <summary>Builds the call with what the pipeline knows; null values fall back to the ambient context in the recorder.</summary>
    public ToolCall NewCall(
        string user,
        FunctionCallContent call,
        ChatOptions? options,
        AuditStatus status,
        string? conversationId = null) =>
        new(user, string.IsNullOrEmpty(call.Name) ? UnnamedTool : call.Name, ArgumentView.From(call.Arguments), status)
        {
            CallId = string.IsNullOrEmpty(call.CallId) ? null : call.CallId,
            Engine = Engine,
            Model = string.IsNullOrEmpty(options?.ModelId) ? DefaultModel : options.ModelId,
            SessionId = string.IsNullOrEmpty(options?.ConversationId) ? NullIfEmpty(conversationId) : options.ConversationId,
        };

    /// <summary>Hands the call to the recorder; a recorder failure is logged, never thrown into the agent.</summary>
    public void Record(ToolCall call)
    {
        try
        {
            Recorder.Record(call);
        }
#pragma warning disable CA1031 // The audit must not change what the agent sees: a recorder that refuses the call (shut down, bad input) is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RecordFailed(Logger, call.Tool, call.CallId, ex);
        }
    }

    private static AIFunctionDeclaration? FindTool(string name, IList<AITool>? tools)
    {
        if (tools is null)
        {
            return null;
        }

        foreach (var tool in tools)
        {
            if (tool is AIFunctionDeclaration declaration && string.Equals(tool.Name, name, StringComparison.Ordinal))
            {
                return declaration;
            }
        }

        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
