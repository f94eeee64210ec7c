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

        // Checked here as the recorder checks the call, so that the exception names the argument the caller passed.
        if (!ToolCall.IsValidUser(user))
        {
            throw new ArgumentException(
                string.IsNullOrEmpty(user)
                    ? "The user must not be null or empty."
                    : "The user holds a lone surrogate (it is not well-formed Unicode), so it cannot name a user.",
                nameof(user));
        }

        if (string.IsNullOrEmpty(tool))
        {
            throw new ArgumentException("The tool must not be null or empty.", nameof(tool));
        }

        if ((uint)status > (uint)AuditStatus.Denied)
        {
            throw new ArgumentException($"The status must be a defined AuditStatus (was {(int)status}).", nameof(status));
        }

        recorder.Record(new ToolCall(user, tool, args, status, result));
    }
}
