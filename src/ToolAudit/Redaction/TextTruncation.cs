using System.Globalization;

namespace ToolAudit.Redaction;

/// <summary>
/// Cuts text on a text-element (grapheme) boundary, so a cut never splits a surrogate pair, an emoji sequence or a
/// letter from its combining marks.
/// </summary>
internal static class TextTruncation
{
    /// <summary>The length of the longest prefix of <paramref name="text"/> that is at most <paramref name="max"/> chars and ends on a text-element boundary.</summary>
    public static int SafePrefixLength(string text, int max) => SafePrefixLength(text.AsSpan(), max);

    /// <inheritdoc cref="SafePrefixLength(string, int)"/>
    public static int SafePrefixLength(ReadOnlySpan<char> text, int max)
    {
        if (text.Length <= max)
        {
            return text.Length;
        }

        if (max <= 0)
        {
            return 0;
        }

        // Plain text (no surrogate or combining mark near the cut) is the common case: check only around the cut.
        if (IsSimpleBoundary(text, max))
        {
            return max;
        }

        var length = 0;
        while (length < max)
        {
            var next = StringInfo.GetNextTextElementLength(text[length..]);
            if (next <= 0 || length + next > max)
            {
                break;
            }

            length += next;
        }

        return length;
    }

    /// <summary>The first <paramref name="max"/> chars, cut safely; the text itself when it is short enough.</summary>
    public static string Prefix(string text, int max)
    {
        var length = SafePrefixLength(text, max);
        return length == text.Length ? text : text.Substring(0, length);
    }

    /// <summary>The Python orchestrator's argument cut: the prefix followed by <c> …[N chars total]</c>.</summary>
    public static string TruncateArgument(string text, int max) =>
        text.Length <= max ? text : TruncateArgument(text, max, text.Length);

    /// <summary>
    /// The cut of <paramref name="text"/> (a form of a longer original, e.g. masked) at <paramref name="max"/>, followed by
    /// the original's length: <c> …[<paramref name="totalLength"/> chars total]</c>.
    /// </summary>
    public static string TruncateArgument(string text, int max, int totalLength) =>
        string.Concat(text.AsSpan(0, SafePrefixLength(text, max)), " …[", totalLength.ToString(CultureInfo.InvariantCulture), " chars total]");

    private static bool IsSimpleBoundary(ReadOnlySpan<char> text, int cut)
    {
        // Both sides of the cut must be ASCII-ish letters that cannot join: below U+0300 (combining marks start
        // there) and not a CR+LF pair, which is one text element.
        var before = text[cut - 1];
        var after = text[cut];
        return before < '\u0300' && after < '\u0300' && !(before == '\r' && after == '\n');
    }
}
