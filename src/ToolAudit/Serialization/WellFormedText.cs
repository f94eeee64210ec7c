using System.Text;

namespace ToolAudit.Serialization;

/// <summary>
/// Text that is well-formed UTF-16 (no lone surrogate), the only kind that encodes to UTF-8 and back unchanged.
/// </summary>
internal static class WellFormedText
{
    /// <summary>Replaces lone surrogates (text no encoder can write) with U+FFFD so the line stays valid UTF-8.</summary>
    public static string Sanitize(string text) => IsWellFormed(text) ? text : ReplaceLoneSurrogates(text);

    /// <summary>False when <paramref name="text"/> holds a lone surrogate, which UTF-8 can only write as U+FFFD.</summary>
    /// <remarks>The rule <see cref="ToolCall.IsValidUser"/> applies to user names, which must also not be empty.</remarks>
    public static bool IsWellFormed(string text) => text.Length == 0 || ToolCall.IsValidUser(text);

    private static string ReplaceLoneSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(span, out var rune, out var consumed);
            builder.Append(status == System.Buffers.OperationStatus.Done ? rune.ToString() : "\uFFFD");
            span = span[Math.Max(consumed, 1)..];
        }

        return builder.ToString();
    }
}
