using System.ComponentModel;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>Tools guarded by ASP.NET Core's own <see cref="AuthorizeAttribute"/>, for the SDK's authorization filters.</summary>
[McpServerToolType]
public sealed class SecuredTools
{
    private int _adminRuns;

    public int AdminRuns => Volatile.Read(ref _adminRuns);

    [McpServerTool(Name = "echo"), Description("Returns its text; open to anyone.")]
    public static string Echo(string text) => text;

    [McpServerTool(Name = "admin_reset"), Description("Only for admins."), Authorize(Roles = "admin")]
    public string AdminReset()
    {
        Interlocked.Increment(ref _adminRuns);
        return "reset done";
    }
}
