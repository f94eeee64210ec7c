namespace ToolAudit.Redaction;

/// <summary>
/// Decides which argument keys name secrets. Keys are split into lower-case words (at <c>_ - . space</c>, camel case
/// and digits); a key is redacted when its words contain all the words of a configured key in a row (a configured
/// one-word key of at least <see cref="MinSuffixKeyLength"/> letters also at a word's end: <c>PGPASSWORD</c>). When its last
/// word says where a secret is kept rather than what it is (<c>password_file</c>, <c>--token-path</c>: see
/// <see cref="IsLocatorWord"/>), its value is kept only when it looks like a path (<see cref="KeyJudgement.KeptIfPath"/>).
/// A last word <c>pass</c> after another word is read as <c>password</c> (<c>DB_PASS</c>: see <see cref="PassReadAsPassword"/>).
/// </summary>
internal sealed class ArgumentKeyRedactor
{
    /// <summary>
    /// The shortest configured one-word key that is also found at the end of a longer word (<c>PGPASSWORD</c>,
    /// <c>clientsecret</c>, <c>adminpassword</c>): six letters, so <c>password</c>, <c>passwd</c>, <c>secret</c>,
    /// <c>apikey</c>, <c>cookie</c>, <c>passphrase</c>, <c>credential</c> are, and <c>token</c>, <c>auth</c> and
    /// <c>pwd</c> (<c>maxtoken</c>, <c>oauth</c>, <c>OLDPWD</c>) are not.
    /// </summary>
    internal const int MinSuffixKeyLength = 6;

    // The locator words (IsLocatorWord), longest first: passwordfilename is password and filename.
    private static readonly string[] LocatorWords = ["filename", "file", "path", "dir"];

    // Last words that make a key name something about a secret rather than the secret (see IsAboutASecret).
    private static readonly HashSet<string> AboutWords = new(StringComparer.Ordinal)
    {
        "count", "counts", "limit", "limits", "length", "len", "size", "age", "ttl", "expires", "expiry", "expiration",
        "type", "policy", "prevention", "name", "names", "arn", "endpoint",
    };

    // Last words that say when, about a secret, only after a word of time (see IsAboutASecret): expires_in, token_expires_at,
    // PasswordLastUsed; token_in and password_at are secrets' names.
    private static readonly HashSet<string> WhenWords = new(StringComparer.Ordinal) { "in", "at", "used" };

    private static readonly HashSet<string> TimeWords = new(StringComparer.Ordinal)
    {
        "expires", "expired", "issued", "created", "updated", "changed", "rotated", "refreshed", "last",
    };

    // First words that make a key a bound (max_token: 512, min_password_length).
    private static readonly HashSet<string> BoundWords = new(StringComparer.Ordinal) { "max", "min", "maximum", "minimum" };

    private readonly string[][] _patterns;

    // Whether an environment variable's name that ends in _KEY names a secret (see IsEnvironmentKey).
    private readonly bool _environmentKeys;

    public ArgumentKeyRedactor(IEnumerable<string> redactedKeys)
    {
        _patterns = redactedKeys
            .Select(static key => SplitWords(key))
            .Where(static words => words.Length > 0)
            .Distinct(WordsComparer.Instance)
            .ToArray();
        _environmentKeys = _patterns.Any(static words => words.Length > 1 && words[^1] == "key");
    }

    /// <summary>The words of each configured key, lower case (none is empty).</summary>
    public IEnumerable<IReadOnlyList<string>> Patterns => _patterns;

    /// <summary>Whether a value given <paramref name="key"/> is redacted whatever it is (see <see cref="Judge"/>).</summary>
    public bool IsRedacted(string key) => Judge(key) == KeyJudgement.Redacted;

    /// <summary>
    /// What becomes of a value given <paramref name="key"/>: redacted when the key names a secret; kept only when it
    /// looks like a path when the key says where a secret is kept (<c>password_file</c>: <see cref="KeyJudgement.KeptIfPath"/>);
    /// else kept.
    /// </summary>
    public KeyJudgement Judge(string key)
    {
        if (_patterns.Length == 0 || key.Length == 0)
        {
            return KeyJudgement.Kept;
        }

        var words = SplitWords(key);
        if (words.Length > 1 && words[^1] == "stdin")
        {
            // --password-stdin (docker login, podman login) says the secret is read from standard input: the flag
            // takes no value, and the word after it (the registry) is no secret.
            return KeyJudgement.Kept;
        }

        if (IsAboutASecret(words))
        {
            return KeyJudgement.Kept;
        }

        var judgement = JudgeWords(words);
        if (judgement == KeyJudgement.Kept && _environmentKeys && IsEnvironmentKey(key))
        {
            return KeyJudgement.Redacted;
        }

        return judgement == KeyJudgement.Kept && PassReadAsPassword(words) is { } read ? JudgeWords(read) : judgement;
    }

