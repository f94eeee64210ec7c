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
    /// <remarks>Runs on the caller's flow for every call; keep it quick and make it not throw.</remarks>
    public Func<Kernel, KernelArguments?, string?>? UserResolver { get; set; }

    /// <summary>The user recorded when nothing tells who made the call.</summary>
    /// <value>The default is <c>unknown</c>. Must not be null or empty.</value>
    public string UnknownUser { get; set; } = DefaultUnknownUser;
}
