using System.Globalization;
using System.Text.Json;
using Microsoft.SemanticKernel;

namespace ToolAudit.SemanticKernel.Filters;

/// <summary>Turns a function's return value into the text the trail keeps (length and snippet).</summary>
internal static class FunctionResultText
{
    public static string? From(KernelFunction function, FunctionResult? result)
    {
        var value = result?.GetValue<object>();
        switch (value)
        {
            case null:
                return null;
            case string text:
                return text;
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            case KernelContent content:
                return content.ToString();
            case Microsoft.Extensions.AI.ChatResponse response:
                // What a prompt function run through an IChatClient returns.
                return response.Text;
            case Microsoft.Extensions.AI.ChatMessage message:
                return message.Text;
        }

        try
        {
            // Objects are kept as the JSON the model would have been sent, not as their type name.
            return JsonSerializer.Serialize(value, value.GetType(), function.JsonSerializerOptions);
        }
#pragma warning disable CA1031 // A value that cannot be serialized must not fail the call: its ToString is kept instead.
        catch (Exception)
#pragma warning restore CA1031
        {
            return value.ToString();
        }
    }
}
