namespace ToolAudit;

/// <summary>
/// The ambient values of a <see cref="ToolAuditContext"/> scope: the recorder copies the engine, model, session and task
/// into every entry recorded in it; the framework integrations read the user.
/// </summary>
/// <param name="Engine">The engine (provider), such as <c>openai</c>.</param>
/// <param name="Model">The model.</param>
/// <param name="User">
/// The user the agent acts for, as the framework integrations see it; <c>Record</c> itself takes the user from the
/// <see cref="ToolCall"/>.
/// </param>
/// <param name="SessionId">The conversation or session.</param>
/// <param name="TaskId">The task.</param>
public sealed record AuditContext(string? Engine, string? Model, string? User, string? SessionId, string? TaskId)
{
    /// <summary>No ambient values.</summary>
    public static AuditContext Empty { get; } = new(null, null, null, null, null);
}
