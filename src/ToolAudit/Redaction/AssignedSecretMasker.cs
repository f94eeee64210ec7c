using System.Buffers;

namespace ToolAudit.Redaction;

/// <summary>
/// Masks secrets that free text names rather than shapes (which <see cref="SecretScanner"/> finds): the value a
/// secret-named key is given (<c>password=hunter2</c>, <c>"api_key": "abc"</c>, <c>Pwd=x;</c> in a connection string,
/// <c>--token=…</c> on a command line) and the password of a URL's user information
/// (<c>postgres://app:hunter2@db/prod</c>). A key names a secret by the rules of argument keys
/// (<see cref="ArgumentKeyRedactor"/>), so <c>max_tokens: 200</c> stays as it is.
/// </summary>
/// <remarks>Only the value is replaced by <c>[redacted]</c>; its key and quotes stay, so the text still reads. Not thread-safe: each writer has one.</remarks>
internal sealed class AssignedSecretMasker
{
    private const int MaxCachedKeys = 4096;

    // Longer runs before a sign are not taken for keys (and are never looked up).
    private const int MaxKeyLength = 64;

    private static readonly SearchValues<char> Signs = SearchValues.Create("=:");

    // What ends a value that is not quoted.
    private static readonly SearchValues<char> ValueEnds = SearchValues.Create(" \t\r\n,;&\"'<>(){}[]");

    // Authorization schemes: "Authorization: Bearer abc" gives the key a value of two words.
    private static readonly string[] Schemes = ["Bearer", "Basic", "Token", "Digest", "Negotiate", "NTLM"];

    private readonly ArgumentKeyRedactor _keys;
    private readonly Dictionary<string, bool> _cache = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly Dictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _lookup;
#endif

    public AssignedSecretMasker(ArgumentKeyRedactor keys)
    {
        _keys = keys;
#if NET9_0_OR_GREATER
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>Whether <paramref name="text"/> names a secret's value that <see cref="Mask"/> would replace.</summary>
    public bool ContainsSecret(ReadOnlySpan<char> text) => FindNext(text, 0, out _, out _);

    /// <summary>Replaces each value <paramref name="text"/> gives a secret-named key, and each URL password, with <c>[redacted]</c>.</summary>
    public string Mask(string text)
    {
        if (!FindNext(text, 0, out var start, out var length))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var position = 0;
        do
        {
            builder.Append(text, position, start - position).Append(SecretScanner.Redacted);
            position = start + length;
        }
        while (FindNext(text, position, out start, out length));

        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    /// <summary>The next value to mask at or after <paramref name="from"/>.</summary>
    private bool FindNext(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        var position = from;
        while (position < text.Length)
        {
            var found = text[position..].IndexOfAny(Signs);
            if (found < 0)
            {
                break;
            }

            var sign = position + found;
            if (text[sign] == ':' && text[(sign + 1)..].StartsWith("//", StringComparison.Ordinal))
            {
                if (FindUrlPassword(text, sign + 3, out start, out length))
                {
                    return true;
                }

                position = sign + 3;
                continue;
            }

            if (NamesSecret(text, sign) && FindValue(text, sign + 1, out start, out length) && start >= from)
            {
                return true;
            }

            position = sign + 1;
        }

        start = 0;
        length = 0;
        return false;
    }

    /// <summary>Whether the key right before the sign at <paramref name="sign"/> names a secret.</summary>
    private bool NamesSecret(ReadOnlySpan<char> text, int sign)
    {
        var end = sign;
        while (end > 0 && text[end - 1] is ' ' or '\t')
        {
            end--;
        }

        // A quoted key ("password": …), also inside JSON that is itself a string (\"password\": …).
        if (end > 0 && text[end - 1] is '"' or '\'')
        {
            end--;
            if (end > 0 && text[end - 1] == '\\')
            {
                end--;
            }
        }

        var begin = end;
        while (begin > 0 && IsKeyChar(text[begin - 1]))
        {
            begin--;
            if (end - begin > MaxKeyLength)
            {
                return false;
            }
        }

        return begin < end && IsSecretKey(text[begin..end]);
    }

    private bool IsSecretKey(ReadOnlySpan<char> key)
    {
#if NET9_0_OR_GREATER
        if (_lookup.TryGetValue(key, out var secret))
        {
            return secret;
        }
#endif
        var name = key.ToString();
#if !NET9_0_OR_GREATER
        if (_cache.TryGetValue(name, out var secret))
        {
            return secret;
        }
#endif
        secret = _keys.IsRedacted(name);
        if (_cache.Count < MaxCachedKeys)
        {
            _cache[name] = secret;
        }

        return secret;
    }

    /// <summary>The value after a sign: quoted (its content), or a run up to a space or separator. Nothing for null, true, false or an object.</summary>
    private static bool FindValue(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        start = from;
        length = 0;
        while (start < text.Length && text[start] is ' ' or '\t')
        {
            start++;
        }

        if (start == text.Length)
        {
            return false;
        }

        var first = text[start];
        if (first is '"' or '\'' || (first == '\\' && start + 1 < text.Length && text[start + 1] is '"' or '\''))
        {
            var escapedQuote = first == '\\';
            var quote = escapedQuote ? text[start + 1] : first;
            start += escapedQuote ? 2 : 1;
            var end = start;
            while (end < text.Length)
            {
                if (escapedQuote ? text[end] == '\\' && end + 1 < text.Length && text[end + 1] == quote : text[end] == quote)
                {
                    break;
                }

                // An escaped char inside the quotes (\" or \\) is part of the value.
                end += !escapedQuote && text[end] == '\\' ? 2 : 1;
            }

            length = Math.Min(end, text.Length) - start;
            return length > 0;
        }

        var run = RunLength(text[start..]);
        var value = text.Slice(start, run);
        if (run == 0 || value is "null" or "true" or "false")
        {
            return false;
        }

        // "Authorization: Bearer abc": the scheme and its credentials.
        foreach (var scheme in Schemes)
        {
            if (value.Equals(scheme, StringComparison.OrdinalIgnoreCase) && start + run + 1 < text.Length && text[start + run] == ' ')
            {
                run += 1 + RunLength(text[(start + run + 1)..]);
                break;
            }
        }

        length = run;
        return true;
    }

    /// <summary>The password of the user information in the URL authority starting at <paramref name="from"/>.</summary>
    private static bool FindUrlPassword(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        start = 0;
        length = 0;
        var authority = text[from..];
        var end = authority.IndexOfAny(" \t\r\n/?#\"'<>");
        if (end >= 0)
        {
            authority = authority[..end];
        }

        var at = authority.LastIndexOf('@');
        var colon = at < 0 ? -1 : authority[..at].IndexOf(':');
        if (colon < 0 || at - colon - 1 == 0)
        {
            return false;
        }

        start = from + colon + 1;
        length = at - colon - 1;
        return true;
    }

    private static int RunLength(ReadOnlySpan<char> text)
    {
        var end = text.IndexOfAny(ValueEnds);
        return end < 0 ? text.Length : end;
    }

    private static bool IsKeyChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';
}
