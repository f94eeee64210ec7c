using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ToolAudit.Extensions.AI.Recording;

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
                return ToolResultEnvelope.Text(element, out isError);
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
