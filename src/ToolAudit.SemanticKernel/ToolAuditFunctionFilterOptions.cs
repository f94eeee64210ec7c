using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel;

/// <summary>
/// Options of <see cref="ToolAuditFunctionFilter"/>.
/// </summary>
/// <remarks>Read once, when the filter is created.</remarks>
public sealed class ToolAuditFunctionFilterOptions
{
    /// <summary>The default <see cref="UnknownUser"/>: <c>unknown</c>.</summary>
    public const string DefaultUnknownUser = "unknown";

    /// <summary>
    /// Tells who made a call from the kernel and the call's arguments (for example a user id the host keeps in
    /// <see cref="Kernel.Data"/>). Return null or empty to fall back to the ambient <c>ToolAuditContext</c> user.
    /// </summary>
    /// <value>The default is null: the ambient <c>ToolAuditContext</c> user, else <see cref="UnknownUser"/>.</value>
    /// <remarks>
    /// Runs on the caller's flow for every call, after the function; keep it quick. One that throws is logged and counts
    /// as null; the caller still gets the function's outcome.
    /// </remarks>
    public Func<Kernel, KernelArguments?, string?>? UserResolver { get; set; }

    /// <summary>The user recorded when nothing tells who made the call.</summary>
    /// <value>The default is <c>unknown</c>. Must be a valid user name (<see cref="ToolCall.IsValidUser"/>): not null or empty, no lone surrogate.</value>
    public string UnknownUser { get; set; } = DefaultUnknownUser;
}
