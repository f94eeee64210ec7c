using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The sinks added through <see cref="IToolAuditBuilder"/>, in order; kept as a singleton instance in the service collection.</summary>
internal sealed class ToolAuditSinkRegistry
{
    public List<(Type SinkType, bool IsStore, Func<IServiceProvider, IAuditSink> Resolve)> Sinks { get; } = new();

    public int InMemoryCapacity { get; set; } = InMemoryAuditStore.DefaultCapacity;

    /// <summary>The instances added with <c>AddSink(sink)</c>, by reference: adding one again registers nothing.</summary>
    public HashSet<IAuditSink> Instances { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The sink types added to be resolved from the container (<c>AddSink&lt;T&gt;()</c>, <c>AddJsonl()</c>, <c>AddInMemory()</c>): adding one again registers nothing.</summary>
    /// <remarks>Apart from <see cref="Instances"/>: an instance added of a type does not stand for the container's one.</remarks>
    public HashSet<Type> ResolvedTypes { get; } = new();

    /// <summary>Adds <paramref name="sinkType"/> to be resolved from the container, once.</summary>
    public void AddResolved(Type sinkType, Func<IServiceProvider, IAuditSink> resolve)
    {
        if (ResolvedTypes.Add(sinkType))
        {
            Sinks.Add((sinkType, typeof(IAuditStore).IsAssignableFrom(sinkType), resolve));
        }
    }
}
