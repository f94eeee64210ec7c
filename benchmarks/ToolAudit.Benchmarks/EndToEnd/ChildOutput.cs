using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>The one line a child prints for the harness: <c>RESULT {json}</c>.</summary>
internal static class ChildOutput
{
    public const string Prefix = "RESULT ";

    public static string ToLine<T>(T result, JsonTypeInfo<T> info) => Prefix + JsonSerializer.Serialize(result, info);

    /// <summary>Finds the result line in a child's standard output; null when there is none.</summary>
    public static T? Parse<T>(string output, JsonTypeInfo<T> info)
        where T : class
    {
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize(line.AsSpan(Prefix.Length).Trim(), info);
            }
        }

        return null;
    }
}
