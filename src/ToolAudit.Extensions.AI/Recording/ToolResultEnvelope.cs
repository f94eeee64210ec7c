using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ToolAudit.Extensions.AI.Recording;

/// <summary>
/// Reads an MCP tool result given as JSON: the whole <c>CallToolResult</c> (<c>content</c> blocks, <c>isError</c>,
/// <c>structuredContent</c>), as <c>McpClientTool.InvokeAsync</c> returns it when the result is an error or has
/// structured content. Compiled into <c>ToolAudit.Extensions.AI</c> and <c>ToolAudit.ModelContextProtocol</c>, so an
/// MCP call is recorded with the same text whichever layer records it.
/// </summary>
internal static class ToolResultEnvelope
{
    /// <summary>
    /// <paramref name="element"/>'s JSON without the whitespace between its tokens: a result is kept for what it says,
    /// and a serializer that indents (<c>AIJsonUtilities.DefaultOptions</c>) would fill the snippet with line breaks.
    /// </summary>
    public static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Whether <paramref name="element"/> is such a result: an object with a <c>content</c> array and an <c>isError</c>
    /// or a <c>structuredContent</c> property (a tool's own JSON result is not taken for one for a <c>content</c> alone).
    /// </summary>
    public static bool IsEnvelope(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
        && (element.TryGetProperty("isError", out _) || element.TryGetProperty("structuredContent", out _));

    /// <summary>Whether <paramref name="element"/> is a result object with <c>"isError": true</c>.</summary>
    public static bool IsError(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("isError", out var flag) && flag.ValueKind == JsonValueKind.True;

    /// <summary>The text of the result's first block that has one; null when none has (or it is no result object).</summary>
    public static string? FirstText(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    return text.GetString();
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The result's text: its text blocks, one per line, other blocks as <c>[type]</c> (an image's base64 data is not
    /// kept); with no block, its structured content; else the JSON itself.
    /// </summary>
    /// <param name="element">The result (any JSON value; only an object is read as a result).</param>
    /// <param name="isError">Whether the result has <c>"isError": true</c>.</param>
    /// <returns>The text.</returns>
    public static string Text(JsonElement element, out bool isError)
    {
        isError = false;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Compact(element);
        }

        isError = IsError(element);
        StringBuilder? text = null;
        if (element.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                text = text is null ? new StringBuilder(BlockText(block)) : text.Append('\n').Append(BlockText(block));
            }
        }

        if (text is not null)
        {
            return text.ToString();
        }

        return Compact(element.TryGetProperty("structuredContent", out var structured) ? structured : element);
    }

    private static string BlockText(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            return Compact(block);
        }

        var type = block.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()
            : null;
        if (type == "text" && block.TryGetProperty("text", out var textElement) && textElement.ValueKind == JsonValueKind.String)
        {
            return textElement.GetString() ?? string.Empty;
        }

        return $"[{type ?? "content"}]";
    }
}
