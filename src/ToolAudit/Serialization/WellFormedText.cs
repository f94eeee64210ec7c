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
    public static bool IsWellFormed(ReadOnlySpan<char> text) =>
        text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0 || AllRunesValid(text);

    private static bool AllRunesValid(ReadOnlySpan<char> span)
    {
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }

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
