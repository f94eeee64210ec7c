using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ToolAudit.ModelContextProtocol;

/// <summary>
/// Options of the audit filter that <c>WithToolAudit()</c> adds to an MCP server.
/// </summary>
/// <remarks>
/// Read once, when the server's options are built (at host start). Validated then: an <see cref="UnknownUser"/> that is
/// not a valid user name fails the start with a message that names it.
/// </remarks>
public sealed class McpToolAuditOptions
{
    /// <summary>The default <see cref="UnknownUser"/>: <c>unknown</c>.</summary>
    public const string DefaultUnknownUser = "unknown";

    /// <summary>
    /// Tells who made a call, for hosts whose user is not (only) in the request's <c>ClaimsPrincipal</c>.
    /// Return null or empty to fall back to the principal.
    /// </summary>
    /// <value>
    /// The default is null: the user is the request's <see cref="MessageContext.User"/> (its name, else its
    /// <c>nameidentifier</c> or <c>sub</c> claim), else the ambient <c>ToolAuditContext</c> user, else
    /// <see cref="UnknownUser"/>.
    /// </value>
    /// <remarks>
    /// Runs on the request's flow for every <c>tools/call</c>, after the tool; keep it quick. One that throws is logged
    /// and counts as null; the client still gets the tool's outcome.
    /// </remarks>
    public Func<RequestContext<CallToolRequestParams>, string?>? UserResolver { get; set; }

    /// <summary>The user recorded when nothing tells who made the call.</summary>
    /// <value>The default is <c>unknown</c>. Must be a valid user name (<see cref="ToolCall.IsValidUser"/>): not null or empty, no lone surrogate.</value>
    public string UnknownUser { get; set; } = DefaultUnknownUser;
}