    /// <summary>
    /// Whether a key of two words or more names something about a secret, not the secret: a count, a limit or a time
    /// (<c>promptTokenCount</c>, <c>token_limit</c>, <c>MaxPasswordAge</c>, <c>max_token</c>; <c>in</c>, <c>at</c>
    /// and <c>used</c> after a word of time: <c>token_expires_at</c>, <c>PasswordLastUsed</c>), its type or policy
    /// (<c>token_type</c>, <c>password_policy</c>), a secret's name (<c>secretName</c>, <c>SecretArn</c>,
    /// <c>SharedAccessKeyName</c>) or where a token is asked for (<c>token_endpoint</c>). Not when a configured key
    /// holds that word itself. An id is not among them: Vault's <c>secret_id</c> is a secret.
    /// </summary>
    private bool IsAboutASecret(string[] words)
    {
        if (words.Length < 2)
        {
            return false;
        }

        var last = words[^1];
        var word = AboutWords.Contains(last) || (WhenWords.Contains(last) && TimeWords.Contains(words[^2])) ? last
            : BoundWords.Contains(words[0]) ? words[0] : null;
        if (word is null)
        {
            return false;
        }

        foreach (var pattern in _patterns)
        {
            if (Array.IndexOf(pattern, word) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="key"/> is an environment variable's name of two words or more whose last is <c>KEY</c>
    /// (<c>STRIPE_KEY</c>, <c>OPENAI_KEY</c>, <c>APP_KEY</c>, <c>DD_APP_KEY</c>): upper-case letters, digits and
    /// underscores only. Such a name in a <c>.env</c> file or an <c>env</c> listing is an API key's nearly always, while
    /// <c>sort_key</c> or <c>cacheKey</c> in arguments and JSON are not; the few that are not (<c>SORT_KEY</c>,
    /// <c>PUBLIC_KEY</c>) are redacted on the safe side. Only when some configured key is a multi-word one ending in
    /// <c>key</c> (<c>api_key</c>, by default): a host that replaced the defaults with its own list decides alone.
    /// </summary>
    private static bool IsEnvironmentKey(string key) =>
        key.Length > 4 && key.EndsWith("_KEY", StringComparison.Ordinal) && key[0] is >= 'A' and <= 'Z'
        && !key.AsSpan().ContainsAnyExcept(EnvironmentNameChars);

    private static readonly System.Buffers.SearchValues<char> EnvironmentNameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>What the configured keys say of a key split into <paramref name="words"/> (see <see cref="Judge"/>).</summary>
    private KeyJudgement JudgeWords(string[] words)
    {
        var locator = words.Length > 0 && IsLocatorWord(words[^1]);
        var judgement = KeyJudgement.Kept;
        foreach (var pattern in _patterns)
        {
            if (!ContainsRun(words, pattern))
            {
                continue;
            }

            // POSTGRES_PASSWORD_FILE=/run/secrets/db, --token-file ~/.tok: the value should be a path, not the secret
            // (a value that is no path is taken for the secret). A configured key that itself ends in such a word
            // (ssh_key_file) is a secret's name.
            if (!locator || IsLocatorWord(pattern[^1]))
            {
                return KeyJudgement.Redacted;
            }

            judgement = KeyJudgement.KeptIfPath;
        }

        return judgement == KeyJudgement.Kept && !locator && words.Length > 0 ? JudgeOneWordLocator(words) : judgement;
    }

    /// <summary>
    /// A last word that is a secret's name and a locator word run together (an all-lower or all-caps run is one word:
    /// <c>passwordfile</c>, <c>TOKENPATH</c>, <c>db_passwordfile</c>) says where a secret is kept too: <see cref="KeyJudgement.KeptIfPath"/>.
    /// </summary>
    private KeyJudgement JudgeOneWordLocator(string[] words)
    {
        var last = words[^1];
        foreach (var locatorWord in LocatorWords)
        {
            if (last.Length <= locatorWord.Length || !last.EndsWith(locatorWord, StringComparison.Ordinal))
            {
                continue;
            }

            var stemmed = (string[])words.Clone();
            stemmed[^1] = last[..^locatorWord.Length];
            foreach (var pattern in _patterns)
            {
                if (!IsLocatorWord(pattern[^1]) && ContainsRun(stemmed, pattern))
                {
                    return KeyJudgement.KeptIfPath;
                }
            }
        }

        return KeyJudgement.Kept;
    }

    internal static string[] SplitWords(string key)
    {
        var words = new List<string>(4);
        var current = new System.Text.StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            // apiKey, APIKey, XApiKey: a capital after a lower-case letter, or before a lower-case one after capitals, starts a word.
            // Digits are a word of their own (password2, oauth2Token, s3Secret): a secret word must not hide behind one.
            // OAuth is one word (the protocol), not O and Auth: OAuthProvider is oauth_provider, whose words hold no auth.
            if (current.Length > 0
                && (char.IsDigit(c) != char.IsDigit(key[i - 1])
                    || (char.IsUpper(c) && (char.IsLower(key[i - 1]) || (i + 1 < key.Length && char.IsLower(key[i + 1]) && char.IsUpper(key[i - 1])))))
                && !(current.Length == 1 && current[0] == 'o' && key.AsSpan(i).StartsWith("Auth", StringComparison.Ordinal)))
            {
                Flush();
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words.ToArray();

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>
    /// The words with <c>pass</c> or <c>pw</c> read as <c>password</c> when it is the last word (digits aside) after another
    /// word, else null: <c>DB_PASS</c>, <c>smtp_pass</c>, <c>dbPass</c>, <c>RCLONE_CONFIG_PASS</c>, <c>DB_PASS2</c>,
    /// <c>LDAP_BIND_PW</c>, <c>admin_pw</c> are redacted wherever
    /// <c>password</c> is configured; before a locator word (<c>DB_PASS_FILE</c>) it is read so too, and the value then
    /// kept only when it looks like a path. <c>pass</c> alone (<c>--pass</c>) is a verb or a flag too often to be read
    /// so, and <c>pass_through</c> does not end in it. Accepted false positives: <c>render_pass</c>,
    /// <c>boarding_pass</c>.
    /// </summary>
    private static string[]? PassReadAsPassword(string[] words)
    {
        var last = words.Length - 1;
        if (last > 0 && IsLocatorWord(words[last]))
        {
            // DB_PASS_FILE says where the password is kept, as DB_PASSWORD_FILE does.
            last--;
        }

        while (last > 0 && char.IsDigit(words[last][0]))
        {
            last--;
        }

        if (last <= 0 || words[last] is not ("pass" or "pw"))
        {
            return null;
        }

        var read = (string[])words.Clone();
        read[last] = "password";
        return read;
    }

    private static bool ContainsRun(string[] words, string[] pattern)
    {
        for (var start = 0; start + pattern.Length <= words.Length; start++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length; j++)
            {
                if (!string.Equals(words[start + j], pattern[j], StringComparison.Ordinal)
                    && !(j == pattern.Length - 1 && IsPlural(words[start + j], pattern[j])))
                {
                    match = false;
                    break;
                }
            }

            if (match)
            {
                return true;
            }
        }

        // "apikey" configured as one word also matches "api_key" written as two.
        if (pattern.Length == 1)
        {
            // PGPASSWORD, dbpassword, clientsecret: a word that ends in a configured one-word key of at least
            // MinSuffixKeyLength letters (an all-caps or all-lower run is one word, so the split finds no key in it).
            // Shorter keys are not looked for at a word's end: maxtoken, oauth, cwd.
            if (pattern[0].Length >= MinSuffixKeyLength)
            {
                foreach (var word in words)
                {
                    if (word.Length > pattern[0].Length
                        && (word.EndsWith(pattern[0], StringComparison.Ordinal)
                            || (word[^1] == 's' && word.AsSpan(0, word.Length - 1).EndsWith(pattern[0], StringComparison.Ordinal))))
                    {
                        return true;
                    }
                }
            }

            for (var start = 0; start + 1 < words.Length; start++)
            {
                if (string.Equals(string.Concat(words[start], words[start + 1]), pattern[0], StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a key's last word says where a secret is kept, not what it is: <c>file</c>, <c>filename</c>, <c>path</c>,
    /// <c>dir</c> (<c>--password-file</c>, <c>POSTGRES_PASSWORD_FILE</c>, <c>token_path</c>, <c>secrets_dir</c>). Their values
    /// should be paths, kept on record (<see cref="LocatorValue.LooksLikePath"/>); any other value is taken for the secret itself.
    /// </summary>
    internal static bool IsLocatorWord(string word) => word is "file" or "filename" or "path" or "dir";

    /// <summary>
    /// <c>passwords</c>, <c>api_keys</c> and <c>cookies</c> name secrets too; <c>tokens</c> does not (it is how models
    /// count text: <c>max_tokens</c>).
    /// </summary>
    private static bool IsPlural(string word, string singular) =>
        word.Length == singular.Length + 1 && word[^1] == 's' && word.StartsWith(singular, StringComparison.Ordinal)
        && !string.Equals(singular, "token", StringComparison.Ordinal);

    private sealed class WordsComparer : IEqualityComparer<string[]>
    {
        public static readonly WordsComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal);

        public int GetHashCode(string[] obj) => obj.Length == 0 ? 0 : StringComparer.Ordinal.GetHashCode(obj[0]);
    }
}
