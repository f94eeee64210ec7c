using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The builder <c>AddToolAudit</c> returns.</summary>
internal sealed class ToolAuditBuilder(IServiceCollection services, ToolAuditSinkRegistry registry) : IToolAuditBuilder
{
    public IServiceCollection Services { get; } = services;

    public IToolAuditBuilder AddJsonl(Action<JsonlAuditOptions>? configure = null)
    {
        // So that the zones bind from configuration by their ids (services.Configure<JsonlAuditOptions>(section)): the
        // binder looks up the converter of TimeZoneInfo, which has none of its own. Registered when the store is added,
        // before any options are bound, not by merely making options.
        TimeZoneIdConverter.EnsureRegistered();
        var options = Services.AddOptions<JsonlAuditOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JsonlAuditOptions>, JsonlAuditOptionsValidator>());
        Services.TryAddSingleton(static sp => new JsonlAuditStore(sp.GetRequiredService<IOptions<JsonlAuditOptions>>().Value, sp.GetService<ILogger<JsonlAuditStore>>()));
        registry.AddResolved(typeof(JsonlAuditStore), static sp => sp.GetRequiredService<JsonlAuditStore>());

        return this;
    }

    public IToolAuditBuilder AddInMemory(int capacity = InMemoryAuditStore.DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        registry.InMemoryCapacity = capacity;
        var owner = registry;
        Services.TryAddSingleton(sp => new InMemoryAuditStore(owner.InMemoryCapacity, sp.GetService<ILogger<InMemoryAuditStore>>()));
        registry.AddResolved(typeof(InMemoryAuditStore), static sp => sp.GetRequiredService<InMemoryAuditStore>());

        return this;
    }

    public IToolAuditBuilder AddSink<TSink>()
        where TSink : class, IAuditSink
    {
        Services.TryAddSingleton<TSink>();
        registry.AddResolved(typeof(TSink), static sp => sp.GetRequiredService<TSink>());

        return this;
    }

    public IToolAuditBuilder AddSink(IAuditSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);

        // Once per instance, as AddSink<TSink>() is once per type: twice would hand it every entry twice.
        if (registry.Instances.Add(sink))
        {
            registry.Sinks.Add((sink.GetType(), sink is IAuditStore, _ => sink));
        }

        return this;
    }
}
