namespace ToolAudit;

/// <summary>
/// The ambient engine, model, user, session and task. The recorder copies the engine, model, session and task into each
/// entry at call time (a <see cref="ToolCall"/>'s own values win); the user of an entry is always the
/// <see cref="ToolCall"/>'s, and the framework integrations take it from here when nothing else names one.
/// </summary>
/// <remarks>
/// Backed by <see cref="AsyncLocal{T}"/>: a scope flows into awaited and child work, never leaks between concurrent
/// tasks, and never flows into the recorder's background writer (the recorder captures it at the call instead).
/// </remarks>
public static class ToolAuditContext
{
    private static readonly AsyncLocal<AuditContext?> Ambient = new();

    /// <summary>The ambient values here and now; <see cref="AuditContext.Empty"/> outside any scope.</summary>
    public static AuditContext Current => Ambient.Value ?? AuditContext.Empty;

    /// <summary>
    /// Opens a scope. Values left null inherit the outer scope's; disposing the scope restores the outer one.
    /// </summary>
    /// <param name="engine">The engine (provider).</param>
    /// <param name="model">The model.</param>
    /// <param name="user">The user.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="taskId">The task.</param>
    /// <returns>The scope; dispose it on the same async flow that opened it.</returns>
    public static IDisposable Begin(
        string? engine = null,
        string? model = null,
        string? user = null,
        string? sessionId = null,
        string? taskId = null)
    {
        var outer = Ambient.Value;
        var current = outer ?? AuditContext.Empty;
        Ambient.Value = new AuditContext(
            engine ?? current.Engine,
            model ?? current.Model,
            user ?? current.User,
            sessionId ?? current.SessionId,
            taskId ?? current.TaskId);
        return new Scope(outer);
    }

    /// <summary>
    /// Opens a scope whose ambient values are exactly <paramref name="context"/>'s, none inherited: for code that took
    /// <see cref="Current"/> in one flow (where a tool ran, inside a scope since closed) and records in another.
    /// Disposing the scope restores the outer one.
    /// </summary>
    /// <param name="context">The values, as <see cref="Current"/> gave them.</param>
    /// <returns>The scope; dispose it on the same async flow that opened it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static IDisposable Restore(AuditContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outer = Ambient.Value;
        Ambient.Value = context;
        return new Scope(outer);
    }

    /// <summary>
    /// Sets the engine and model of the current flow, like the Python orchestrator's <c>set_context</c> before its tool
    /// loop. Both are replaced (null clears); user, session and task are kept.
    /// </summary>
    /// <param name="engine">The engine (provider).</param>
    /// <param name="model">The model.</param>
    /// <remarks>As with any <see cref="AsyncLocal{T}"/>, a value set inside an awaited method does not flow back out to its caller.</remarks>
    public static void Set(string? engine, string? model) =>
        Ambient.Value = (Ambient.Value ?? AuditContext.Empty) with { Engine = engine, Model = model };

    private sealed class Scope(AuditContext? outer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Ambient.Value = outer;
            }
        }
    }
}
