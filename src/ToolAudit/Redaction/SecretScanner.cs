namespace ToolAudit.Redaction;

/// <summary>
/// Finds values shaped like credentials whatever their key: bearer and basic authorization values, well-known API key
/// prefixes, JSON web tokens, PEM private keys, and a .netrc entry's password (<c>login alice password hunter2</c>).
/// </summary>
internal static class SecretScanner
{
    public const string Redacted = "[redacted]";

    // Searched for by one vectorized multi-string search on every text: about thirty prefixes cost no more than twenty,
    // but forty-odd made the scan of a typical result two and a half times slower (RESULTS.md), so a prefix is added
    // only for a widely used credential.
    private static readonly string[] KeyPrefixes =
    [
        "sk-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "glpat-", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "AKIA", "ASIA", "AIza", "ya29.",
        "hf_", "npm_", "pypi-", "dckr_pat_", "hvs.",
    ];

    // Authorization schemes, matched in any case and followed by a token.
    private static readonly string[] Schemes = ["Bearer ", "Basic ", "Token "];

    private const string JwtMarker = "eyJ";
    private const string PemMarker = "-----BEGIN ";

    // A .netrc entry's password: "machine api.example.com login alice password hunter2". It has no = or : for the name
    // scan (AssignedSecretMasker) to stop at, so its keyword is one more marker of the scheme search here.
    private const string NetrcMarker = "password ";

    // How far before a .netrc password, and after its value, the entry's machine and login keywords and their words are
    // looked for.
    private const int MaxNetrcLookBack = 256;

    // Every char a secret shape can start with (all ASCII), made from the lists above, so a prefix added there is
    // never missed by the scan of short text.
    private static readonly bool[] SecretStarts = BuildSecretStarts();

    // The key prefixes by their first char (all ASCII), so a candidate is compared only with those that can match.
    private static readonly string[]?[] PrefixesByFirstChar = KeyPrefixes
        .GroupBy(static prefix => prefix[0])
        .Aggregate(new string[]?[128], static (table, group) =>
        {
            table[group.Key] = [.. group];
            return table;
        });

    /// <summary>Tells whether the text holds something shaped like a secret.</summary>
    public static bool ContainsSecret(ReadOnlySpan<char> text) => FindSecret(text, out _, out _);

    // Shorter text is scanned word start by word start: the multi-string searches cost more to set up than that.
    private const int ShortText = 64;

    // The shortest text that can hold a secret shape.
    private const int MinSecretLength = 8;

    /// <summary>Finds the first secret-shaped run in <paramref name="text"/>.</summary>
    public static bool FindSecret(ReadOnlySpan<char> text, out int start, out int length) =>
        text.Length < ShortText ? FindAtWordStarts(text, out start, out length) : FindBySearch(text, out start, out length);

    /// <summary>
    /// <see cref="FindSecret"/> by looking at every word start (a secret starts at one) whose first letter can begin a
    /// secret shape: the same answer as <see cref="FindBySearch"/>, faster on short text.
    /// </summary>
    internal static bool FindAtWordStarts(ReadOnlySpan<char> text, out int start, out int length)
    {
        for (var i = 0; i <= text.Length - MinSecretLength; i++)
        {
            if ((i == 0 || !IsTokenChar(text[i - 1])) && MayStartSecret(text[i]) && TryMatchAt(text, i, out start, out length))
            {
                return true;
            }
        }

        start = 0;
        length = 0;
        return false;
    }

    /// <summary>Whether a secret shape can start with <paramref name="c"/>: see <see cref="SecretStarts"/>.</summary>
    private static bool MayStartSecret(char c) => c < SecretStarts.Length && SecretStarts[c];

    private static bool[] BuildSecretStarts()
    {
        var starts = new bool[128];
        foreach (var scheme in Schemes)
        {
            starts[char.ToUpperInvariant(scheme[0])] = starts[char.ToLowerInvariant(scheme[0])] = true;
        }

        foreach (var prefix in KeyPrefixes)
        {
            starts[prefix[0]] = true;
        }

        starts[JwtMarker[0]] = starts[PemMarker[0]] = starts[NetrcMarker[0]] = true;
        return starts;
    }

