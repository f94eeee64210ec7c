using System.Text.Json;

namespace ToolAudit.Tests.Support;

/// <summary>Stored entries built directly, for tests that write to a store without a recorder.</summary>
public static class Entries
{
    public static AuditEntry At(
        DateTimeOffset timestamp,
        string user = "alice",
        string tool = "read_file",
        AuditStatus status = AuditStatus.Ok,
        int sequence = 0) =>
        new()
        {
            Id = $"id-{sequence}",
            Timestamp = timestamp,
            User = user,
            Tool = tool,
            Status = status,
            Args = new Dictionary<string, JsonElement> { ["seq"] = JsonSerializer.SerializeToElement(sequence) },
            ResultChars = 6,
            ResultSnippet = "result",
        };

    /// <summary>The sequence number an entry was built with.</summary>
    public static int Seq(this AuditEntry entry) => entry.Args!["seq"].GetInt32();
}
