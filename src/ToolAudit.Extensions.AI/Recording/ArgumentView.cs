namespace ToolAudit.Extensions.AI.Recording;

/// <summary>Presents a call's arguments as the read-only dictionary <see cref="ToolCall"/> takes.</summary>
internal static class ArgumentView
{
    public static IReadOnlyDictionary<string, object?>? From(IDictionary<string, object?>? arguments) => arguments switch
    {
        null => null,

        // Dictionary<,> and AIFunctionArguments are both: no copy (the recorder copies at Record).
        IReadOnlyDictionary<string, object?> view => view,
        _ => new Dictionary<string, object?>(arguments, StringComparer.Ordinal),
    };
}
