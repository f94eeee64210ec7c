using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The sinks added through <see cref="IToolAuditBuilder"/>, in order; kept as a singleton instance in the service collection.</summary>
internal sealed class ToolAuditSinkRegistry
{
    public List<(Type SinkType, bool IsStore, Func<IServiceProvider, IAuditSink> Resolve)> Sinks { get; } = new();

    public int InMemoryCapacity { get; set; } = InMemoryAuditStore.DefaultCapacity;

    public bool Contains(Type sinkType) => Sinks.Exists(s => s.SinkType == sinkType);
}
