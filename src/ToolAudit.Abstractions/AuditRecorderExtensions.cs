namespace ToolAudit;

/// <summary>
/// One-line helpers over <see cref="IAuditRecorder"/>.
/// </summary>
public static class AuditRecorderExtensions
{
    /// <summary>
    /// Records a call in one line, like the Python orchestrator's <c>record()</c>: fire-and-forget.
    /// </summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="user">Who the agent acted for.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="args">The arguments; copied at the call.</param>
    /// <param name="status">How the call ended.</param>
    /// <param name="result">The full result text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recorder"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="user"/> or <paramref name="tool"/> is null or empty, <paramref name="user"/> holds a lone
    /// surrogate (see <see cref="ToolCall.IsValidUser"/>), or <paramref name="status"/> is not a defined value.
    /// </exception>
    public static void Record(
        this IAuditRecorder recorder,
        string user,
        string tool,
        IReadOnlyDictionary<string, object?>? args,
        AuditStatus status,
        string? result = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);

        // Checked here by the recorder's rules, so that the exception names the argument the caller passed.
        if (!ToolCallRules.AreValid(user, tool, status))
        {
            ToolCallRules.Throw(user, tool, status, nameof(user), nameof(tool), nameof(status));
        }

        recorder.Record(new ToolCall(user, tool, args, status, result));
    }
}
