using System.Text.Json;
using System.Text.Json.Serialization;

namespace ToolAudit;

/// <summary>
/// Reads and writes <see cref="AuditStatus"/> as the trail's JSON words (<c>"ok"</c>, <c>"error"</c>, <c>"denied"</c>).
/// </summary>
/// <remarks>Reading is case-insensitive; an unknown word fails with a <see cref="JsonException"/>.</remarks>
public sealed class AuditStatusJsonConverter : JsonConverter<AuditStatus>
{
    /// <inheritdoc />
    public override AuditStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string for the audit status, got {reader.TokenType}.");
        }

        var word = reader.GetString();
        return AuditStatusNames.TryParse(word, out var status)
            ? status
            : throw new JsonException($"'{word}' is not an audit status; expected \"ok\", \"error\" or \"denied\".");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, AuditStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(AuditStatusNames.ToJsonWord(value));
    }
}