    /// <summary><see cref="FindSecret"/> by searching for the shapes' markers.</summary>
    internal static bool FindBySearch(ReadOnlySpan<char> text, out int start, out int length)
    {
        start = 0;
        length = 0;
        var offset = 0;
        while (offset <= text.Length - MinSecretLength)
        {
            var candidate = NextCandidate(text, offset);
            if (candidate < 0)
            {
                return false;
            }

            // A secret starts at a word boundary.
            if ((candidate == 0 || !IsTokenChar(text[candidate - 1])) && TryMatchAt(text, candidate, out start, out length))
            {
                return true;
            }

            offset = candidate + 1;
        }

        return false;
    }

#if NET9_0_OR_GREATER
    // Two searches, each as the matchers compare: the schemes ignore case, the key prefixes and the JWT and PEM
    // markers do not. Split, each set is one the vectorized multi-string search handles fast; one case-insensitive
    // set of all of them fell back to a slower search and also stopped at prefixes in the wrong case.
    // The .netrc keyword is one more string of the case-insensitive set (it starts with a letter, as the schemes do: a
    // marker that starts with a space or a quote would make the search stop at nearly every one).
    private static readonly System.Buffers.SearchValues<string> SchemeMarkers = System.Buffers.SearchValues.Create(
        [.. Schemes, NetrcMarker], StringComparison.OrdinalIgnoreCase);

    private static readonly System.Buffers.SearchValues<string> ExactMarkers = System.Buffers.SearchValues.Create(
        [.. KeyPrefixes, JwtMarker, PemMarker], StringComparison.Ordinal);

