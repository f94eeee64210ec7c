using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using ToolAudit.Diagnostics;
using ToolAudit.SemanticKernel.Filters;
using AIFunctionInvocationContext = Microsoft.Extensions.AI.FunctionInvocationContext;
using FunctionInvokingChatClient = Microsoft.Extensions.AI.FunctionInvokingChatClient;

namespace ToolAudit.SemanticKernel;

/// <summary>
/// Records every Semantic Kernel function call: functions the host invokes directly and functions the model asks
/// for (auto function invocation), one entry per call.
/// </summary>
/// <remarks>
/// <para>
/// Register it as both filters, outside the others (<c>services.AddToolAuditFunctionFilter()</c> before other filters,
/// or <c>kernel.AddToolAuditFilter(recorder)</c>). As an <see cref="IFunctionInvocationFilter"/> it records each
/// function call; as an <see cref="IAutoFunctionInvocationFilter"/> it adds the model's call id and model to the
/// calls the model asked for, and records as <c>denied</c> a call that another auto-function filter refused (it set
/// a result or <c>Terminate</c> and did not let the function run). Registered as a function filter only, it still
/// records every call, with the call id when the kernel invokes functions through an <c>IChatClient</c>.
/// </para>
/// <para>
/// The tool is recorded as <c>Plugin-Function</c> (the fully qualified name Semantic Kernel's OpenAI connectors show
/// the model), or the function's name when it has no plugin: see <see cref="ToolName"/>. Statuses:
/// <c>ok</c> when the function returned; <c>error</c> when it threw (the exception is rethrown unchanged);
/// <c>denied</c> as above, and when an inner function filter did not let the function run (see below). Prompt functions invoked directly (<c>InvokePromptAsync</c>) are model calls, not tool
/// calls, and are not recorded; a prompt function the model asks for is. A streaming invocation is recorded when reading
/// its stream ends, without its result: <c>ok</c> when it was read to its end or left early, <c>error</c> when reading
/// it threw (the function runs only as the stream is read).
/// </para>
/// <para>
/// An inner <see cref="IFunctionInvocationFilter"/> that does not call <c>next</c> keeps the function from running; the
/// call is then recorded as <c>denied</c>, never as <c>ok</c>: with the filter's answer (the <c>Result</c> it set) as
/// the entry's <c>error</c> and result, or "A function invocation filter did not let the function run." when it set none.
/// A filter that set no result is always seen. One that set a result is told from the function's own result by a probe
/// that <c>kernel.AddToolAuditFilter(recorder)</c> puts last among the kernel's function filters, right before the
/// function: a call that never reached it did not run. Without the probe (a kernel that takes the filter from the
/// container only, or a function filter added after the probe, that answers itself) such a call is recorded as
/// <c>ok</c> with the answer as its result, as nothing then tells that the function did not run.
/// </para>
/// <para>Thread-safe; one instance serves every kernel and call.</para>
/// </remarks>
public sealed class ToolAuditFunctionFilter : IFunctionInvocationFilter, IAutoFunctionInvocationFilter
{
    /// <summary>The separator between plugin and function in the recorded tool name: <c>-</c>.</summary>
    public const string ToolNameSeparator = "-";

    // The error of a call that an inner function filter kept from running without an answer of its own.
    private const string NotRunByFunctionFilter = "A function invocation filter did not let the function run.";

    // The auto invocation in progress on this flow: set by this instance's auto filter, claimed by its function
    // filter (per instance, so that two audit filters on one kernel never take each other's calls).
    private readonly AsyncLocal<AutoCall?> _currentAutoCall = new();

    // The function call in progress on this flow, which the probe marks as having reached the function.
    private readonly AsyncLocal<FunctionCall?> _currentCall = new();

    private readonly IAuditRecorder _recorder;
    private readonly Func<Kernel, KernelArguments?, string?>? _userResolver;
    private readonly string _unknownUser;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the filter.</summary>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <param name="options">The options; the defaults when null.</param>
    /// <param name="timeProvider">The clock that times the calls; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recorder"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' <c>UnknownUser</c> is not a valid user name (null, empty, or holding a lone surrogate).</exception>
    public ToolAuditFunctionFilter(IAuditRecorder recorder, ToolAuditFunctionFilterOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        options ??= new ToolAuditFunctionFilterOptions();
        if (!ToolCall.IsValidUser(options.UnknownUser))
        {
            throw new ArgumentException($"{nameof(ToolAuditFunctionFilterOptions)}.{nameof(ToolAuditFunctionFilterOptions.UnknownUser)} must be a valid user name: not null or empty, no lone surrogate.", nameof(options));
        }

        _recorder = recorder;
        _userResolver = options.UserResolver;
        _unknownUser = options.UnknownUser;
        _timeProvider = timeProvider ?? TimeProvider.System;
        RunProbe = new FunctionRunProbe(this);
    }

    /// <summary>
    /// The innermost function filter, right before the function: a call that reaches it, with no filter after it, runs
    /// the function. <c>AddToolAuditFilter</c> keeps it last in the kernel's function filters.
    /// </summary>
    internal IFunctionInvocationFilter RunProbe { get; }

