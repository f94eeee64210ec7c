using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI.Recording;

/// <summary>Turns what a function returned into the text the trail keeps (its length and a snippet).</summary>
internal static class ResultText
{
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
                    _ => element.GetRawText(),
                };
            case JsonNode node:
                return node.ToJsonString();
            case FunctionResultContent content:
                return From(content.Result, options);
            case TextContent content:
                return content.Text;
        }

        try
        {
            var serializerOptions = options ?? AIJsonUtilities.DefaultOptions;
            return JsonSerializer.Serialize(result, serializerOptions.GetTypeInfo(result.GetType()));
        }
#pragma warning disable CA1031 // A result that cannot be serialized is still a successful call: keep what ToString says.
        catch (Exception)
#pragma warning restore CA1031
        {
            return result.ToString();
        }
    }
}
