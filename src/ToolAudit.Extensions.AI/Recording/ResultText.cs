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
        if (!ToolResultEnvelope.IsError(element))
        {
            return false;
        }

        error = ToolResultEnvelope.FirstText(element) ?? "The tool reported an error (isError: true).";
        return true;
    }

    // How deep results inside results (a FunctionResultContent's Result, a list's contents) are read.
    private const int MaxNesting = 8;

    /// <summary>
    /// The text the trail keeps of <paramref name="result"/>. Never throws: what cannot be read (a content whose
    /// property throws) is kept as its <see cref="object.ToString"/>, or its type's name.
    /// </summary>
    public static string? From(object? result, JsonSerializerOptions? options)
    {
        try
        {
            return FromCore(result, options, depth: 0);
        }
#pragma warning disable CA1031 // A result the audit cannot read is still the tool's result: the call is recorded, never failed.
        catch (Exception)
        {
            try
            {
                return result?.ToString();
            }
            catch (Exception)
            {
                return $"[{result!.GetType().FullName}]";
            }
        }
#pragma warning restore CA1031
    }

    private static string? FromCore(object? result, JsonSerializerOptions? options, int depth)
    {
        if (depth > MaxNesting && result is not null)
        {
            // A result that holds itself (a FunctionResultContent whose Result is the list it is in) would recurse
            // until the stack overflows, which no catch stops.
            return $"[{result.GetType().FullName}]";
        }

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
                return FromCore(content.Result, options, depth + 1);
            case TextContent content:
                return content.Text;
            case DataContent data:
                // An image or a file: its media type, not its bytes as base64 (a megabyte's worth on the tool's path).
                return $"[{data.MediaType}]";
            case IEnumerable<AIContent> contents when contents is ICollection<AIContent> or IReadOnlyCollection<AIContent>:
                // A collection, not any sequence: a lazy one would run the host's code once more for the audit.
                StringBuilder? lines = null;
                foreach (var item in contents)
                {
                    var part = FromCore(item, options, depth + 1) ?? string.Empty;
                    lines = lines is null ? new StringBuilder(part) : lines.Append('\n').Append(part);
                }

                return lines?.ToString();
        }

        if (result is System.Collections.IEnumerable && !IsCollection(result.GetType()))
        {
            // A lazy sequence (an iterator, a query) may run the host's code, or read what can be read once: the
            // caller reads it, not the audit.
            return $"[sequence: {result.GetType().FullName}]";
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

    /// <summary>Whether <paramref name="type"/> holds its items (a list, an array, a set, a dictionary) rather than making them as it is read.</summary>
    private static bool IsCollection(Type type)
    {
        if (typeof(System.Collections.ICollection).IsAssignableFrom(type))
        {
            return true;
        }

        foreach (var contract in type.GetInterfaces())
        {
            if (contract.IsGenericType
                && (contract.GetGenericTypeDefinition() == typeof(ICollection<>) || contract.GetGenericTypeDefinition() == typeof(IReadOnlyCollection<>)))
            {
                return true;
            }
        }

        return false;
    }
}
