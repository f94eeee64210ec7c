using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ToolAudit.ModelContextProtocol.Tests.Support;

/// <summary>The server's real tools: one that works, one that throws, one that reports isError, one for admins.</summary>
[McpServerToolType]
public sealed class TestTools
{
    private int _adminRuns;

    /// <summary>How many times <c>admin_reset</c> really ran on this server.</summary>
    public int AdminRuns => Volatile.Read(ref _adminRuns);

    [McpServerTool(Name = "echo"), Description("Returns its text.")]
    public string Echo(string text) => text;

    [McpServerTool(Name = "explode"), Description("Always throws.")]
    public string Explode(string reason) => throw new InvalidOperationException($"disk on fire: {reason}");

    [McpServerTool(Name = "soft_fail"), Description("Reports a failure in its result.")]
    public CallToolResult SoftFail() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = "quota exceeded for this folder" }],
    };

    [McpServerTool(Name = "admin_reset"), Description("Only for admins.")]
    public string AdminReset()
    {
        Interlocked.Increment(ref _adminRuns);
        return "reset done";
    }
}
