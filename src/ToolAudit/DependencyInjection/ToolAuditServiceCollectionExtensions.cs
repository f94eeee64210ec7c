using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ToolAudit;
using ToolAudit.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers ToolAudit: <c>services.AddToolAudit().AddJsonl(o => o.Root = "audit")</c>.
/// </summary>
public static class ToolAuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers the recorder (<see cref="IAuditRecorder"/>, also as <see cref="AuditRecorder"/>), the reader
    /// (<see cref="IAuditReader"/>: the first store added; also as <see cref="IAuditStore"/>, to purge it) and a hosted service that drains the recorder when the host
    /// stops, with the default options (or those configured elsewhere). Options are validated at start. Calling it again
    /// only adds configuration. The recorder's counters are reported as metrics on the
    /// <see cref="ToolAuditInstrumentation.MeterName"/> meter.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to add sinks with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IToolAuditBuilder AddToolAudit(this IServiceCollection services) => services.AddToolAudit(configure: null);

    /// <summary>
    /// Same as <see cref="AddToolAudit(IServiceCollection)"/>, with the recorder's options set by
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the recorder's options; may be null (then it is <see cref="AddToolAudit(IServiceCollection)"/>).</param>
    /// <returns>A builder to add sinks with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IToolAuditBuilder AddToolAudit(this IServiceCollection services, Action<ToolAuditOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ToolAuditOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToolAuditOptions>, ToolAuditOptionsValidator>());

        var registry = services.FirstOrDefault(static d => d.ServiceType == typeof(ToolAuditSinkRegistry))?.ImplementationInstance as ToolAuditSinkRegistry;
        if (registry is null)
        {
            registry = new ToolAuditSinkRegistry();
            services.AddSingleton(registry);
        }

        services.TryAddSingleton(static sp => new ToolAuditSinks(sp.GetRequiredService<ToolAuditSinkRegistry>(), sp));
        services.TryAddSingleton(static sp => new ToolAuditMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(static sp =>
        {
            var recorder = new AuditRecorder(
                sp.GetRequiredService<ToolAuditSinks>().Sink,
                sp.GetRequiredService<IOptions<ToolAuditOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<AuditRecorder>>());
            sp.GetRequiredService<ToolAuditMetrics>().Attach(recorder);
            return recorder;
        });
        services.TryAddSingleton<IAuditRecorder>(static sp => sp.GetRequiredService<AuditRecorder>());
        services.TryAddSingleton<IAuditReader>(static sp => sp.GetRequiredService<IAuditStore>());
        services.TryAddSingleton<IAuditStore>(static sp => sp.GetRequiredService<ToolAuditSinks>().Reader
            ?? throw new InvalidOperationException(
                "No ToolAudit sink that can be read is registered. Add a store: AddJsonl(), AddInMemory() or AddSink() with an IAuditStore."));
        if (!services.Any(static descriptor => descriptor.ServiceType == typeof(IHostedService) && !descriptor.IsKeyedService
            && descriptor.ImplementationType == typeof(ToolAuditHostedService)))
        {
            // First among the hosted services, wherever AddToolAudit() is called: they stop in the reverse order of
            // their registration, each stage (StoppingAsync, StopAsync, StoppedAsync) in turn, so its drain in
            // StoppedAsync comes after every other service's, and the calls they make while they stop are written.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, ToolAuditHostedService>());
        }

        return new ToolAuditBuilder(services, registry);
    }

    /// <summary>
    /// Same as <see cref="AddToolAudit(IServiceCollection)"/>, with the recorder's options bound
    /// from a configuration section (for example <c>configuration.GetSection("ToolAudit")</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">
    /// The section whose keys are <see cref="ToolAuditOptions"/>' property names. Its
    /// <see cref="ToolAuditOptions.RedactedKeys"/> are added to the defaults, never in their place; they must be a list
    /// (<c>RedactedKeys:0</c>, <c>RedactedKeys:1</c>, ...): a single value there fails validation at start. So does a
    /// timeout written as a bare number (<c>"OverflowWaitTimeout": "2"</c>), which <see cref="TimeSpan"/> reads as days:
    /// write <c>00:00:02</c> for two seconds.
    /// </param>
    /// <returns>A builder to add sinks with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IToolAuditBuilder AddToolAudit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<ToolAuditOptions>(configuration);
        services.AddSingleton<IValidateOptions<ToolAuditOptions>>(new ToolAuditConfigurationValidator(configuration));
        return services.AddToolAudit();
    }
}
