using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The sinks added through <see cref="IToolAuditBuilder"/>, in order; kept as a singleton instance in the service collection.</summary>
internal sealed class ToolAuditSinkRegistry
{
    public List<(Type SinkType, bool IsStore, Func<IServiceProvider, IAuditSink> Resolve)> Sinks { get; } = new();

    public int InMemoryCapacity { get; set; } = InMemoryAuditStore.DefaultCapacity;

    /// <summary>The instances added with <c>AddSink(sink)</c>, by reference: adding one again registers nothing.</summary>
    public HashSet<IAuditSink> Instances { get; } = new(ReferenceEqualityComparer.Instance);

    public bool Contains(Type sinkType) => Sinks.Exists(s => s.SinkType == sinkType);
}
