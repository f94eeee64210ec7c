using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The sinks of one service provider, resolved once: what the recorder writes to and what the reader reads.</summary>
internal sealed class ToolAuditSinks
{
    public ToolAuditSinks(ToolAuditSinkRegistry registry, IServiceProvider services)
    {
        if (registry.Sinks.Count == 0)
        {
            throw new InvalidOperationException(
                "ToolAudit has no sink. Add one after AddToolAudit(), for example services.AddToolAudit().AddJsonl(o => o.Root = \"audit\").");
        }

        var sinks = new List<IAuditSink>(registry.Sinks.Count);
        var seen = new HashSet<IAuditSink>(ReferenceEqualityComparer.Instance);
        foreach (var registration in registry.Sinks)
        {
            var sink = registration.Resolve(services);

            // The container's sink of a type can be the very instance also added with AddSink(sink) (the host
            // registered it as that type's singleton): one sink, written once.
            if (!seen.Add(sink))
            {
                continue;
            }

            sinks.Add(sink);
            if (Reader is null && sink is IAuditStore store)
            {
                Reader = store;
            }
        }

        Sink = sinks.Count == 1 ? sinks[0] : new CompositeAuditSink(sinks);
    }

    public IAuditSink Sink { get; }

    public IAuditStore? Reader { get; }
}
