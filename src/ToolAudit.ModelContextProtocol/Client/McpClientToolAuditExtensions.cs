using Microsoft.Extensions.AI;
using ToolAudit;
using ToolAudit.ModelContextProtocol;
using ToolAudit.ModelContextProtocol.Client;

namespace ModelContextProtocol.Client;

/// <summary>
/// Records the calls an MCP client makes through <see cref="McpClientTool"/>: <c>tool.WithToolAudit(recorder)</c>.
/// </summary>
public static class McpClientToolAuditExtensions
{
    /// <summary>
    /// Wraps <paramref name="tool"/> with the default options, as
    /// <see cref="WithToolAudit(McpClientTool, IAuditRecorder, Action{McpClientToolAuditOptions}?)"/> does.
    /// </summary>
    /// <param name="tool">The tool, as listed by <c>McpClient.ListToolsAsync</c>.</param>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <returns>A function with the tool's name, description and schema, to hand to a chat client or call directly.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tool"/> or <paramref name="recorder"/> is null.</exception>
    public static AIFunction WithToolAudit(this McpClientTool tool, IAuditRecorder recorder) => tool.WithToolAudit(recorder, configure: null);

    /// <summary>
    /// Wraps each tool with the default options, as
    /// <see cref="WithToolAudit(McpClientTool, IAuditRecorder, Action{McpClientToolAuditOptions}?)"/> does.
    /// </summary>
    /// <param name="tools">The tools, as listed by <c>McpClient.ListToolsAsync</c>.</param>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <returns>The wrapped tools, in the same order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> or <paramref name="recorder"/> is null, or a tool is null.</exception>
    public static IList<AIFunction> WithToolAudit(this IEnumerable<McpClientTool> tools, IAuditRecorder recorder) => tools.WithToolAudit(recorder, configure: null);

    /// <summary>
    /// Wraps <paramref name="tool"/> so that every invocation is recorded: <c>ok</c> for a good result, <c>error</c>
    /// for a result with <c>isError: true</c> (which <see cref="McpClientTool"/> returns instead of throwing) and for
    /// an exception (an unknown tool, a refused call, a lost connection), which is rethrown unchanged.
    /// </summary>
    /// <param name="tool">The tool, as listed by <c>McpClient.ListToolsAsync</c>.</param>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <param name="configure">Sets the options; may be null.</param>
    /// <returns>A function with the tool's name, description and schema, to hand to a chat client or call directly.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tool"/> or <paramref name="recorder"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' <c>UnknownUser</c> is not a valid user name (null, empty, or holding a lone surrogate), or its <c>TimeProvider</c> is null.</exception>
    /// <remarks>
    /// <para>
    /// The user comes from the options' resolver, else the ambient <c>ToolAuditContext</c>. When the call is made by a
    /// <see cref="FunctionInvokingChatClient"/>, the model's call id, the conversation id and the model id come from
    /// its current invocation. Engine, session and task otherwise come from the ambient <c>ToolAuditContext</c>.
    /// </para>
    /// <para>
    /// A chat pipeline that already audits its function calls (<c>UseToolAudit()</c>) records these calls itself, and
    /// the wrapped tool, told so by the call's <c>AIFunctionArguments.Context</c>, records nothing: each call is on
    /// record once, also when a function of the host's between the two passes the tool a copy of the arguments.
    /// </para>
    /// </remarks>
    public static AIFunction WithToolAudit(this McpClientTool tool, IAuditRecorder recorder, Action<McpClientToolAuditOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(recorder);
        return new AuditingMcpClientTool(tool, recorder, BuildOptions(configure));
    }

    /// <summary>Wraps each tool as <see cref="WithToolAudit(McpClientTool, IAuditRecorder, Action{McpClientToolAuditOptions}?)"/> does.</summary>
    /// <param name="tools">The tools, as listed by <c>McpClient.ListToolsAsync</c>.</param>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <param name="configure">Sets the options (once, for all the tools); may be null.</param>
    /// <returns>The wrapped tools, in the same order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> or <paramref name="recorder"/> is null, or a tool is null.</exception>
    /// <exception cref="ArgumentException">The options' <c>UnknownUser</c> is not a valid user name (null, empty, or holding a lone surrogate), or its <c>TimeProvider</c> is null.</exception>
    public static IList<AIFunction> WithToolAudit(this IEnumerable<McpClientTool> tools, IAuditRecorder recorder, Action<McpClientToolAuditOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(recorder);
        var options = BuildOptions(configure);
        var wrapped = new List<AIFunction>();
        foreach (var tool in tools)
        {
            ArgumentNullException.ThrowIfNull(tool, nameof(tools));
            wrapped.Add(new AuditingMcpClientTool(tool, recorder, options));
        }

        return wrapped;
    }

    private static McpClientToolAuditOptions BuildOptions(Action<McpClientToolAuditOptions>? configure)
    {
        var options = new McpClientToolAuditOptions();
        configure?.Invoke(options);
        if (!ToolCall.IsValidUser(options.UnknownUser))
        {
            throw new ArgumentException($"{nameof(McpClientToolAuditOptions)}.{nameof(McpClientToolAuditOptions.UnknownUser)} must be a valid user name: not null or empty, no lone surrogate.", nameof(configure));
        }

        if (options.TimeProvider is null)
        {
            throw new ArgumentException($"{nameof(McpClientToolAuditOptions)}.{nameof(McpClientToolAuditOptions.TimeProvider)} must not be null.", nameof(configure));
        }

        return options;
    }
}
