namespace ToolAudit;

/// <summary>
/// The ambient values that <see cref="ToolAuditContext"/> carries into every entry recorded in its scope.
/// </summary>
/// <param name="Engine">The engine (provider), such as <c>openai</c>.</param>
/// <param name="Model">The model.</param>
/// <param name="User">The user the agent acts for.</param>
/// <param name="SessionId">The conversation or session.</param>
/// <param name="TaskId">The task.</param>
public sealed record AuditContext(string? Engine, string? Model, string? User, string? SessionId, string? TaskId)
{
    /// <summary>No ambient values.</summary>
    public static AuditContext Empty { get; } = new(null, null, null, null, null);
}
