using Microsoft.Extensions.Configuration;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds stores to an <see cref="IToolAuditBuilder"/> from configuration.</summary>
public static class ToolAuditBuilderExtensions
{
    /// <summary>
    /// Adds the JSONL file store (<see cref="JsonlAuditStore"/>, as <see cref="IToolAuditBuilder.AddJsonl"/> does) with
    /// its options bound from a configuration section, for example <c>configuration.GetSection("ToolAudit:Jsonl")</c>:
    /// <c>Root</c>, <c>DayTimeZone</c> and <c>LegacyTimestampTimeZone</c> (zone ids), <c>FlushToDisk</c>,
    /// <c>MaxOpenFiles</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">
    /// The section whose keys are <see cref="JsonlAuditOptions"/>' property names. A key that names no option (a typo:
    /// <c>"Roots"</c>) fails at start, as does a value that does not convert (an unknown zone id). Options configured
    /// in code after this call win over the section, and the section over code before it.
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configuration"/> is null.</exception>
    public static IToolAuditBuilder AddJsonl(this IToolAuditBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        // First: it registers the zone id converter the binder needs, and the store.
        builder.AddJsonl(configure: null);
        builder.Services.AddOptions<JsonlAuditOptions>().Bind(configuration, static binder => binder.ErrorOnUnknownConfiguration = true);
        return builder;
    }
}
