using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ToolAudit.ModelContextProtocol.Diagnostics;
using ToolAudit.ModelContextProtocol.Results;

namespace ToolAudit.ModelContextProtocol.Server;

/// <summary>
/// The call-tool filters behind <c>WithToolAudit()</c>: <see cref="Audit"/>, outermost of the ordinary call-tool
/// filters, records one entry per <c>tools/call</c>; <see cref="MarkToolReached"/>, innermost, tells it that the call
/// got past every other filter, which is how a refusal (nothing ran) is told apart from a failure (the tool ran, or was
/// looked up, and failed); <see cref="AuditOutside"/>, outermost of the alternate-result filters (which run outside
/// the ordinary ones; the ASP.NET Core authorization filters of the SDK sit there), records the calls refused out there,
/// before <see cref="Audit"/> is reached.
/// </summary>
/// <remarks>One instance per built <see cref="McpServerOptions"/>; thread-safe (no per-call state of its own).</remarks>
internal sealed class McpCallToolAuditFilter
{
    /// <summary>The tool name recorded for a request that names none.</summary>
    internal const string MissingToolName = "(missing)";

    private const string StateKey = "ToolAudit.ModelContextProtocol.CallToolAuditState";

    private readonly IAuditRecorder _recorder;
    private readonly McpToolAuditOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // Streams and stdio have no transport session id; one id per single-session server keeps a connection's calls together.
    private readonly ConditionalWeakTable<McpServer, string> _singleSessionIds = new();

