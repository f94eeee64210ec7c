using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace ToolAudit.ModelContextProtocol.Results;

/// <summary>
/// Turns an MCP tool result into the text the trail keeps (length and snippet), and tells an <c>isError</c> result
/// apart from a good one.
/// </summary>
internal static class McpResultText
{
    /// <summary>The result's text blocks, one per line; other blocks as <c>[type]</c>; else its structured content.</summary>
    public static string? From(CallToolResult result)
    {
        StringBuilder? text = null;
        foreach (var block in result.Content)
        {
            Append(ref text, block is TextContentBlock textBlock ? textBlock.Text : $"[{block.Type}]");
        }

        if (text is not null)
        {
            return text.ToString();
        }

        return result.StructuredContent is { } structured ? structured.GetRawText() : null;
    }

    /// <summary>
    /// Reads what <c>McpClientTool.InvokeAsync</c> returned. It returns the whole <c>CallToolResult</c> as a
    /// <see cref="JsonElement"/> when the result has <c>isError: true</c> (or structured content), so that is where
    /// the error flag is.
    /// </summary>
    public static string? FromInvocationResult(object? result, out bool isError)
    {
        isError = false;
        switch (result)
        {
            case null:
                return null;
            case string text:
                return text;
            case JsonElement element:
                return FromJson(element, out isError);
            case AIContent content:
                return FromContent(content);
            case IEnumerable<AIContent> contents:
                StringBuilder? builder = null;
                foreach (var content in contents)
                {
                    Append(ref builder, FromContent(content));
                }

                return builder?.ToString();
            default:
                return result.ToString();
        }
    }

    private static string? FromJson(JsonElement element, out bool isError)
    {
        isError = false;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return element.GetRawText();
        }

        isError = element.TryGetProperty("isError", out var flag) && flag.ValueKind == JsonValueKind.True;
        StringBuilder? text = null;
        if (element.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                Append(ref text, BlockText(block));
            }
        }

        if (text is not null)
        {
            return text.ToString();
        }

        return element.TryGetProperty("structuredContent", out var structured) ? structured.GetRawText() : element.GetRawText();
    }

    private static string BlockText(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            return block.GetRawText();
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

    private static string FromContent(AIContent content) => content switch
    {
        TextContent text => text.Text,
        DataContent data => $"[{data.MediaType}]",
        _ => $"[{content.GetType().Name}]",
    };

    private static void Append(ref StringBuilder? text, string part)
    {
        if (text is null)
        {
            text = new StringBuilder(part);
            return;
        }

        text.Append('\n').Append(part);
    }
}
