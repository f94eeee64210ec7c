using System.Text.Json.Serialization;

namespace ToolAudit;

/// <summary>
/// How a tool call ended. Written to the trail as the lower-case JSON words <c>"ok"</c>, <c>"error"</c> and <c>"denied"</c>.
/// </summary>
[JsonConverter(typeof(AuditStatusJsonConverter))]
public enum AuditStatus
{
    /// <summary>The tool ran and returned a result. Written as <c>"ok"</c>.</summary>
    Ok = 0,

    /// <summary>The tool ran and failed, or could not be run (for example an unknown tool). Written as <c>"error"</c>.</summary>
    Error = 1,

    /// <summary>The call was refused before the tool ran (a person or a policy said no). Written as <c>"denied"</c>.</summary>
    Denied = 2,
}
