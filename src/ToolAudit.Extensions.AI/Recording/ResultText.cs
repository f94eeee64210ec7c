using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI.Recording;

/// <summary>Turns what a function returned into the text the trail keeps (its length and a snippet).</summary>
internal static class ResultText
{
    /// <summary>
    /// Tells whether a result says the tool failed: an MCP <c>CallToolResult</c> (as MCP client
    /// functions return it, a JSON object) with <c>"isError": true</c>. The error is its first text content.
    /// </summary>
    public static bool IsToolError(object? result, out string? error)
    {
        error = null;
        var element = result switch
        {
            JsonElement json => json,
            FunctionResultContent { Result: JsonElement json } => json,
            _ => default,
        };
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("isError", out var isError)
            || isError.ValueKind != JsonValueKind.True)
        {
            return false;
        }

        error = "The tool reported an error (isError: true).";
        if (element.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in content.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    error = text.GetString();
                    break;
                }
            }
        }

        return true;
    }

    public static string? From(object? result, JsonSerializerOptions? options)
    {
        switch (result)
        {
            case null:
                return null;
            case string text:
                return text;
            case JsonElement element:
                return element.ValueKind switch
                {
                    JsonValueKind.Undefined => null,
                    JsonValueKind.String => element.GetString(),
                    _ when ToolResultEnvelope.IsEnvelope(element) => ToolResultEnvelope.Text(element, out _),
                    _ => ToolResultEnvelope.Compact(element),
                };
            case JsonNode node:
                return node.ToJsonString();
            case FunctionResultContent content:
                return From(content.Result, options);
            case TextContent content:
                return content.Text;
            case DataContent data:
                // An image or a file: its media type, not its bytes as base64 (a megabyte's worth on the tool's path).
                return $"[{data.MediaType}]";
            case IEnumerable<AIContent> contents:
                StringBuilder? lines = null;
                foreach (var item in contents)
                {
                    var part = From(item, options) ?? string.Empty;
                    lines = lines is null ? new StringBuilder(part) : lines.Append('\n').Append(part);
                }

                return lines?.ToString();
        }

        try
        {
            // Written unindented whatever the options say (the writer's options decide that): see ToolResultEnvelope.Compact.
            var serializerOptions = options ?? AIJsonUtilities.DefaultOptions;
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = serializerOptions.Encoder ?? JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
            {
                JsonSerializer.Serialize(writer, result, serializerOptions.GetTypeInfo(result.GetType()));
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
#pragma warning disable CA1031 // A result that cannot be serialized is still a successful call: keep what ToString says.
        catch (Exception)
#pragma warning restore CA1031
        {
            return result.ToString();
        }
    }
}
