using ToolAudit;
using ToolAudit.SemanticKernel;

namespace Microsoft.SemanticKernel;

/// <summary>
/// Adds ToolAudit to a kernel built without the container: <c>kernel.AddToolAuditFilter(recorder)</c>.
/// </summary>
public static class ToolAuditKernelExtensions
{
    /// <summary>
    /// Puts a <see cref="ToolAuditFunctionFilter"/> first (outermost) in the kernel's function and auto-function
    /// filters, so that it records every call, with the model's call id, and sees the calls other filters refuse.
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="recorder">Where the calls are recorded.</param>
    /// <param name="configure">Sets the options; may be null.</param>
    /// <returns>The kernel.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> or <paramref name="recorder"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' <c>UnknownUser</c> is not a valid user name (null, empty, or holding a lone surrogate).</exception>
    /// <remarks>
    /// <para>
    /// A kernel that already has a <see cref="ToolAuditFunctionFilter"/> keeps it (and its recorder and options) and
    /// gets no second one. Clones made afterwards (<see cref="Kernel.Clone"/>) copy the filter.
    /// </para>
    /// <para>
    /// It also puts an internal probe last among the function filters, right before the function, so that a call an
    /// inner function filter answered for without letting the function run is recorded as <c>denied</c>, not <c>ok</c>.
    /// Call it after adding your own function filters, or again after them (it then moves only the probe back to the
    /// end). On a kernel from the container, which has the filter already, this adds the probe.
    /// </para>
    /// </remarks>
    public static Kernel AddToolAuditFilter(this Kernel kernel, IAuditRecorder recorder, Action<ToolAuditFunctionFilterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(recorder);

        // The same instance must sit in both lists: its auto filter hands the call to its function filter.
        var filter = kernel.FunctionInvocationFilters.OfType<ToolAuditFunctionFilter>().FirstOrDefault()
            ?? kernel.AutoFunctionInvocationFilters.OfType<ToolAuditFunctionFilter>().FirstOrDefault();
        if (filter is null)
        {
            var options = new ToolAuditFunctionFilterOptions();
            configure?.Invoke(options);
            filter = new ToolAuditFunctionFilter(recorder, options);
        }

        if (!kernel.FunctionInvocationFilters.Contains(filter))
        {
            kernel.FunctionInvocationFilters.Insert(0, filter);
        }

        if (!kernel.AutoFunctionInvocationFilters.Contains(filter))
        {
            kernel.AutoFunctionInvocationFilters.Insert(0, filter);
        }

        // Its probe goes last, right before the function, to tell a function that ran from one an inner filter
        // answered for; a second call moves it back behind filters added since.
        var filters = kernel.FunctionInvocationFilters;
        if (!ReferenceEquals(filters[filters.Count - 1], filter.RunProbe))
        {
            filters.Remove(filter.RunProbe);
            filters.Add(filter.RunProbe);
        }

        return kernel;
    }
}
