namespace ToolAudit.Tests.Support;

/// <summary>Typical calls for tests.</summary>
public static class Calls
{
    public static ToolCall Typical(string user = "alice", string tool = "read_file", int sequence = 0) =>
        new(user, tool, new Dictionary<string, object?> { ["path"] = "/docs/readme.md", ["seq"] = sequence }, AuditStatus.Ok, "file contents\nline two");
}
