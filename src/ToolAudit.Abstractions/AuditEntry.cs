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
/// <para>
/// Two entries are equal when every property is, <see cref="Args"/> by content: the same keys, each with a value that
/// says the same in JSON (strings compared unescaped, numbers by value, objects whatever their property order, arrays
/// in order), so one line read twice, or read back after it was written, gives equal entries.
/// </para>
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
    /// <summary>Whether <paramref name="other"/> holds the same values, <see cref="Args"/> compared by content.</summary>
    /// <param name="other">The entry to compare with.</param>
    /// <returns>True when every property agrees.</returns>
    public bool Equals(AuditEntry? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Id == other.Id
                && Timestamp.Equals(other.Timestamp)
                && User == other.User
                && Engine == other.Engine
                && Model == other.Model
                && Tool == other.Tool
                && Status == other.Status
                && ResultChars == other.ResultChars
                && ResultSnippet == other.ResultSnippet
                && SessionId == other.SessionId
                && TaskId == other.TaskId
                && CallId == other.CallId
                && Confirmed == other.Confirmed
                && Nullable.Equals(DurationMs, other.DurationMs)
                && Error == other.Error
                && TraceId == other.TraceId
                && SpanId == other.SpanId
                && SameArgs(Args, other.Args)));

    /// <summary>A hash consistent with <see cref="Equals(AuditEntry?)"/> (of the arguments, only how many there are).</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Id);
        hash.Add(Timestamp);
        hash.Add(User);
        hash.Add(Tool);
        hash.Add(Status);
        hash.Add(ResultChars);
        hash.Add(CallId);
        hash.Add(Args?.Count ?? -1);
        return hash.ToHashCode();
    }

    private static bool SameArgs(IReadOnlyDictionary<string, JsonElement>? left, IReadOnlyDictionary<string, JsonElement>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        foreach (var (key, value) in left)
        {
            if (!right.TryGetValue(key, out var other) || !SameJson(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameJson(JsonElement left, JsonElement right)
    {
        if (left.ValueKind != right.ValueKind)
        {
            return false;
        }

        switch (left.ValueKind)
        {
            case JsonValueKind.String:
                return left.ValueEquals(right.GetString());
            case JsonValueKind.Number:
                return left.GetRawText() == right.GetRawText()
                    || (left.TryGetDecimal(out var leftNumber) && right.TryGetDecimal(out var rightNumber) && leftNumber == rightNumber)
                    || (left.TryGetDouble(out var leftDouble) && right.TryGetDouble(out var rightDouble) && leftDouble.Equals(rightDouble));
            case JsonValueKind.Array:
                if (left.GetArrayLength() != right.GetArrayLength())
                {
                    return false;
                }

                using (var leftItems = left.EnumerateArray())
                using (var rightItems = right.EnumerateArray())
                {
                    while (leftItems.MoveNext() && rightItems.MoveNext())
                    {
                        if (!SameJson(leftItems.Current, rightItems.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Object:
                return HasEveryPropertyOf(left, right) && HasEveryPropertyOf(right, left);
            default:
                // true, false, null: the kind is the value.
                return true;
        }
    }

    private static bool HasEveryPropertyOf(JsonElement source, JsonElement target)
    {
        foreach (var property in source.EnumerateObject())
        {
            if (!target.TryGetProperty(property.Name, out var other) || !SameJson(property.Value, other))
            {
                return false;
            }
        }

        return true;
    }
}