    /// <summary>Records the function call that <paramref name="next"/> runs.</summary>
    /// <param name="context">The invocation.</param>
    /// <param name="next">The rest of the pipeline and the function.</param>
    /// <returns>A task that completes when the call and its record are done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="next"/> is null.</exception>
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        var autoCall = ClaimAutoCall(context.Function);
        if (autoCall is null && IsPromptFunction(context.Function))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var callId = autoCall is null ? ChatClientCallId(context.Function) : autoCall.CallId;

        // The function's own result is always a new FunctionResult: one still the same as on entry was set by no one,
        // so the function did not run. A probe in the kernel's filters that the call never reached says the same of
        // a result that an inner filter set itself.
        var resultOnEntry = context.Result;
        var probed = context.Kernel.FunctionInvocationFilters.Contains(RunProbe);
        var call = new FunctionCall(context);

        // Set inside this async method, so it flows into next() and is gone again for our caller.
        _currentCall.Value = call;
        var started = _timeProvider.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record(context.Kernel, context.Function, context.Arguments, callId, autoCall?.Model, started, AuditStatus.Error, resultText: null, exception, error: null, call.FunctionContext);
            throw;
        }

        if (ReferenceEquals(context.Result, resultOnEntry) || (probed && !call.ReachedFunction))
        {
            // An inner function filter kept the function from running: a refusal, with its answer if it gave one.
            var answer = ReferenceEquals(context.Result, resultOnEntry) || context.IsStreaming ? null : FunctionResultText.From(context.Function, context.Result);
            Record(context.Kernel, context.Function, context.Arguments, callId, autoCall?.Model, started, AuditStatus.Denied, answer, exception: null,
                string.IsNullOrEmpty(answer) ? NotRunByFunctionFilter : answer);
            return;
        }

        if (context.IsStreaming)
        {
            // The function runs, and may throw, only as the caller reads the stream: the call is recorded when
            // reading it ends, ok or error, and timed until then.
            var (kernel, function, arguments, model) = (context.Kernel, context.Function, context.Arguments, autoCall?.Model);
            var audited = AuditedStream.TryWrap(
                context.Result.GetValue<object>(),
                exception => Record(kernel, function, arguments, callId, model, started, exception is null ? AuditStatus.Ok : AuditStatus.Error, resultText: null, exception, error: null, call.FunctionContext));
            if (audited is not null)
            {
                context.Result = new FunctionResult(context.Result, audited);
                return;
            }
        }

        var resultText = context.IsStreaming ? null : FunctionResultText.From(context.Function, context.Result);
        Record(context.Kernel, context.Function, context.Arguments, callId, autoCall?.Model, started, AuditStatus.Ok, resultText, exception: null, error: null, call.FunctionContext);
    }

    /// <summary>
    /// Tells the function filter which model call this is, and records a call that an inner filter refused.
    /// </summary>
    /// <param name="context">The auto invocation.</param>
    /// <param name="next">The rest of the auto-function pipeline and the function.</param>
    /// <returns>A task that completes when the call and its record are done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="next"/> is null.</exception>
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        var autoCall = new AutoCall(context.Function, context.ToolCallId, context.ChatMessageContent?.ModelId ?? context.ExecutionSettings?.ModelId);

        // Set inside this async method, so it flows into next() and is gone again for our caller.
        _currentAutoCall.Value = autoCall;
        var started = _timeProvider.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!autoCall.Claimed)
        {
            // An inner auto-function filter failed before the function ran: nothing else records this call.
            Record(context.Kernel, context.Function, context.Arguments, autoCall.CallId, autoCall.Model, started, AuditStatus.Error, resultText: null, exception, error: null);
            throw;
        }

        if (!autoCall.Claimed)
        {
            // An inner filter answered for the function (or set Terminate) and never let it run: a refusal.
            var reason = FunctionResultText.From(context.Function, context.Result);
            Record(context.Kernel, context.Function, context.Arguments, autoCall.CallId, autoCall.Model, started, AuditStatus.Denied, reason, exception: null,
                string.IsNullOrEmpty(reason) ? "An auto function invocation filter did not let the function run." : reason);
        }
    }

    /// <summary>The name the trail records for <paramref name="function"/>: <c>Plugin-Function</c>, or <c>Function</c>.</summary>
    /// <param name="function">The function.</param>
    /// <returns>The tool name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public static string ToolName(KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return string.IsNullOrEmpty(function.PluginName) ? function.Name : function.PluginName + ToolNameSeparator + function.Name;
    }

    private AutoCall? ClaimAutoCall(KernelFunction function)
    {
        var autoCall = _currentAutoCall.Value;
        if (autoCall is null || autoCall.Claimed || !SameFunction(autoCall.Function, function))
        {
            // None, already claimed, or another function run from inside the auto-invoked one.
            return null;
        }

        autoCall.Claimed = true;
        return autoCall;
    }

    private static string? ChatClientCallId(KernelFunction function)
    {
        // Without the auto filter, a kernel that invokes functions through an IChatClient still has the call at hand.
        AIFunctionInvocationContext? invocation = FunctionInvokingChatClient.CurrentContext;
        return invocation is not null && (ReferenceEquals(invocation.Function, function) || string.Equals(invocation.Function.Name, ((Microsoft.Extensions.AI.AIFunction)function).Name, StringComparison.Ordinal))
            ? invocation.CallContent.CallId
            : null;
    }

    private static bool SameFunction(KernelFunction expected, KernelFunction actual) =>
        ReferenceEquals(expected, actual)
        || (string.Equals(expected.Name, actual.Name, StringComparison.Ordinal) && string.Equals(expected.PluginName, actual.PluginName, StringComparison.Ordinal));

    // KernelFunctionFromPrompt is internal to Semantic Kernel, and nothing public in Semantic Kernel 1.82 tells a
    // prompt function from a native one before it runs: UnderlyingMethod is null for wrapped AIFunctions too,
    // ExecutionSettings may be set on either kind or on neither, Metadata.AdditionalProperties carries no kind, and an
    // IPromptRenderFilter sees the prompt only once the function runs (and needs a registration of its own). So the
    // type name is the mark; a test (InvokePromptAsync_DirectPromptFunction_IsNotRecorded) fails if a release renames it.
    private static bool IsPromptFunction(KernelFunction function) =>
        string.Equals(function.GetType().Name, "KernelFunctionFromPrompt", StringComparison.Ordinal);

    private void Record(
        Kernel kernel,
        KernelFunction function,
        KernelArguments? arguments,
        string? callId,
        string? model,
        long started,
        AuditStatus status,
        string? resultText,
        Exception? exception,
        string? error,
        AuditContext? functionContext = null)
    {
        var duration = _timeProvider.GetElapsedTime(started);
        var tool = ToolName(function);

        // Recorded in the ambient context the function ran in, when an inner filter changed it (its scope is gone
        // by now): the user, session, engine, model and task it gave the call.
        using var functionScope = functionContext is null || ReferenceEquals(functionContext, ToolAuditContext.Current)
            ? null
            : ToolAuditContext.Restore(functionContext);

        // A resolver that throws, or a name that is not a valid user (a lone surrogate), counts as none: the call is
        // recorded, and the function's own outcome (its result, or its exception) reaches the caller unchanged.
        string? user = null;
        try
        {
            user = _userResolver?.Invoke(kernel, arguments);
        }
#pragma warning disable CA1031 // The host's resolver must not fail a call that already ran.
        catch (Exception resolverFailure)
#pragma warning restore CA1031
        {
            Diagnostics.Log.UserResolverFailed(Logger(kernel), tool, resolverFailure);
        }

        if (!ToolCall.IsValidUser(user))
        {
            user = ToolAuditContext.Current.User;
        }

        try
        {
            _recorder.Record(new ToolCall(ToolCall.IsValidUser(user) ? user : _unknownUser, tool, arguments, status, resultText)
            {
                CallId = string.IsNullOrEmpty(callId) ? null : callId,
                Model = model,
                Duration = duration,
                Exception = exception,
                Error = error,
            });
        }
#pragma warning disable CA1031 // A host's own IAuditRecorder may throw: the function's outcome stays its own.
        catch (Exception recordFailure)
#pragma warning restore CA1031
        {
            Diagnostics.Log.RecordFailed(Logger(kernel), tool, recordFailure);
        }
    }

    // The host's logging must not fail a call either: a provider that throws (from CreateLogger or from Log) costs
    // only the message.
    private static ILogger Logger(Kernel kernel)
    {
        try
        {
            return GuardedLogger.Guard(kernel.LoggerFactory.CreateLogger<ToolAuditFunctionFilter>());
        }
#pragma warning disable CA1031 // As above: nothing is left to report the logger's own failure to.
        catch (Exception)
#pragma warning restore CA1031
        {
            return NullLogger.Instance;
        }
    }

    /// <summary>Marks the call in progress as having reached the function: nothing but the function runs after it.</summary>
    private sealed class FunctionRunProbe(ToolAuditFunctionFilter owner) : IFunctionInvocationFilter
    {
        public Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
        {
            if (owner._currentCall.Value is { } call && ReferenceEquals(call.Context, context))
            {
                call.ReachedFunction = true;

                // The ambient context as the function sees it: a scope an inner function filter opened around its
                // next (ToolAuditContext.Begin(user: ...)) is gone again by the time the audit records.
                call.FunctionContext = ToolAuditContext.Current;
            }

            return next(context);
        }
    }

    private sealed class FunctionCall(FunctionInvocationContext context)
    {
        public FunctionInvocationContext Context { get; } = context;

        public bool ReachedFunction { get; set; }

        /// <summary>The ambient context when the call reached the function; null when it did not (or no probe ran).</summary>
        public AuditContext? FunctionContext { get; set; }
    }

    private sealed class AutoCall(KernelFunction function, string? callId, string? model)
    {
        public KernelFunction Function { get; } = function;

        public string? CallId { get; } = callId;

        public string? Model { get; } = model;

        public bool Claimed { get; set; }
    }
}