    public McpCallToolAuditFilter(IAuditRecorder recorder, McpToolAuditOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _recorder = recorder;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public McpRequestHandler<CallToolRequestParams, CallToolResult> Audit(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            // AuditOutside put the call's state there first, when the server composes the two filter families.
            if (!request.Items.TryGetValue(StateKey, out var value) || value is not CallState state)
            {
                state = new CallState();
                request.Items[StateKey] = state;
            }

            state.Audited = true;
            var started = _timeProvider.GetTimestamp();
            CallToolResult result;
            try
            {
                result = await next(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Recorded with the real exception; the server still turns it into its usual error response.
                Record(request, state.ToolReached, started, result: null, exception);
                throw;
            }

            Record(request, state.ToolReached, started, result, exception: null);
            return result;
        };

    public McpRequestHandler<CallToolRequestParams, CallToolResult> MarkToolReached(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) =>
        {
            if (request.Items.TryGetValue(StateKey, out var value) && value is CallState state)
            {
                state.ToolReached = true;

                // The ambient context as the tool sees it: a scope a host's call-tool filter opened inside the audit
                // (ToolAuditContext.Begin(user: ...)) is gone again by the time the audit records.
                state.ToolContext = ToolAuditContext.Current;
            }

            return next(request, cancellationToken);
        };

#pragma warning disable MCPEXP002 // The alternate-result pipeline is where the SDK's own authorization filter refuses calls.
    /// <summary>
    /// Records a call that never reached <see cref="Audit"/> because an alternate-result filter outside it refused it
    /// (threw, or answered itself); a call handed on to a background task is left to <see cref="Audit"/>, which runs
    /// there.
    /// </summary>
    public async ValueTask<ResultOrAlternate<CallToolResult>> AuditOutside(
        RequestContext<CallToolRequestParams> request,
        McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next,
        CancellationToken cancellationToken)
    {
        var state = new CallState();
        request.Items[StateKey] = state;
        var started = _timeProvider.GetTimestamp();
        ResultOrAlternate<CallToolResult> outcome;
        try
        {
            outcome = await next(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!state.Audited)
        {
            Record(request, toolReached: false, started, result: null, exception);
            throw;
        }

        if (!state.Audited && !outcome.IsAlternate && outcome.Result is { } result)
        {
            Record(request, toolReached: false, started, result, exception: null);
        }

        return outcome;
    }
#pragma warning restore MCPEXP002

    private void Record(RequestContext<CallToolRequestParams> request, bool toolReached, long started, CallToolResult? result, Exception? exception)
    {
        var duration = _timeProvider.GetElapsedTime(started);

        // Recorded in the ambient context the tool ran in, when a filter inside the audit changed it: the user,
        // session, engine, model and task its scope gave the call.
        var toolContext = request.Items.TryGetValue(StateKey, out var value) && value is CallState { ToolContext: { } seen }
            && !ReferenceEquals(seen, ToolAuditContext.Current)
            ? seen
            : null;
        using var toolScope = toolContext is null ? null : ToolAuditContext.Restore(toolContext);
        var resultText = result is null ? null : McpResultText.From(result);
        var status = AuditStatus.Ok;
        string? error = null;
        if (exception is not null)
        {
            // Before the tool: a filter said no (authorization throws McpProtocolException). A filter that crashed
            // with anything else is a failure, not a decision.
            status = !toolReached && IsRefusal(exception) ? AuditStatus.Denied : AuditStatus.Error;
            error = status == AuditStatus.Denied ? exception.Message : null;
        }
        else if (result?.IsError == true)
        {
            status = toolReached ? AuditStatus.Error : AuditStatus.Denied;
            error = resultText ?? (toolReached ? "The tool returned isError: true." : "A filter refused the call.");
        }

        var tool = request.Params?.Name;
        if (string.IsNullOrEmpty(tool))
        {
            tool = MissingToolName;
        }

        try
        {
            _recorder.Record(new ToolCall(ResolveUser(request, tool), tool, Arguments(request.Params?.Arguments), status, resultText)
            {
                SessionId = ResolveSessionId(request),
                CallId = CallId(request.JsonRpcRequest),
                Engine = Engine(request.Server.ClientInfo),
                Duration = duration,
                Exception = exception,
                Error = error,
            });
        }
#pragma warning disable CA1031 // A host's own IAuditRecorder may throw: the client gets the tool's outcome, not the audit's failure.
        catch (Exception recordFailure)
#pragma warning restore CA1031
        {
            Log.RecordFailed(_logger, tool, recordFailure);
        }
    }

    private static bool IsRefusal(Exception exception) =>
        exception is McpException or UnauthorizedAccessException;

    /// <summary>
    /// The resolver's user, else the principal's name, else the ambient one, else the placeholder; a name that is not a
    /// valid user, or a resolver that throws, counts as none.
    /// </summary>
    private string ResolveUser(RequestContext<CallToolRequestParams> request, string tool)
    {
        string? user = null;
        try
        {
            user = _options.UserResolver?.Invoke(request);
        }
#pragma warning disable CA1031 // The host's resolver must not fail a call that already ran, nor replace its exception.
        catch (Exception resolverFailure)
#pragma warning restore CA1031
        {
            Log.UserResolverFailed(_logger, tool, resolverFailure);
        }

        if (!ToolCall.IsValidUser(user))
        {
            user = PrincipalName(request.User);
        }

        if (!ToolCall.IsValidUser(user))
        {
            user = ToolAuditContext.Current.User;
        }

        return ToolCall.IsValidUser(user) ? user : _options.UnknownUser;
    }

    private static string? PrincipalName(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return null;
        }

        var name = principal.Identity?.Name;
        if (!string.IsNullOrEmpty(name))
        {
            return name;
        }

        return principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.FindFirst("sub")?.Value;
    }

    private string? ResolveSessionId(RequestContext<CallToolRequestParams> request)
    {
        var sessionId = request.Server.SessionId ?? ToolAuditContext.Current.SessionId;
        if (sessionId is not null)
        {
            return sessionId;
        }

        // request.Server is a per-request wrapper and request.Services answers McpServer with it too; the server
        // itself is the DI singleton that single-session hosting (stdio, streams) registers in the root provider.
        return request.Server.Services?.GetService(typeof(McpServer)) is McpServer server
            ? _singleSessionIds.GetValue(server, static _ => "mcp-" + Guid.NewGuid().ToString("N"))
            : null;
    }

    private static string? CallId(JsonRpcRequest? request)
    {
        var id = request?.Id.ToString();
        return string.IsNullOrEmpty(id) ? null : id;
    }

    private static string? Engine(Implementation? client)
    {
        if (client is null || string.IsNullOrEmpty(client.Name))
        {
            return null;
        }

        return string.IsNullOrEmpty(client.Version) ? client.Name : $"{client.Name}/{client.Version}";
    }

    private static Dictionary<string, object?>? Arguments(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null)
        {
            return null;
        }

        var copy = new Dictionary<string, object?>(arguments.Count, StringComparer.Ordinal);
        foreach (var pair in arguments)
        {
            copy[pair.Key] = pair.Value;
        }

        return copy;
    }

    private sealed class CallState
    {
        /// <summary>Set when <see cref="Audit"/> took the call: it records it, whatever happens next.</summary>
        public volatile bool Audited;

        public volatile bool ToolReached;

        /// <summary>The ambient context when the call reached the tool; null when it did not.</summary>
        public AuditContext? ToolContext;
    }
}
