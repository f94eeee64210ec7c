namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds sinks to the ToolAudit registration made by <c>AddToolAudit</c>.
/// </summary>
/// <remarks>
/// Every sink added receives every entry (one <see cref="ToolAudit.CompositeAuditSink"/> when there are several). The first
/// sink added that is an <see cref="ToolAudit.IAuditStore"/> is also registered as the <see cref="ToolAudit.IAuditReader"/> and the <see cref="ToolAudit.IAuditStore"/>.
/// </remarks>
public interface IToolAuditBuilder
{
    /// <summary>The service collection the registration belongs to.</summary>
    IServiceCollection Services { get; }

    /// <summary>Adds the JSONL file store (<see cref="ToolAudit.JsonlAuditStore"/>); calling it again configures the same store.</summary>
    /// <param name="configure">Sets the options, such as <see cref="ToolAudit.JsonlAuditOptions.Root"/>.</param>
    /// <returns>The builder.</returns>
    IToolAuditBuilder AddJsonl(Action<ToolAudit.JsonlAuditOptions>? configure = null);

    /// <summary>Adds the in-memory ring buffer store (<see cref="ToolAudit.InMemoryAuditStore"/>), also resolvable by its type.</summary>
    /// <param name="capacity">How many entries it keeps; the last call wins.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    IToolAuditBuilder AddInMemory(int capacity = ToolAudit.InMemoryAuditStore.DefaultCapacity);

    /// <summary>
    /// Adds a sink that the container creates (and disposes); it may take services in its constructor. Adding the same
    /// type again changes nothing.
    /// </summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <returns>The builder.</returns>
    IToolAuditBuilder AddSink<TSink>()
        where TSink : class, ToolAudit.IAuditSink;

    /// <summary>
    /// Adds a sink instance that the caller owns (it is not disposed by the container); adding the same instance again
    /// changes nothing, so it receives every entry once.
    /// </summary>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is null.</exception>
    IToolAuditBuilder AddSink(ToolAudit.IAuditSink sink);
}
