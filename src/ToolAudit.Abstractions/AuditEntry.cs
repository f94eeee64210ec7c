using System.Text.Json;
using System.Text.Json.Serialization;

namespace ToolAudit;

/// <summary>
/// One tool call as it is stored in the trail: one line of a JSONL day file, one row of a store.
/// </summary>
/// <remarks>
/// <para>
/// The JSON names (<c>ts</c>, <c>user</c>, <c>tool</c>, <c>args</c>, <c>status</c>, <c>result_chars</c>,
/// <c>result_snippet</c>, ...) are the file format and stay compatible with the Python orchestrator's files.
/// Null properties are omitted when written; <see cref="Confirmed"/> is omitted when <see langword="false"/>.
/// </para>
/// <para>Instances are immutable once built and safe to share between threads.</para>
/// </remarks>
public sealed record AuditEntry
{
    /// <summary>Unique, time-sortable identifier of the entry (a UUIDv7 string). JSON <c>id</c>.</summary>
    /// <value>Null for lines written by writers that had no identifier (the Python orchestrator).</value>
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    /// <summary>When the call was recorded. Written in UTC with milliseconds. JSON <c>ts</c>.</summary>
    [JsonPropertyName("ts")]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who made the call: the user the agent acted for. JSON <c>user</c>.</summary>
    [JsonPropertyName("user")]
    public string User { get; init; } = string.Empty;

    /// <summary>The engine (provider) the agent ran on, such as <c>openai</c>. JSON <c>engine</c>.</summary>
    [JsonPropertyName("engine")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Engine { get; init; }

    /// <summary>The model that asked for the call. JSON <c>model</c>.</summary>
    [JsonPropertyName("model")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    /// <summary>The tool's name. JSON <c>tool</c>.</summary>
    [JsonPropertyName("tool")]
    public string Tool { get; init; } = string.Empty;

    /// <summary>
    /// The arguments as recorded: long strings cut, secrets redacted, values that cannot be serialized replaced by a
    /// type placeholder. JSON <c>args</c>.
    /// </summary>
    [JsonPropertyName("args")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? Args { get; init; }

    /// <summary>How the call ended. JSON <c>status</c>: <c>"ok"</c>, <c>"error"</c> or <c>"denied"</c>.</summary>
    [JsonPropertyName("status")]
    public AuditStatus Status { get; init; }

    /// <summary>Length of the full result in UTF-16 code units (0 when there was none). JSON <c>result_chars</c>.</summary>
    [JsonPropertyName("result_chars")]
    public int ResultChars { get; init; }

    /// <summary>The start of the result, cut on a text-element boundary. JSON <c>result_snippet</c>.</summary>
    [JsonPropertyName("result_snippet")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResultSnippet { get; init; }

    /// <summary>The conversation or session the call belongs to. JSON <c>session_id</c>.</summary>
    [JsonPropertyName("session_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SessionId { get; init; }

    /// <summary>The task the call belongs to. JSON <c>task_id</c>.</summary>
    [JsonPropertyName("task_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TaskId { get; init; }

    /// <summary>The model's tool-call identifier. JSON <c>call_id</c>.</summary>
    [JsonPropertyName("call_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CallId { get; init; }

    /// <summary>Whether a person approved the call before it ran. JSON <c>confirmed</c>, omitted when false.</summary>
    [JsonPropertyName("confirmed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Confirmed { get; init; }

    /// <summary>How long the call took, in milliseconds. JSON <c>duration_ms</c>.</summary>
    [JsonPropertyName("duration_ms")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DurationMs { get; init; }

    /// <summary>
    /// The exception type and message when the call failed, or the reason of a denial. JSON <c>error</c>.
    /// </summary>
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>The W3C trace id of the activity that was current when the call was recorded. JSON <c>trace_id</c>.</summary>
    [JsonPropertyName("trace_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    /// <summary>The W3C span id of the activity that was current when the call was recorded. JSON <c>span_id</c>.</summary>
    [JsonPropertyName("span_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SpanId { get; init; }
}
