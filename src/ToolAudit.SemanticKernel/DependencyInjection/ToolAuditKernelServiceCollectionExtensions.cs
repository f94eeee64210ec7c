using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using ToolAudit;
using ToolAudit.SemanticKernel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers ToolAudit's Semantic Kernel filter: <c>services.AddToolAuditFunctionFilter()</c>.
/// </summary>
public static class ToolAuditKernelServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="ToolAuditFunctionFilter"/> as both <see cref="IFunctionInvocationFilter"/> and
    /// <see cref="IAutoFunctionInvocationFilter"/>, over the <see cref="IAuditRecorder"/> in the service collection.
    /// Every <see cref="Kernel"/> resolved from the container then records its function calls.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; may be null. Calls add up when the method is called more than once.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// A kernel runs its filters in the order they were registered, the first outermost. Call this before
    /// registering other filters, so that the audit sees the calls they refuse. Calling it twice registers the filter
    /// once.
    /// </para>
    /// <para>
    /// A function filter registered after it that answers for a function without running it (sets a result and does
    /// not call <c>next</c>) is recorded as <c>ok</c> with the answer, as nothing can be registered after it to tell:
    /// call <c>kernel.AddToolAuditFilter(recorder)</c> on a resolved kernel to add the probe that does. A filter that
    /// skips the function without a result is recorded as <c>denied</c> either way.
    /// </para>
    /// <para>
    /// The recorder is resolved with the first kernel; without one that fails with an
    /// <see cref="InvalidOperationException"/>. The clock is the container's <see cref="TimeProvider"/>, if any.
    /// </para>
    /// </remarks>
    public static IServiceCollection AddToolAuditFunctionFilter(this IServiceCollection services, Action<ToolAuditFunctionFilterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<ToolAuditFunctionFilterOptions>()
            .Validate(static o => ToolCall.IsValidUser(o.UnknownUser), $"{nameof(ToolAuditFunctionFilterOptions)}.{nameof(ToolAuditFunctionFilterOptions.UnknownUser)} must be a valid user name: not null or empty, no lone surrogate.");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(static provider => new ToolAuditFunctionFilter(
            provider.GetService<IAuditRecorder>()
                ?? throw new InvalidOperationException(
                    "AddToolAuditFunctionFilter() needs an IAuditRecorder in the service collection: call services.AddToolAudit(...) or register one."),
            provider.GetRequiredService<IOptions<ToolAuditFunctionFilterOptions>>().Value,
            provider.GetService<TimeProvider>()));

        // One instance behind both interfaces: the auto filter hands the call id to the function filter.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFunctionInvocationFilter, ToolAuditFunctionFilter>(
            static provider => provider.GetRequiredService<ToolAuditFunctionFilter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAutoFunctionInvocationFilter, ToolAuditFunctionFilter>(
            static provider => provider.GetRequiredService<ToolAuditFunctionFilter>()));
        return services;
    }
}
