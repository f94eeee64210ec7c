using Microsoft.Extensions.AI;

namespace ToolAudit.ModelContextProtocol;

/// <summary>
/// Options of an audited <c>McpClientTool</c> (see <c>McpClientToolAuditExtensions.WithToolAudit</c>).
/// </summary>
/// <remarks>Read once, when the audited tool is created.</remarks>
public sealed class McpClientToolAuditOptions
{
    /// <summary>The default <see cref="UnknownUser"/>: <c>unknown</c>.</summary>
    public const string DefaultUnknownUser = "unknown";

    /// <summary>
    /// Tells who made a call from the call's arguments (and their <see cref="AIFunctionArguments.Services"/>).
    /// Return null or empty to fall back to the ambient <c>ToolAuditContext</c> user.
    /// </summary>
    /// <value>The default is null: the ambient <c>ToolAuditContext</c> user, else <see cref="UnknownUser"/>.</value>
    /// <remarks>
    /// Runs on the caller's flow for every call, after the tool; keep it quick. One that throws counts as null (and is
    /// logged through the arguments' services, when they hold an <c>ILoggerFactory</c>); the caller still gets the
    /// tool's outcome.
    /// </remarks>
    public Func<AIFunctionArguments, string?>? UserResolver { get; set; }

    /// <summary>The user recorded when nothing tells who made the call.</summary>
    /// <value>The default is <c>unknown</c>. Must be a valid user name (<see cref="ToolCall.IsValidUser"/>): not null or empty, no lone surrogate.</value>
    public string UnknownUser { get; set; } = DefaultUnknownUser;

    /// <summary>The clock that times the calls.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