    /// <summary>The next position where a secret shape may start (vectorized multi-string searches).</summary>
    private static int NextCandidate(ReadOnlySpan<char> text, int offset)
    {
        var rest = text[offset..];
        var scheme = rest.IndexOfAny(SchemeMarkers);
        var exact = (scheme < 0 ? rest : rest[..scheme]).IndexOfAny(ExactMarkers);
        var found = exact >= 0 ? exact : scheme;
        return found < 0 ? -1 : offset + found;
    }
#else
    /// <summary>The next position where a secret shape may start: every shape starts with one of these letters.</summary>
    private static int NextCandidate(ReadOnlySpan<char> text, int offset)
    {
        for (var i = offset; i < text.Length; i++)
        {
            if (MayStartSecret(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
#endif

    /// <summary>Whether a secret shape starts at <paramref name="at"/>; <paramref name="start"/> is where what is masked of it starts.</summary>
    private static bool TryMatchAt(ReadOnlySpan<char> text, int at, out int start, out int length)
    {
        start = at;
        var rest = text[at..];
        if (MatchScheme(rest, out length) || MatchPrefixedKey(rest, out length) || MatchJwt(rest, out length) || MatchPem(rest, out length)
            || MatchNetrcPassword(text, at, out start, out length))
        {
            return true;
        }

        start = 0;
        return false;
    }

    /// <summary>
    /// The password of a .netrc entry whose <c>password</c> keyword is at <paramref name="at"/>: the word after it (or
    /// a quoted one's content), when the entry's other keywords and their words are next to it, before it or after it:
    /// <c>machine</c> (or <c>default</c>) and <c>login</c>, in any order, with <c>account</c> between them too
    /// (<c>machine api.example.com login alice password hunter2</c>, <c>machine h password hunter2 login u</c>,
    /// <c>password hunter2 machine h login u</c>, also across lines). The keywords and the rest of the entry stay. Prose
    /// needs both keywords, each with its word, right beside the password to be masked.
    /// </summary>
    private static bool MatchNetrcPassword(ReadOnlySpan<char> text, int at, out int start, out int length)
    {
        start = at;
        length = 0;
        if (!text[at..].StartsWith(NetrcMarker, StringComparison.Ordinal))
        {
            return false;
        }

        var value = at + NetrcMarker.Length;
        while (value < text.Length && text[value] is ' ' or '\t')
        {
            value++;
        }

        var keywords = NetrcKeywordsBefore(text, at, Math.Max(0, at - MaxNetrcLookBack));
        if (keywords != NetrcKeywords.Both)
        {
            // After the password, to its entry's other keywords: the value's end is looked for within the same bound.
            // A value that ends a clause (p; or p,) ends the entry in a sentence or a shell line.
            var bound = Math.Min(text.Length, value + MaxNetrcLookBack);
            var valueEnd = NetrcValueEnd(text, value, bound);
            if (valueEnd > value && text[valueEnd - 1] is not (';' or ','))
            {
                keywords |= NetrcKeywordsAfter(text, valueEnd, Math.Min(text.Length, valueEnd + MaxNetrcLookBack));
            }
        }

        if (keywords != NetrcKeywords.Both)
        {
            return false;
        }

        if (value < text.Length && text[value] is '"' or '\'')
        {
            var close = text[(value + 1)..].IndexOf(text[value]);
            start = value + 1;
            length = close < 0 ? text.Length - start : close;
            return length > 0;
        }

        var end = value;
        while (end < text.Length && !IsWhite(text[end]) && text[end] is not ('"' or '\''))
        {
            end++;
        }

        start = value;
        length = end - value;
        return length > 0;
    }

    /// <summary>The .netrc keywords that name an entry's machine and its user: a password needs both beside it.</summary>
    [Flags]
    private enum NetrcKeywords
    {
        None = 0,
        Machine = 1,
        Login = 2,
        Both = Machine | Login,
    }

    // The most keyword pairs read on each side of a password: machine, login and account.
    private const int MaxNetrcPairs = 3;

    /// <summary>
    /// Which of <c>machine</c> (or <c>default</c>) and <c>login</c> are among the keyword pairs right before
    /// <paramref name="end"/> (<c>machine h login u</c>, <c>login u machine h</c>, <c>default login u</c>), read back to
    /// <paramref name="limit"/> until a word that is no keyword's.
    /// </summary>
    private static NetrcKeywords NetrcKeywordsBefore(ReadOnlySpan<char> text, int end, int limit)
    {
        var found = NetrcKeywords.None;
        for (var pair = 0; pair < MaxNetrcPairs; pair++)
        {
            if (!PreviousWord(text, end, limit, out var word))
            {
                break;
            }

            if (IsWordAt(text, word, "default"))
            {
                found |= NetrcKeywords.Machine;
                end = word;
                continue;
            }

            if (!PreviousWord(text, word, limit, out var keyword))
            {
                break;
            }

            var kind = NetrcKeywordAt(text, keyword);
            if (kind is null)
            {
                break;
            }

            found |= kind.Value;
            end = keyword;
        }

        return found;
    }

    /// <summary>
    /// Which of <c>machine</c> and <c>login</c> are among the keyword pairs right after <paramref name="from"/>
    /// (<c>password p machine h login u</c>), read up to <paramref name="bound"/> until a word that is no keyword's.
    /// </summary>
    private static NetrcKeywords NetrcKeywordsAfter(ReadOnlySpan<char> text, int from, int bound)
    {
        var found = NetrcKeywords.None;
        var at = from;
        for (var pair = 0; pair < MaxNetrcPairs; pair++)
        {
            if (!NextWord(text, at, bound, out var keyword, out var keywordEnd) || NetrcKeywordAt(text, keyword) is not { } kind
                || !NextWord(text, keywordEnd, bound, out _, out at))
            {
                break;
            }

            found |= kind;
        }

        return found;
    }

    /// <summary>The keyword of a pair at <paramref name="at"/>: <c>machine</c>, <c>login</c>, or <c>account</c> (which names neither); else null.</summary>
    private static NetrcKeywords? NetrcKeywordAt(ReadOnlySpan<char> text, int at) =>
        IsWordAt(text, at, "machine") ? NetrcKeywords.Machine
        : IsWordAt(text, at, "login") ? NetrcKeywords.Login
        : IsWordAt(text, at, "account") ? NetrcKeywords.None
        : null;

    /// <summary>Where the word at or after <paramref name="from"/> (past white space) starts and ends, when it ends before <paramref name="bound"/> or at the text's end.</summary>
    private static bool NextWord(ReadOnlySpan<char> text, int from, int bound, out int wordStart, out int wordEnd)
    {
        wordStart = from;
        while (wordStart < bound && IsWhite(text[wordStart]))
        {
            wordStart++;
        }

        wordEnd = wordStart;
        while (wordEnd < bound && !IsWhite(text[wordEnd]))
        {
            wordEnd++;
        }

        return wordEnd > wordStart && (wordEnd < bound || bound == text.Length);
    }

    /// <summary>Where the .netrc value at <paramref name="value"/> ends (past a quoted one's closing quote), or -1 when it does not before <paramref name="bound"/>.</summary>
    private static int NetrcValueEnd(ReadOnlySpan<char> text, int value, int bound)
    {
        if (value >= bound)
        {
            return -1;
        }

        if (text[value] is '"' or '\'')
        {
            var close = text[(value + 1)..bound].IndexOf(text[value]);
            return close < 0 ? -1 : value + close + 2;
        }

        var end = value;
        while (end < bound && !IsWhite(text[end]))
        {
            end++;
        }

        return end < bound || bound == text.Length ? end : -1;
    }

    /// <summary>Where the word before <paramref name="end"/> (past white space) starts, when one is there whole after <paramref name="limit"/>.</summary>
    private static bool PreviousWord(ReadOnlySpan<char> text, int end, int limit, out int wordStart)
    {
        var wordEnd = end;
        while (wordEnd > limit && IsWhite(text[wordEnd - 1]))
        {
            wordEnd--;
        }

        wordStart = wordEnd;
        while (wordStart > limit && !IsWhite(text[wordStart - 1]))
        {
            wordStart--;
        }

        return wordStart < wordEnd && wordEnd < end && (wordStart > limit || limit == 0);
    }

    /// <summary>
    /// Whether the word at <paramref name="at"/> is <paramref name="word"/>, up to white space or the text's end; after
    /// a quote too, as a command line writes an entry (<c>printf 'machine …</c>).
    /// </summary>
    private static bool IsWordAt(ReadOnlySpan<char> text, int at, string word)
    {
        at += text[at] is '"' or '\'' ? 1 : 0;
        return text[at..].StartsWith(word, StringComparison.Ordinal) && (at + word.Length == text.Length || IsWhite(text[at + word.Length]));
    }

    private static bool IsWhite(char c) => c is ' ' or '\t' or '\r' or '\n';


    /// <summary>Replaces every secret-shaped run in <paramref name="text"/> with <c>[redacted]</c>.</summary>
    public static string Mask(string text)
    {
        if (!FindSecret(text, out var start, out var length))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var position = 0;
        do
        {
            builder.Append(text, position, start).Append(Redacted);
            position += start + length;
        }
        while (FindSecret(text.AsSpan(position), out start, out length));

        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    // An authorization scheme's credentials: RFC 6750's b64token (letters, digits, - . _ ~ + / and trailing =), which
    // covers Basic's base64 too. Dots matter: opaque access tokens hold them (Google's start "ya29.").
    // A scheme's word starts prose as well ("basic internationalization support", "the bearer token_refresh_middleware"):
    // credentials hold a digit or an upper-case letter (16 random base64 chars hold neither about once in 500,000), words do not.
    private static bool MatchScheme(ReadOnlySpan<char> text, out int length) =>
        MatchMarkedToken(text, Schemes, StringComparison.OrdinalIgnoreCase, allowBase64: true, out length)
        && text[(text.IndexOf(' ') + 1)..length].ContainsAny(DigitsAndUpperCase);

    private static readonly System.Buffers.SearchValues<char> DigitsAndUpperCase =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static bool MatchPrefixedKey(ReadOnlySpan<char> text, out int length)
    {
        var first = text[0];
        if (first >= PrefixesByFirstChar.Length || PrefixesByFirstChar[first] is not { } candidates)
        {
            length = 0;
            return false;
        }

        return MatchMarkedToken(text, candidates, StringComparison.Ordinal, allowBase64: false, out length, allowDots: true);
    }

    /// <summary>One of <paramref name="markers"/>, then at least 16 token chars.</summary>
    private static bool MatchMarkedToken(ReadOnlySpan<char> text, string[] markers, StringComparison comparison, bool allowBase64, out int length, bool allowDots = false)
    {
        foreach (var marker in markers)
        {
            if (text.StartsWith(marker, comparison))
            {
                // Dots inside: opaque tokens hold them (SendGrid's SG.id.secret), and so do base64 ones.
                var token = CountTokenChars(text[marker.Length..], allowBase64, allowDots: allowBase64 || allowDots);

                // A full stop after the token ends the sentence, not the token.
                while (token > 0 && text[marker.Length + token - 1] == '.')
                {
                    token--;
                }

                if (token >= 16)
                {
                    length = marker.Length + token;
                    return true;
                }
            }
        }

        length = 0;
        return false;
    }

    private static bool MatchJwt(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        if (!text.StartsWith(JwtMarker, StringComparison.Ordinal))
        {
            return false;
        }

        // header.payload.signature; one dot is enough, so a token cut short is still recognised.
        var run = CountTokenChars(text, allowBase64: false, allowDots: true);
        var segment = text[..run];
        var dots = segment.Count('.');
        if (dots < 1 || run < 24)
        {
            return false;
        }

        length = run;
        return true;
    }

    private static bool MatchPem(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        if (!text.StartsWith(PemMarker, StringComparison.Ordinal))
        {
            return false;
        }

        // PEM's "PRIVATE KEY-----" (RSA, EC, OPENSSH, ENCRYPTED, ...) and OpenPGP's "PRIVATE KEY BLOCK-----".
        var header = text[..Math.Min(text.Length, 64)];
        if (header.IndexOf("PRIVATE KEY", StringComparison.Ordinal) < 0)
        {
            return false;
        }

        var end = text.IndexOf("-----END ", StringComparison.Ordinal);
        if (end < 0)
        {
            length = text.Length;
            return true;
        }

        var close = text[(end + 9)..].IndexOf("-----", StringComparison.Ordinal);
        length = close < 0 ? text.Length : end + 9 + close + 5;
        return true;
    }

    private static int CountTokenChars(ReadOnlySpan<char> text, bool allowBase64, bool allowDots = false)
    {
        var i = 0;
        while (i < text.Length && (IsTokenChar(text[i]) || (allowBase64 && text[i] is '+' or '/' or '=' or '~') || (allowDots && text[i] == '.')))
        {
            i++;
        }

        return i;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
