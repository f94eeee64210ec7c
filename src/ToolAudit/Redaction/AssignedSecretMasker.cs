using System.Buffers;

namespace ToolAudit.Redaction;

/// <summary>
/// Masks secrets that free text names rather than shapes (which <see cref="SecretScanner"/> finds): the value a
/// secret-named key is given (<c>password=hunter2</c>, <c>"api_key": "abc"</c>, also in JSON made a string once or more:
/// <c>\"api_key\": \"abc\"</c>, <c>\\\"api_key\\\": …</c>; <c>Pwd=x;</c> in a connection string, <c>--token=…</c> or
/// <c>--token …</c> on a command line, <c>&lt;password&gt;hunter2&lt;/password&gt;</c>, a YAML key's value on the lines
/// indented under it, <c>password:\n  hunter2</c> or a block scalar's, <c>password: |\n  hunter2</c>), the value a
/// name, key or type property names, before or after it (<c>{"name": "password", "value": "…"}</c>,
/// <c>{"value": "…", "name": "password"}</c>, <c>&lt;add key="ApiKey" value="…"/&gt;</c>, <c>&lt;input type="password" value="…"&gt;</c>),
/// the value of a one-letter password flag after a command known to take one (<c>mysql -phunter2</c>,
/// <c>sshpass -p hunter2</c>, <c>curl -u alice:hunter2</c>: see <see cref="PasswordFlagsOf"/>) and the password of a URL's user information
/// (<c>postgres://app:hunter2@db/prod</c>). A key names a secret by the rules of argument keys
/// (<see cref="ArgumentKeyRedactor"/>), so <c>max_tokens: 200</c> stays as it is.
/// </summary>
/// <remarks>Only the value is replaced by <c>[redacted]</c>; its key and quotes stay, so the text still reads. Not thread-safe: each writer has one.</remarks>
internal sealed class AssignedSecretMasker
{
    private const int MaxCachedKeys = 4096;

    // A key is judged by at most its last this many chars, the words nearest its value, so what is looked up (and
    // cached) is bounded however long the run before a sign.
    private const int MaxKeyLength = 64;

    // The most backslashes that escape a key's or a value's quote: JSON that was made a string once writes \",
    // twice \\\", three times \\\\\\\" (each time doubles them and adds one), four times 15 of them.
    private const int MaxQuoteEscapes = 15;

    // How far before its sign a key is looked for past MaxKeyLength: its closing quote, plain or escaped once (\").
    // A key whose quote is escaped deeper is found when it is that much shorter (50 chars before 15 backslashes): a
    // stretch widened for those cost a JSON snippet 13% more (RedactionBenchmarks.Names_Json).
    private const int MaxKeyQuote = 2;

    // How much of a configured key's first word is searched for: enough to be rare in ordinary text. A one-word key
    // also matches two words that spell it (apikey: api_key, apiKey), so only its first three letters are sure to be
    // in the text as they are.
    private const int TriggerLength = 4;
    private const int OneWordTriggerLength = 3;

    // The longest text searched for: a trigger, or the URL marker.
    private const int MaxTriggerLength = TriggerLength;

    private const string UrlMarker = "://";

    // The password flags of the commands PasswordFlagsOf knows. An empty list: a command whose one-letter flags take no
    // password (ssh -p is a port), which ends the look for one.
    private static readonly PasswordFlag[] NoFlags = [];
    private static readonly PasswordFlag[] DashP = [new("p", PasswordPart.Whole)];
    private static readonly PasswordFlag[] ZipFlags = [new("P", PasswordPart.Whole)];

    // redis-cli also takes the password as --pass (--askpass asks for it).
    private static readonly PasswordFlag[] RedisFlags = [new("a", PasswordPart.Whole), new("-pass", PasswordPart.Whole)];

    // ssh-keygen takes the new passphrase with -N and the old one with -P.
    private static readonly PasswordFlag[] SshKeygenFlags = [new("N", PasswordPart.Whole), new("P", PasswordPart.Whole)];

    // Java's keytool and jarsigner: words with one dash, never joined to their value (-storepass:env VAR names a variable).
    private static readonly PasswordFlag[] JavaKeyToolFlags =
    [
        new("storepass", PasswordPart.Whole, Attached: false), new("keypass", PasswordPart.Whole, Attached: false),
        new("srcstorepass", PasswordPart.Whole, Attached: false), new("deststorepass", PasswordPart.Whole, Attached: false),
        new("srckeypass", PasswordPart.Whole, Attached: false), new("destkeypass", PasswordPart.Whole, Attached: false),
        new("new", PasswordPart.Whole, Attached: false),
    ];
    private static readonly PasswordFlag[] LdapFlags = [new("w", PasswordPart.Whole)];

    // ldappasswd also takes the old password with -a and the new one with -s (-A and -S ask for them).
    private static readonly PasswordFlag[] LdapPasswdFlags = [new("w", PasswordPart.Whole), new("a", PasswordPart.Whole), new("s", PasswordPart.Whole)];
    private static readonly PasswordFlag[] CurlFlags =
        [new("u", PasswordPart.AfterColon), new("U", PasswordPart.AfterColon), new("-user", PasswordPart.AfterColon), new("-proxy-user", PasswordPart.AfterColon)];
    private static readonly PasswordFlag[] SambaFlags = [new("U", PasswordPart.AfterPercent), new("-user", PasswordPart.AfterPercent)];

    // OpenSSL's options are words with one dash, never joined to their value: -kfile is another option.
    private static readonly PasswordFlag[] OpenSslFlags =
    [
        new("k", PasswordPart.Whole, Attached: false), new("pass", PasswordPart.AfterPassPrefix), new("passin", PasswordPart.AfterPassPrefix),
        new("passout", PasswordPart.AfterPassPrefix),
    ];

    // The key of a property whose value another property names (<add key="ApiKey" value="…"/>, {"name": "password",
    // "value": …}) ends in this word; its start is searched for like a trigger.
    private const string ValueWord = "value";

    // The words SQL gives a password's literal after (ALTER USER app WITH PASSWORD 'hunter2', IDENTIFIED BY 'hunter2'),
    // and the PowerShell command that takes a password in clear (ConvertTo-SecureString "…" -AsPlainText): the last
    // two are searched for like keys' triggers (IdentifiedTrigger, SecureStringTrigger), the first holds one.
    private const string PasswordWord = "password";
    private const string IdentifiedWord = "identified";
    private const string IdentifiedTrigger = "iden";
    private const string ConvertToSecureString = "ConvertTo-SecureString";
    private const string SecureStringTrigger = "-sec";

    // The parameters ConvertTo-SecureString may be given before the value: -String names it, -AsPlainText and -Force
    // are switches.
    private const string StringParameter = "-String";
    private static readonly string[] SecureStringParameters = [StringParameter, "-AsPlainText", "-Force"];

    // The last word of most multi-word secret keys (api_key, private_key, signing_key), searched for in their place.
    private const string KeyWord = "key";

    // How many properties before a value, or after it, are looked at for the name or key that names it ({"Name": …,
    // "Type": …, "Value": …}, as AWS gives a parameter).
    private const int MaxPropertiesBeforeValue = 3;

    // How far a value is read when the name that names it may follow it ({"value": "…", "name": "password"}): far
    // enough for any password or key written by hand, and bounded, so a run of value keys costs each the same.
    private const int MaxValueBeforeName = 256;

    // How far before or after a value flag (--value) SecureString is looked for on its line, which makes its value a
    // secret: aws ssm put-parameter --name /prod/db --type SecureString --value hunter2.
    private const int MaxSecureStringDistance = 256;

    // How far back a YAML key's line start is looked for (its column: no YAML is indented so deep), and how far a
    // block scalar header's comment is read (password: | # note).
    private const int MaxYamlReach = 256;

    /// <summary>The type AWS Systems Manager gives a parameter whose value is a secret.</summary>
    internal const string SecureStringType = "SecureString";

    // How far before a one-letter flag (-p) its command is looked for (mysql -u root -h db -phunter2).
    private const int MaxCommandLookBack = 256;

    // The longest opening tag, from its name to its >, that an element's content is masked after (attributes: the
    // WS-Security <wsse:Password Type="…#PasswordText">).
    private const int MaxTagLength = 256;

    // What comes before a key, or starts one: = : after a key (password=…), > after an element's name
    // (<password>…), - before a flag's name (--password …), ' after the words SQL gives a password after
    // (PASSWORD 'hunter2', IDENTIFIED BY '…'), % of an encoded = in a query nested in a URL (token%3D…). An ASCII set
    // of six is searched about as fast as the two it was (a bitmap search, not a packed compare:
    // RedactionBenchmarks.Names_Prose).
    private static readonly SearchValues<char> Signs = SearchValues.Create("=:>-'%");

#if NET9_0_OR_GREATER
    // The word a command's config set starts with (FindConfigSetValue), searched for apart from the signs.
    private static readonly SearchValues<string> ConfigWord = SearchValues.Create(["config"], StringComparison.OrdinalIgnoreCase);
#endif

    // What ends a command on a command line: its line, or the next command.
    private static readonly SearchValues<char> CommandEnds = SearchValues.Create("\r\n;&|");

    // What ends a value that is not quoted.
    private static readonly SearchValues<char> ValueEnds = SearchValues.Create(" \t\r\n,;&\"'<>(){}[]");

    // What ends a path that is not quoted, when a key that says where a secret is kept is given one: braces, brackets
    // and parentheses may be part of it (${HOME}/.pgpass).
    private static readonly SearchValues<char> PathEnds = SearchValues.Create(" \t\r\n,;&\"'<>");

    // What a one-dash flag's word is made of (IsOneDashWord): -Password, -ApiKey, -token.
    private static readonly SearchValues<char> OneDashWordChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    // What ends an image's tag or a host's port after its colon (IsTagOrPort).
    private static readonly SearchValues<char> TagEnds = SearchValues.Create(" \t\r\n/,;\"'");

    // Words that name a password, a token or a key in a key, whatever the words around them (NamesPasswordLike).
    private static readonly string[] PasswordLikeWords = ["pass", "pwd", "secret", "token", "key", "cred", "sig"];

    // The extensions of source files, whose names are locations (IsSourceFileName), not keys: auth.go:42:.
    private static readonly HashSet<string> SourceFileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "py", "pyi", "go", "ts", "tsx", "js", "jsx", "mjs", "cjs", "cs", "fs", "vb", "java", "kt", "kts", "scala", "rb",
        "rs", "c", "h", "cc", "cpp", "hpp", "cxx", "m", "mm", "swift", "php", "pl", "pm", "lua", "dart", "ex", "exs",
        "erl", "clj", "sh", "bash", "zsh", "ps1", "psm1", "sql", "vue", "svelte", "tf", "csproj", "gradle",
    };

    // Authorization schemes: "Authorization: Bearer abc" gives the key a value of two words.
    private static readonly string[] Schemes = ["Bearer", "Basic", "Token", "Digest", "Negotiate", "NTLM"];

    private readonly ArgumentKeyRedactor _keys;
    private readonly string[] _triggers;

    // Whether one-letter password flags are looked for (mysql -phunter2): only when some key is redacted at all.
    private readonly bool _shortFlags;

    // Whether pass alone, given a value, is a password's key: when password is redacted.
    private readonly bool _passIsPassword;
    private readonly Dictionary<string, KeyJudgement> _cache = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly SearchValues<string> _triggerSearch;
    private readonly Dictionary<string, KeyJudgement>.AlternateLookup<ReadOnlySpan<char>> _lookup;
#endif

    /// <summary>Creates a masker for the keys <paramref name="keys"/> redacts.</summary>
    /// <param name="keys">Which key names secrets.</param>
    public AssignedSecretMasker(ArgumentKeyRedactor keys)
    {
        _keys = keys;

        // A secret-named key holds the first word of one of the configured keys: the start of that word, and the
        // URL marker, are what the text is searched for. Only where one is found is a key looked at.
        var patterns = keys.Patterns.ToArray();
        var own = patterns.Select(static words => Trigger(words)).ToArray();
        _triggers = own
            .Where((trigger, i) => !FoundByAnother(patterns[i], trigger, own))
            .Append(UrlMarker)
            .Concat(patterns.Length > 0 ? [ValueWord[..TriggerLength], IdentifiedTrigger, SecureStringTrigger] : [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        _shortFlags = patterns.Length > 0;
        _passIsPassword = keys.IsRedacted("password");
#if NET9_0_OR_GREATER
        _triggerSearch = SearchValues.Create(_triggers, StringComparison.OrdinalIgnoreCase);
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>
    /// What the text is searched for to find a key of the configured key <paramref name="words"/>: the start of its
    /// first word; for a key whose last word is <c>key</c> (<c>private_key</c>, <c>signing_key</c>, <c>master_key</c>),
    /// that word, so that all such keys share one search string (each one more makes the search slower on every text).
    /// </summary>
    private static string Trigger(IReadOnlyList<string> words) =>
        words.Count > 1 && words[^1] == KeyWord
            ? KeyWord
            : words[0][..Math.Min(words[0].Length, words.Count == 1 ? OneWordTriggerLength : TriggerLength)];

    /// <summary>
    /// Whether a one-word key holds another key's trigger (<c>sshpass</c> holds <c>pas</c>, <c>apikey</c> holds
    /// <c>key</c>): every key that matches it holds that trigger too, so it needs no search string of its own.
    /// </summary>
    private static bool FoundByAnother(IReadOnlyList<string> words, string trigger, string[] triggers) =>
        words.Count == 1 && triggers.Any(other => other != trigger && words[0].Contains(other, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="text"/> names a secret's value that <see cref="Mask"/> would replace.</summary>
    /// <param name="text">The text.</param>
    /// <param name="commandLines">
    /// Whether a command's <c>config set</c> is looked for too (<c>aws configure set aws_secret_access_key …</c>): for
    /// arguments, where command lines are; a result's or an error's text is spared that search (one more pass).
    /// </param>
    public bool ContainsSecret(ReadOnlySpan<char> text, bool commandLines = true)
    {
        var dashes = DashCursor.None;
        var configs = commandLines ? -1 : text.Length;
        return FindNext(text, 0, out _, out _, ref dashes, ref configs);
    }

    /// <summary>Replaces each value <paramref name="text"/> gives a secret-named key, and each URL password, with <c>[redacted]</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="commandLines">Whether a command's <c>config set</c> is looked for too (see <see cref="ContainsSecret"/>).</param>
    public string Mask(string text, bool commandLines = true)
    {
        var dashes = DashCursor.None;
        var configs = commandLines ? -1 : text.Length;
        if (!FindNext(text, 0, out var start, out var length, ref dashes, ref configs))
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
        while (FindNext(text, position, out start, out length, ref dashes, ref configs));

        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    /// <summary>The next value to mask at or after <paramref name="from"/>.</summary>
    /// <remarks>
    /// Every value to mask follows an <c>=</c> or a <c>:</c> (a URL's marker holds one too) or an element's <c>&gt;</c>,
    /// and its key ends just before that sign (a quote, spaces), at most <see cref="MaxKeyLength"/> chars long; or it
    /// follows a flag whose name starts just after a dash (<c>--password hunter2</c>); or it is a SQL literal whose
    /// opening quote is the sign, after the words that name it (<c>PASSWORD 'hunter2'</c>). So the text is searched for signs
    /// first (one vectorized search), and for triggers only in the stretch before each sign where its key can lie:
    /// text with few signs (prose) costs little more than the sign search, text with many (JSON) one trigger search.
    /// </remarks>
    private bool FindNext(ReadOnlySpan<char> text, int from, out int start, out int length, ref DashCursor dashes, ref int configs)
    {
        var signed = FindNextSigned(text, from, out start, out length, ref dashes);

        // The one form with no sign at all: a secret-named key given to a command's config set (aws configure set
        // aws_secret_access_key …). The earlier of the two matches is the next one. configs is where the next "config"
        // not yet passed by is (-1 before the first search), kept by the caller across the calls of one text, so
        // each char is searched for it once.
        if (FindConfigSetValue(text, from, signed ? start : text.Length, ref configs, out var setStart, out var setLength))
        {
            start = setStart;
            length = setLength;
            return true;
        }

        return signed;
    }

    /// <summary>The next value to mask at or after <paramref name="from"/> that a sign leads to (see <see cref="FindNext"/>).</summary>
    private bool FindNextSigned(ReadOnlySpan<char> text, int from, out int start, out int length, ref DashCursor dashes)
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
            var keyZone = sign;
            while (keyZone > position && text[keyZone - 1] is ' ' or '\t')
            {
                keyZone--;
            }

            // The stretch a key of this sign, with its quote (maybe escaped), can lie in; and the URL marker at it.
            // Signs whose keys can start before it ends (dense text: JSON) extend it, one step at a time as the search
            // gets there, so each char is searched about once however many values are masked in a row.
            var searched = Math.Max(position, keyZone - MaxKeyQuote - MaxKeyLength);
            var lastSign = sign;
            var stretchEnd = StretchEnd(text, sign);
            while (true)
            {
                while (searched < stretchEnd)
                {
                    var hit = NextTrigger(text, stretchEnd, searched, ref dashes);
                    if (hit < 0)
                    {
                        // A trigger across the stretch's end is found once the stretch grows.
                        searched = Math.Max(searched, stretchEnd - (MaxTriggerLength - 1));
                        break;
                    }

                    // A secret piped in before its command (echo … | docker login --password-stdin) lies before the
                    // flag that tells of it: one before a value already masked cannot be masked any more.
                    if (Matches(text, hit, out start, out length, out var next) && start >= from)
                    {
                        return true;
                    }

                    searched = next;
                }

                var reach = text[stretchEnd..Math.Min(text.Length, stretchEnd + MaxKeyQuote + MaxKeyLength)];
                var more = reach.LastIndexOfAny(Signs);
                if (more < 0)
                {
                    break;
                }

                lastSign = stretchEnd + more;
                stretchEnd = StretchEnd(text, lastSign);
            }

            position = Math.Max(searched, lastSign + 1);
        }

        start = 0;
        length = 0;
        return false;
    }

    /// <summary>
    /// How far past <paramref name="sign"/> triggers are searched: the URL marker a colon starts; after a dash, a flag's
    /// name (--password, --db-password: each dash in it reaches over the rest, so a name of up to MaxKeyLength chars is
    /// searched whole however its dashes fall at a stretch's end).
    /// </summary>
    private static int StretchEnd(ReadOnlySpan<char> text, int sign) =>
        Math.Min(text.Length, sign + (text[sign] == '-' ? 1 + MaxKeyLength : UrlMarker.Length));

    /// <summary>
    /// Whether the trigger at <paramref name="hit"/> starts a URL password or is part of a secret-named key with a
    /// value; <paramref name="next"/> is where to search on when it is not.
    /// </summary>
    private bool Matches(ReadOnlySpan<char> text, int hit, out int start, out int length, out int next)
    {
        if (text[hit..].StartsWith(UrlMarker, StringComparison.Ordinal))
        {
            next = hit + UrlMarker.Length;
            return FindUrlPassword(text, next, out start, out length);
        }

        if (hit + 1 < text.Length && text[hit + 1] == '-' && text[hit] is ' ' or '"' or '\'')
        {
            // A short-flag trigger (key triggers start with a letter).
            next = hit + 1;
            return FindShortFlagValue(text, hit + 1, out start, out length);
        }

        // The key the trigger is part of, and what follows it: a closing quote, spaces, then = or :. To the end of
        // the run, however long: the search goes on after it, so each char is passed once.
        var keyEnd = hit;
        while (keyEnd < text.Length && IsKeyChar(text[keyEnd]))
        {
            keyEnd++;
        }

        // A longer key is judged by its last MaxKeyLength chars, the words nearest its value
        // (SOME_VERY_LONG_PREFIX_DB_PASSWORD=…), as long as the trigger is among them.
        var keyStart = hit;
        while (keyStart > 0 && keyEnd - keyStart < MaxKeyLength && IsKeyChar(text[keyStart - 1]))
        {
            keyStart--;
        }

        // A key in a query that is itself percent-encoded in a URL (?next=%2Fcb%3Ftoken%3Dabc, &redirect=…%26api_key%3D…),
        // once or twice (%253Ftoken%253D…): the escape before it (%3F, %26, %253F, %22) is no part of its name.
        if (keyStart > 0 && text[keyStart - 1] == '%' && TryDecodeEscape(text, keyStart - 1, out _, out var escapeEnd) && escapeEnd <= hit)
        {
            keyStart = escapeEnd;
        }

        next = Math.Max(keyEnd, hit + 1);
        var sign = SignAfter(text, keyEnd);
        start = 0;
        length = 0;
        if (keyEnd - keyStart > MaxKeyLength)
        {
            return false;
        }

        if (sign == keyEnd && keyStart > 0 && text[keyStart - 1] == '/' && text[sign] == ':' && IsTagOrPort(text, keyStart, keyEnd))
        {
            // A host with its port, or an image with its tag, not a key and its value: http://token-service:8080/healthz,
            // ghcr.io/acme/auth-service:v1.4.2. Not grep's file:content (/run/secrets/db_password:hunter2, or :1234).
            return false;
        }

        if (sign < 0)
        {
            // No sign: a flag (--password hunter2) or an element (<password>hunter2</password>), judged by their shape
            // first (cheap), then by the name.
            // A key that says where a secret is kept (--password-file, <token_path>) keeps a value that looks like a path.
            if (IsFlag(text, keyStart, keyEnd))
            {
                var flag = JudgeKey(text[keyStart..keyEnd]);
                if (flag == KeyJudgement.Kept && IsSecureStringValueFlag(text, keyStart, keyEnd))
                {
                    flag = KeyJudgement.Redacted;
                }

                if (flag == KeyJudgement.Kept && ReadsSecretFromStdin(text, keyStart, keyEnd))
                {
                    return FindStdinSecret(text, keyStart, keyEnd, out start, out length);
                }

                return flag != KeyJudgement.Kept && FindFlagValue(text, keyStart, keyEnd, out start, out length) && IsRedactedValue(flag, text, start, length);
            }

            // A secret after words: SQL's PASSWORD 'hunter2' and IDENTIFIED BY 'hunter2', ConvertTo-SecureString "…".
            if (FindValueAfterWords(text, keyStart, keyEnd, out start, out length))
            {
                return true;
            }

            // A configuration key and its value given to set: dotnet user-secrets set "Db:Password" "hunter2".
            if (FindSetValue(text, keyStart, keyEnd, out var setJudgement, out start, out length))
            {
                return IsRedactedValue(setJudgement, text, start, length);
            }

            // What a secrets command line is given to set: gh secret set NAME --body hunter2, fly secrets set NAME=hunter2.
            if (FindSecretsSetValue(text, keyStart, keyEnd, out start, out length))
            {
                return true;
            }

            // A call given a secret's name and then its value: os.Setenv("API_TOKEN", "…"), define('DB_PASSWORD', '…').
            if (FindCallArgumentValue(text, keyStart, keyEnd, out var argument, out start, out length))
            {
                return IsRedactedValue(argument, text, start, length);
            }

            var element = IsElementName(text, keyStart, keyEnd) ? JudgeKey(text[keyStart..keyEnd]) : KeyJudgement.Kept;
            return element != KeyJudgement.Kept && FindElementValue(text, keyEnd, out start, out length) && IsRedactedValue(element, text, start, length);
        }

        var judgement = JudgeKey(text[keyStart..keyEnd]);
        if (judgement == KeyJudgement.Kept && text[keyStart..keyEnd].Equals(KeyWord, StringComparison.OrdinalIgnoreCase))
        {
            // A key of words written apart whose last is Key: {"API Key": …}, Secret Access Key: … (a settings page, a
            // CLI's printout). Key alone names nothing; with the one or two words before it, it may (Sort Key does not).
            var wider = WordsBefore(text, keyStart);
            if (wider < keyStart && JudgeKey(text[wider..keyEnd]) is var widerJudgement && widerJudgement != KeyJudgement.Kept)
            {
                keyStart = wider;
                judgement = widerJudgement;
            }
        }

        var passAlone = false;
        if (judgement == KeyJudgement.Kept && _passIsPassword && text[keyStart..keyEnd].Equals("pass", StringComparison.OrdinalIgnoreCase)
            && (text[sign] == '=' || (keyStart > 0 && text[keyStart - 1] is '"' or '\'')))
        {
            // pass given a value by = or as a quoted key is a password's key ({"user": "bob", "pass": "…"}, mount -o
            // user=bob,pass=…, ?user=bob&pass=…, rclone.conf's pass = …), unless the value is a number (a test run's
            // pass=10 fail=2); after a bare colon it is prose's as often (first pass: ok).
            judgement = KeyJudgement.Redacted;
            passAlone = true;
        }

        if (judgement == KeyJudgement.Kept)
        {
            // A value another property names, before it or after it: {"name": "password", "value": …},
            // <add key="ApiKey" value="…"/>, {"value": …, "name": "password"}.
            if (!EndsWithWord(text[keyStart..keyEnd], ValueWord))
            {
                return false;
            }

            // aws ssm put-parameter --type SecureString --value=hunter2.
            if (text[sign] == '=' && sign == keyEnd && IsFlag(text, keyStart, keyEnd) && NearSecureString(text, keyStart, keyEnd))
            {
                return FindValue(text, sign + 1, out start, out length);
            }

            var named = FollowsSecretName(text, keyStart);
            if (named != KeyJudgement.Kept && FindJudgedValue(text, keyStart, sign, named, out start, out length, out _))
            {
                return true;
            }

            return PrecedesSecretName(text, sign + 1, out start, out length);
        }

        if (!FindJudgedValue(text, keyStart, sign, judgement, out start, out length, out var nextLines)
            || IsPackageVersion(text[keyStart..keyEnd], text.Slice(start, length))
            || (passAlone && !text.Slice(start, length).ContainsAnyExceptInRange('0', '9')))
        {
            return false;
        }

        // A cookie header's value is every cookie it sends, to the line's end (Cookie: theme=dark; session=abc): the
        // session cookie is seldom the first.
        if (!nextLines && text[sign] == ':' && IsCookieHeader(text[keyStart..keyEnd]) && text[start - 1] is not ('"' or '\''))
        {
            var lineEnd = text[start..].IndexOfAny('\r', '\n');
            length = (lineEnd < 0 ? text.Length : start + lineEnd) - start;
        }

        return true;
    }

    /// <summary>
    /// The value the sign at <paramref name="sign"/> gives the key that starts at <paramref name="keyStart"/>, when the
    /// key's <paramref name="judgement"/> masks it (<c>password_file=/run/secrets/db</c> is a path,
    /// <c>password_file=hunter2</c> the secret): on the sign's line (<see cref="FindValue"/>), or, after a colon that
    /// ends its line or a YAML block scalar's header (<c>password: |</c>), on the lines after it
    /// (<see cref="FindYamlValue"/>; <paramref name="nextLines"/>), all of them that are indented under the key.
    /// </summary>
    private static bool FindJudgedValue(
        ReadOnlySpan<char> text, int keyStart, int sign, KeyJudgement judgement, out int start, out int length, out bool nextLines)
    {
        var block = false;
        var from = text[sign] == ':' ? NextLinesStart(text, sign + 1, out block) : -1;
        nextLines = from >= 0;
        if (!nextLines)
        {
            if (text[sign] == ':' && FindYamlValueAfterComment(text, keyStart, sign, judgement, out start, out length, out var masked))
            {
                nextLines = true;
                return masked;
            }

            var valueFrom = text[sign] == ':' ? AfterYamlProperties(text, sign + 1) : sign + 1;
            if (!FindValue(text, valueFrom, out start, out length) || !IsRedactedValue(judgement, text, start, length))
            {
                return false;
            }

            length = WithCredentialsOfAnyScheme(text, keyStart, start, length);
            return true;
        }

        // Judged by its first line, and only then read to its end: a path kept (password_file:\n  /run/secrets/db)
        // costs no more than its line, however many lines follow it.
        if (!FindYamlValue(text, keyStart, from, block, out start, out length, out var column, out var compactSequence)
            || !IsRedactedValue(judgement, text, start, length))
        {
            return false;
        }

        if (column >= 0)
        {
            length = YamlValueEnd(text, start + length, column, compactSequence) - start;
        }

        return true;
    }

    /// <summary>
    /// The length of an authorization header's value that is a scheme and its credentials, whatever the scheme
    /// (<c>Authorization: Bot abc</c>, <c>SSWS abc</c>, <c>SharedKey acct:sig</c>; the usual ones, <c>Bearer</c> and
    /// the like, are taken by <see cref="FindValue"/> already): an unquoted value of one word of letters, digits, <c>-</c>
    /// and <c>_</c>, under a key whose last word is <c>authorization</c>, takes the next word on its line with it.
    /// Otherwise <paramref name="length"/>.
    /// </summary>
    private static int WithCredentialsOfAnyScheme(ReadOnlySpan<char> text, int keyStart, int start, int length)
    {
        var keyEnd = keyStart;
        while (keyEnd < text.Length && IsKeyChar(text[keyEnd]))
        {
            keyEnd++;
        }

        if (!EndsWithWord(text[keyStart..keyEnd], "authorization") || (start > 0 && text[start - 1] is '"' or '\'')
            || length > MaxSchemeLength || !char.IsAsciiLetter(text[start]) || text.Slice(start, length).ContainsAnyExcept(SchemeChars))
        {
            return length;
        }

        return WithCredentials(text, start, length);
    }

    /// <summary>
    /// The length of the scheme <c>text[start..(start + length)]</c> with the credentials after it: the next run on its
    /// line, however many spaces or tabs stand between them; <paramref name="length"/> when nothing follows.
    /// </summary>
    private static int WithCredentials(ReadOnlySpan<char> text, int start, int length)
    {
        var credentials = start + length;
        while (credentials < text.Length && text[credentials] is ' ' or '\t')
        {
            credentials++;
        }

        var run = credentials > start + length && credentials < text.Length ? RunLength(text[credentials..]) : 0;
        return run > 0 ? credentials + run - start : length;
    }

    // An authorization scheme's name (RFC 9110's token, as schemes are named in practice).
    private const int MaxSchemeLength = 32;
    private static readonly SearchValues<char> SchemeChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>
    /// A YAML value on the lines after a comment on its key's line (<c>password: # note\n  hunter2</c>): from the
    /// comment's <c>#</c> to the end of the last line indented under the key, as one value, so that a value written
    /// on the key's line after all (<c>password: #hunter2</c>, which YAML reads as a comment) is masked too. Nothing
    /// when no line indented under the key follows, or it starts a nested mapping or list: the value is then read on
    /// the key's line, as any other. The <paramref name="judgement"/> reads the value's first line after the comment
    /// (<paramref name="masked"/>: a path given to <c>password_file</c> is kept, comment and all).
    /// </summary>
    private static bool FindYamlValueAfterComment(
        ReadOnlySpan<char> text, int keyStart, int sign, KeyJudgement judgement, out int start, out int length, out bool masked)
    {
        start = 0;
        length = 0;
        masked = false;
        var comment = SkipSpace(text, sign + 1, lines: false);
        if (comment == sign + 1 || comment == text.Length || text[comment] != '#')
        {
            return false;
        }

        var column = KeyColumn(text, keyStart);
        var commentEnd = column < 0 ? -1 : LineContentEnd(text, comment, MaxYamlReach);
        var content = commentEnd < 0 ? -1 : NextLineUnder(text, SkipLineBreak(text, commentEnd), column, sequence: false);
        if (content < 0 || StartsYamlEntry(text, content))
        {
            return false;
        }

        masked = IsRedactedValue(judgement, text, content, LineContentEnd(text, content) - content);
        start = comment;
        length = YamlValueEnd(text, commentEnd, column, compactSequence: false) - comment;
        return true;
    }

    /// <summary>
    /// Where the lines after a colon start, when the rest of its line (from <paramref name="from"/>) is blank or a YAML
    /// block scalar's header (<c>|</c> or <c>&gt;</c>, a chomping indicator and an indentation digit in either order,
    /// maybe a comment: <c>|-</c>, <c>&gt;+2 # note</c>; <paramref name="block"/>); the text's length when it ends there;
    /// -1 when the value is on the colon's line.
    /// </summary>
    private static int NextLinesStart(ReadOnlySpan<char> text, int from, out bool block)
    {
        var at = SkipSpace(text, from, lines: false);
        block = at < text.Length && text[at] is '|' or '>';
        if (block)
        {
            var header = at + 1;
            while (header < text.Length && header - at <= 2 && (text[header] is '+' or '-' || char.IsAsciiDigit(text[header])))
            {
                header++;
            }

            at = SkipSpace(text, header, lines: false);
            if (at > header && at < text.Length && text[at] == '#')
            {
                // A comment, read at most MaxYamlReach chars far, so a run of such headers on one line costs each the same.
                var bound = Math.Min(text.Length, at + MaxYamlReach);
                var commentEnd = text[at..bound].IndexOfAny('\r', '\n');
                at = commentEnd >= 0 ? at + commentEnd : bound == text.Length ? bound : -1;
                if (at < 0)
                {
                    return -1;
                }
            }
        }

        if (at == text.Length)
        {
            return at;
        }

        return text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? at + 2 : text[at] is '\r' or '\n' ? at + 1 : -1;
    }

    /// <summary>
    /// The first line of the YAML value on the lines from <paramref name="from"/> of the key that starts at
    /// <paramref name="keyStart"/> (past blank lines): the first line that is indented more than the key
    /// (<c>password:\n  hunter2</c>; a block scalar's content, <c>password: |\n  hunter2</c>), from its first char to
    /// its last; <paramref name="column"/> is the key's column, for <see cref="YamlValueEnd"/> to find the lines that
    /// follow it. A sequence of values is one value, from its first item's value on (<c>api_keys:\n  - k1\n  - k2</c>;
    /// and at the key's own column, <c>api_keys:\n- k1</c>, when the key starts its line: then
    /// <paramref name="compactSequence"/>). Nothing when the next line is indented as much as the key or less (a key
    /// beside it: <c>password:\nuser: bob</c>; a line of prose after <c>Your password:</c>), or, but in a block scalar,
    /// when it starts a nested mapping (<c>password:\n  user: bob</c>) or a sequence of mappings or sequences
    /// (<c>- name: a</c>): left to their own keys. A quoted, braced or bracketed value is read as on the key's line
    /// (<see cref="FindValue"/>), whole; then <paramref name="column"/> is -1.
    /// </summary>
    private static bool FindYamlValue(
        ReadOnlySpan<char> text, int keyStart, int from, bool block, out int start, out int length, out int column, out bool compactSequence)
    {
        start = 0;
        length = 0;
        compactSequence = false;
        column = KeyColumn(text, keyStart);
        if (column < 0)
        {
            return false;
        }

        var content = NextLineUnder(text, from, column, sequence: false);
        if (content < 0)
        {
            // A sequence may sit at its key's column (api_keys:\n- k1): only under a key that starts its line, so
            // that a list after a line of prose (Your password:\n- expired) is not taken for one.
            if (block || !StartsItsLine(text, keyStart, column) || (content = NextLineUnder(text, from, column, sequence: true)) < 0)
            {
                return false;
            }

            compactSequence = true;
        }

        if (!block)
        {
            if (IsSequenceItem(text, content))
            {
                // The first item's value; a sequence of mappings or of sequences is left to their own keys.
                content = SkipSpace(text, content + 1, lines: false);
                if (content == text.Length || text[content] is '\r' or '\n' || StartsYamlEntry(text, content))
                {
                    return false;
                }
            }
            else if (StartsYamlEntry(text, content))
            {
                return false;
            }
            else if (text[content] is '"' or '\'' or '{' or '[')
            {
                column = -1;
                return FindValue(text, content, out start, out length);
            }
        }

        start = content;
        length = LineContentEnd(text, content) - content;
        return true;
    }

    /// <summary>
    /// Where the YAML value whose first line ends at <paramref name="firstLineEnd"/> ends: at the end of the last line
    /// after it that is indented more than the key's <paramref name="column"/> (or, in a
    /// <paramref name="compactSequence"/>, is an item at that column), blank lines between them included, before the
    /// first line that is not (the next key).
    /// </summary>
    private static int YamlValueEnd(ReadOnlySpan<char> text, int firstLineEnd, int column, bool compactSequence)
    {
        var end = firstLineEnd;
        for (var content = NextLineUnder(text, SkipLineBreak(text, end), column, compactSequence);
            content >= 0;
            content = NextLineUnder(text, SkipLineBreak(text, end), column, compactSequence))
        {
            end = LineContentEnd(text, content);
        }

        return end;
    }

    /// <summary>
    /// The first char of the first line from <paramref name="line"/> on that is not blank, when that line is indented
    /// more than <paramref name="column"/> (a YAML value's line under its key), or, with <paramref name="sequence"/>,
    /// as much, as an item of a sequence (<c>- k1</c>); -1 when it is not (the next key), or when only blank lines
    /// follow.
    /// </summary>
    private static int NextLineUnder(ReadOnlySpan<char> text, int line, int column, bool sequence)
    {
        while (line < text.Length)
        {
            var content = SkipSpace(text, line, lines: false);
            if (content < text.Length && text[content] is '\r' or '\n')
            {
                line = content + 1;
                continue;
            }

            if (content == text.Length)
            {
                return -1;
            }

            var indent = content - line;
            return indent > column || (sequence && indent == column && IsSequenceItem(text, content)) ? content : -1;
        }

        return -1;
    }

    /// <summary>Whether the line content at <paramref name="at"/> is a YAML sequence's item: a dash, then white space or the line's end.</summary>
    private static bool IsSequenceItem(ReadOnlySpan<char> text, int at) =>
        text[at] == '-' && (at + 1 == text.Length || text[at + 1] is ' ' or '\t' or '\r' or '\n');

    /// <summary>
    /// Whether the key that starts at <paramref name="keyStart"/> (its opening quote, when it has one), in
    /// <paramref name="column"/>, is the first thing on its line but indentation and sequence dashes (<c>- password:</c>).
    /// </summary>
    private static bool StartsItsLine(ReadOnlySpan<char> text, int keyStart, int column)
    {
        var at = keyStart > 0 && text[keyStart - 1] is '"' or '\'' ? keyStart - 1 : keyStart;
        for (var i = at - column; i < at; i++)
        {
            if (text[i] is not (' ' or '\t') && !IsSequenceItem(text, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Where the content of the line that <paramref name="at"/> is on ends, as <see cref="LineContentEnd(ReadOnlySpan{char}, int)"/>,
    /// when it ends within <paramref name="reach"/> chars; -1 when it does not, so that a run of such lines costs each
    /// the same.
    /// </summary>
    private static int LineContentEnd(ReadOnlySpan<char> text, int at, int reach)
    {
        var bound = Math.Min(text.Length, at + reach);
        return bound == text.Length || text[at..bound].IndexOfAny('\r', '\n') >= 0 ? LineContentEnd(text, at) : -1;
    }

    /// <summary>Where the content of the line that <paramref name="at"/> is on ends, without the spaces or tabs after it.</summary>
    private static int LineContentEnd(ReadOnlySpan<char> text, int at)
    {
        var lineEnd = text[at..].IndexOfAny('\r', '\n');
        var end = lineEnd < 0 ? text.Length : at + lineEnd;
        while (end > at && text[end - 1] is ' ' or '\t')
        {
            end--;
        }

        return end;
    }

    /// <summary>Past the white space and the line break at <paramref name="at"/> (<c>\n</c> or <c>\r\n</c>), to the next line's start.</summary>
    private static int SkipLineBreak(ReadOnlySpan<char> text, int at)
    {
        at = SkipSpace(text, at, lines: false);
        return at < text.Length && text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? at + 2 : Math.Min(text.Length, at + 1);
    }

    /// <summary>
    /// The column of the key that starts at <paramref name="keyStart"/> (of its opening quote, when it has one): the
    /// indentation a line must pass to hold its value. -1 when its line starts more than <see cref="MaxYamlReach"/>
    /// chars before it (no YAML is indented so deep), so each key costs a bounded look back.
    /// </summary>
    private static int KeyColumn(ReadOnlySpan<char> text, int keyStart)
    {
        var at = keyStart > 0 && text[keyStart - 1] is '"' or '\'' ? keyStart - 1 : keyStart;
        var from = Math.Max(0, at - MaxYamlReach);
        var lineBreak = text[from..at].LastIndexOfAny('\r', '\n');
        return lineBreak >= 0 ? at - (from + lineBreak + 1) : from == 0 ? at : -1;
    }

    /// <summary>
    /// Whether the line content at <paramref name="at"/> starts an entry of its own: a sequence's item (<c>- a</c>) or
    /// a mapping's key (<c>user: bob</c>, <c>"user": bob</c>: a colon followed by white space or the line's end, within
    /// a key's length); not a value that holds a colon (<c>https://x</c>, <c>a:b</c>).
    /// </summary>
    private static bool StartsYamlEntry(ReadOnlySpan<char> text, int at)
    {
        if (IsSequenceItem(text, at))
        {
            return true;
        }

        var bound = Math.Min(text.Length, at + MaxKeyLength + 2);
        var i = at;
        if (text[at] is '"' or '\'')
        {
            var close = text[(at + 1)..bound].IndexOf(text[at]);
            if (close < 0)
            {
                return false;
            }

            i = SkipSpace(text, at + 1 + close + 1, lines: false);
            bound = Math.Min(text.Length, i + 1);
        }

        for (; i < bound; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n')
            {
                return false;
            }

            if (c == ':' && (i + 1 == text.Length || text[i + 1] is ' ' or '\t' or '\r' or '\n'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the key run is a long flag's name: two dashes, then not a third, and not a <c>--no-…</c> switch (which
    /// takes no value), as <c>--password</c>; or one dash and a word of three letters or more, as <c>-Password</c>
    /// (<see cref="IsOneDashWord"/>). A one-letter flag (<c>-p</c>) is too ambiguous to judge by its name: it is masked
    /// after only by its command (<see cref="FindShortFlagValue"/>).
    /// </summary>
    private static bool IsFlag(ReadOnlySpan<char> text, int keyStart, int keyEnd) =>
        keyEnd - keyStart > 2
        && text[keyStart] == '-'
        && (keyStart == 0 || !IsKeyChar(text[keyStart - 1]))
        && (text[keyStart + 1] == '-'
            ? text[keyStart + 2] != '-' && !text[(keyStart + 2)..keyEnd].StartsWith("no-", StringComparison.OrdinalIgnoreCase)
            : IsOneDashWord(text[(keyStart + 1)..keyEnd]));

    /// <summary>
    /// Where a YAML value starts after its tag and anchor (<c>password: !!str 123456</c>, <c>api_key: &amp;k abc</c>,
    /// <c>token: !secret abc</c>), when a value follows them on the line; else <paramref name="from"/>. A tag is
    /// <c>!!</c> or <c>!</c> and lower-case letters, an anchor <c>&amp;</c> and a name: a password that starts with
    /// <c>!</c> and holds another char (<c>!Passw0rd</c>) is no tag.
    /// </summary>
    private static int AfterYamlProperties(ReadOnlySpan<char> text, int from)
    {
        var at = SkipSpace(text, from, lines: false);
        for (var properties = 0; properties < 2 && at + 1 < text.Length && text[at] is '!' or '&'; properties++)
        {
            var name = text[at] == '!' && text[at + 1] == '!' ? at + 2 : at + 1;
            var end = name;
            while (end < text.Length && end - name < MaxKeyLength
                && (text[at] == '!' ? char.IsAsciiLetterLower(text[end]) : IsKeyChar(text[end])))
            {
                end++;
            }

            if (end == name || end == text.Length || text[end] is not (' ' or '\t'))
            {
                return from;
            }

            at = SkipSpace(text, end, lines: false);
        }

        return at < text.Length && text[at] is not ('\r' or '\n') ? at : from;
    }

    /// <summary>
    /// Where the one or two words right before <paramref name="keyStart"/> start, each a run of letters and digits after
    /// one space (<c>API Key</c>, <c>Secret Access Key</c>); <paramref name="keyStart"/> when there is none.
    /// </summary>
    private static int WordsBefore(ReadOnlySpan<char> text, int keyStart)
    {
        var start = keyStart;
        for (var words = 0; words < 2; words++)
        {
            var space = start - 1;
            if (space < 1 || text[space] != ' ' || !char.IsLetterOrDigit(text[space - 1]))
            {
                break;
            }

            var wordStart = space;
            while (wordStart > 0 && char.IsLetterOrDigit(text[wordStart - 1]) && space - wordStart < MaxKeyLength)
            {
                wordStart--;
            }

            start = wordStart;
        }

        return start;
    }

    /// <summary>
    /// Whether a flag after one dash is a word of three letters or more, as PowerShell's (<c>-Password</c>,
    /// <c>-ApiKey</c>), nuget's, java's and consul's long flags are (<c>-token …</c>); one letter or two is a short
    /// flag (<see cref="PasswordFlagsOf"/> knows which commands' take a password).
    /// </summary>
    private static bool IsOneDashWord(ReadOnlySpan<char> word) =>
        word.Length >= 3 && char.IsAsciiLetter(word[0]) && !word.ContainsAnyExcept(OneDashWordChars);


    /// <summary>
    /// The value a call is given after a secret's name, its first argument, both quoted alike:
    /// <c>req.Header.Set("X-Api-Key", "…")</c>, <c>headers.Add("X-Api-Key", "…")</c>, <c>define('DB_PASSWORD', '…')</c>,
    /// <c>os.Setenv('API_TOKEN', '…')</c> (the name scan reaches a key near a sign: a dash, a single quote, an
    /// <c>=</c>). <paramref name="judgement"/> is the name's. A tuple or a list without a call before it
    /// (<c>("password", "email")</c>) is left alone.
    /// </summary>
    private bool FindCallArgumentValue(ReadOnlySpan<char> text, int keyStart, int keyEnd, out KeyJudgement judgement, out int start, out int length)
    {
        judgement = KeyJudgement.Kept;
        start = 0;
        length = 0;
        if (keyStart < 2 || keyEnd >= text.Length || text[keyStart - 1] is not ('"' or '\'') || text[keyEnd] != text[keyStart - 1])
        {
            return false;
        }

        // A call's opening parenthesis before the name, a name of a function or method before it.
        var open = keyStart - 2;
        while (open > 0 && text[open] is ' ' or '\t')
        {
            open--;
        }

        if (text[open] != '(' || open == 0 || !(char.IsAsciiLetterOrDigit(text[open - 1]) || text[open - 1] == '_'))
        {
            return false;
        }

        var comma = SkipSpace(text, keyEnd + 1, lines: false);
        if (comma >= text.Length || text[comma] != ',')
        {
            return false;
        }

        var value = SkipSpace(text, comma + 1, lines: false);
        if (value >= text.Length || text[value] != text[keyStart - 1])
        {
            return false;
        }

        judgement = JudgeKey(text[keyStart..keyEnd]);
        if (judgement == KeyJudgement.Kept)
        {
            return false;
        }

        start = value + 1;
        var close = text[start..].IndexOf(text[value]);
        length = close < 0 ? text.Length - start : close;
        return length > 0;
    }

    /// <summary>
    /// Whether the long flag <c>text[keyStart..keyEnd]</c> says a secret comes on standard input: a secret's name, then
    /// <c>stdin</c> (<c>--password-stdin</c> of <c>docker login</c>, <c>podman</c>, <c>helm registry login</c>).
    /// </summary>
    private bool ReadsSecretFromStdin(ReadOnlySpan<char> text, int keyStart, int keyEnd) =>
        keyEnd - keyStart > 2 + StdinWord.Length + 1 && EndsWithWord(text[keyStart..keyEnd], StdinWord)
        && JudgeKey(text[keyStart..(keyEnd - StdinWord.Length - 1)]) != KeyJudgement.Kept;

    private const string StdinWord = "stdin";

    /// <summary>
    /// The secret a command that reads it on standard input (<see cref="ReadsSecretFromStdin"/>, the flag at
    /// <c>text[flagStart..flagEnd]</c>) is given on its line: a here-string after the flag
    /// (<c>docker login -u bob --password-stdin &lt;&lt;&lt; 'hunter2'</c>), or what <c>echo</c> or <c>printf</c> writes into the
    /// pipe before the command (<c>echo 'hunter2' | docker login --password-stdin</c>; echo's options and printf's
    /// format are passed over: <c>printf '%s' hunter2 | …</c>). A variable (<c>echo "$PW"</c>) names where the secret
    /// is, and is kept.
    /// </summary>
    private static bool FindStdinSecret(ReadOnlySpan<char> text, int flagStart, int flagEnd, out int start, out int length)
    {
        start = 0;
        length = 0;
        var commandEnd = text[flagEnd..].IndexOfAny(CommandEnds);
        commandEnd = commandEnd < 0 ? text.Length : flagEnd + commandEnd;
        var hereString = text[flagEnd..commandEnd].IndexOf("<<<", StringComparison.Ordinal);
        if (hereString >= 0)
        {
            // A variable ($PW, "${PW}") names where the secret is, as a file's path does: kept.
            return FindWordAt(text, SkipSpace(text, flagEnd + hereString + 3, lines: false), commandEnd, out start, out length) && text[start] != '$';
        }

        // The pipe into the command: one |, on the flag's line, not ||.
        var lineStart = text[..flagStart].LastIndexOfAny('\r', '\n') + 1;
        var pipe = text[lineStart..flagStart].LastIndexOf('|');
        if (pipe < 0)
        {
            return false;
        }

        pipe += lineStart;
        if ((pipe > 0 && text[pipe - 1] == '|') || text[pipe + 1] == '|' || text[(pipe + 1)..flagStart].ContainsAny(CommandEnds))
        {
            // Not a pipe, or one into an earlier command of the line (echo hi | tee log; docker login …).
            return false;
        }

        // The command writing into it: from the end of the one before it (; & |) or the line's start.
        var writer = SkipSpace(text, lineStart + text[lineStart..pipe].LastIndexOfAny(CommandEnds) + 1, lines: false);
        var format = false;
        if (StartsWithWord(text, writer, "printf"))
        {
            format = true;
            writer += 6;
        }
        else if (StartsWithWord(text, writer, "echo"))
        {
            writer += 4;
        }
        else
        {
            return false;
        }

        var at = SkipSpace(text, writer, lines: false);
        while (at > writer && at < pipe)
        {
            if (!FindWordAt(text, at, pipe, out var wordStart, out var wordLength))
            {
                return false;
            }

            var word = text.Slice(wordStart, wordLength);
            var wordEnd = wordStart + wordLength + (wordStart > at ? 1 : 0);
            if ((!format && word.Length <= 3 && word[0] == '-' && wordStart == at) || (format && word.Contains('%')))
            {
                // echo -n, echo -e; printf's format.
                format = false;
                at = SkipSpace(text, wordEnd, lines: false);
                continue;
            }

            // A variable ($PW, "${PW}") names where the secret is, as a file's path does: kept.
            start = wordStart;
            length = wordLength;
            return word[0] != '$';
        }

        return false;
    }

    /// <summary>The word at <paramref name="at"/>, before <paramref name="end"/>: a quoted one's content, or the run to white space.</summary>
    private static bool FindWordAt(ReadOnlySpan<char> text, int at, int end, out int start, out int length)
    {
        start = at;
        length = 0;
        if (at >= end)
        {
            return false;
        }

        if (text[at] is '"' or '\'')
        {
            var close = text[(at + 1)..end].IndexOf(text[at]);
            start = at + 1;
            length = close < 0 ? end - start : close;
            return length > 0;
        }

        var stop = text[at..end].IndexOfAny(' ', '\t');
        length = stop < 0 ? end - at : stop;
        return length > 0;
    }

    /// <summary>
    /// Whether the long flag <c>text[keyStart..keyEnd]</c> is a value flag (<c>--value</c>) with <c>SecureString</c>
    /// near it on its line (<see cref="NearSecureString"/>): <c>aws ssm put-parameter --type SecureString --value …</c>.
    /// </summary>
    private static bool IsSecureStringValueFlag(ReadOnlySpan<char> text, int keyStart, int keyEnd) =>
        EndsWithWord(text[keyStart..keyEnd], ValueWord) && NearSecureString(text, keyStart, keyEnd);

    /// <summary>
    /// Whether <c>SecureString</c>, or the words of a command that sets a secret (<see cref="SetsSecret"/>), are on the
    /// line of the flag <c>text[keyStart..keyEnd]</c> (any case), at most <see cref="MaxSecureStringDistance"/> chars
    /// before it or after it, so each flag costs a bounded search.
    /// </summary>
    private static bool NearSecureString(ReadOnlySpan<char> text, int keyStart, int keyEnd)
    {
        var from = Math.Max(0, keyStart - MaxSecureStringDistance);
        var lineStart = text[from..keyStart].LastIndexOfAny('\r', '\n');
        from += lineStart + 1;
        var to = Math.Min(text.Length, keyEnd + MaxSecureStringDistance);
        var lineEnd = text[keyEnd..to].IndexOfAny('\r', '\n');
        to = lineEnd < 0 ? to : keyEnd + lineEnd;
        var line = text[from..to];
        return line.Contains(SecureStringType, StringComparison.OrdinalIgnoreCase) || SetsSecret(line);
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds the words of a command that sets a secret to its <c>--value</c>: Azure Key
    /// Vault's <c>az keyvault secret set --name n --value …</c> (<c>secret set</c> or <c>secrets set</c>, any case, as
    /// whole words).
    /// </summary>
    internal static bool SetsSecret(ReadOnlySpan<char> text) => HoldsWords(text, "secret set") || HoldsWords(text, "secrets set");

    /// <summary>
    /// Whether two items in a row of a list of arguments are the words <see cref="SetsSecret"/> finds in text
    /// (<c>"secret", "set"</c> or <c>"secrets", "set"</c>, any case).
    /// </summary>
    internal static bool SetsSecretPair(string? previous, string item) =>
        item.Equals("set", StringComparison.OrdinalIgnoreCase)
        && (string.Equals(previous, "secret", StringComparison.OrdinalIgnoreCase) || string.Equals(previous, "secrets", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="words"/> (any case) are in <paramref name="text"/>, not part of longer words.</summary>
    private static bool HoldsWords(ReadOnlySpan<char> text, string words)
    {
        var from = 0;
        int found;
        while ((found = text[from..].IndexOf(words, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var start = from + found;
            var end = start + words.Length;
            if ((start == 0 || !IsKeyChar(text[start - 1])) && (end == text.Length || !IsKeyChar(text[end])))
            {
                return true;
            }

            from = start + 1;
        }

        return false;
    }

    /// <summary>
    /// The value after the flag <c>text[keyStart..keyEnd]</c>: past spaces or tabs on a command line
    /// (<c>--password hunter2</c>), or the next item of a list of arguments (<c>"--password", "hunter2"</c>). Nothing
    /// when it starts with a dash (the next flag: <c>--password --verbose</c>) or is on the next line.
    /// </summary>
    private static bool FindFlagValue(ReadOnlySpan<char> text, int keyStart, int keyEnd, out int start, out int length)
    {
        start = 0;
        length = 0;
        var at = keyEnd;
        var escaped = keyStart >= 2 && text[keyStart - 1] is '"' or '\'' && text[keyStart - 2] == '\\';
        if (keyStart >= 1 && text[keyStart - 1] is '"' or '\'')
        {
            // Quoted: its closing quote, a comma, then the next item.
            var quote = text[keyStart - 1];
            if (escaped ? !text[at..].StartsWith(['\\', quote]) : at == text.Length || text[at] != quote)
            {
                return false;
            }

            at += escaped ? 2 : 1;
            at = SkipSpace(text, at, lines: true);
            if (at == text.Length || text[at] != ',')
            {
                return false;
            }

            at = SkipSpace(text, at + 1, lines: true);
        }
        else if (at == text.Length || text[at] is not (' ' or '\t'))
        {
            return false;
        }

        return FindValue(text, at, out start, out length) && text[start] != '-';
    }

    /// <summary>
    /// Whether the key run is an element's name: just after its tag's <c>&lt;</c>, or after a namespace prefix
    /// (<c>&lt;wsse:Password</c>). A closing tag (<c>&lt;/password&gt;</c>) is not.
    /// </summary>
    private static bool IsElementName(ReadOnlySpan<char> text, int keyStart, int keyEnd)
    {
        var open = keyStart - 1;
        if (open > 0 && text[open] == ':')
        {
            var prefixEnd = open;
            while (open > 0 && prefixEnd - open < MaxKeyLength && IsKeyChar(text[open - 1]))
            {
                open--;
            }

            open = open < prefixEnd ? open - 1 : -1;
        }

        return open >= 0 && text[open] == '<' && keyEnd < text.Length && text[keyEnd] is '>' or ' ' or '\t' or '\r' or '\n';
    }

    /// <summary>
    /// The content of the element whose name ends at <paramref name="nameEnd"/>: from its tag's end to the next tag,
    /// without the white space around it (a CDATA section's content), when that tag is a closing one; when no tag follows,
    /// one run that reaches the text's end (a window cut it). Nothing for an empty element, one that holds elements or
    /// is followed by another opening tag, a self-closing tag, or a placeholder followed by more words
    /// (<c>Enter &lt;password&gt; to log in</c>).
    /// </summary>
    private bool FindElementValue(ReadOnlySpan<char> text, int nameEnd, out int start, out int length)
    {
        start = 0;
        length = 0;
        var tag = text[nameEnd..Math.Min(text.Length, nameEnd + MaxTagLength)];
        var close = tag.IndexOfAny('<', '>');
        if (close < 0 || tag[close] != '>' || (close > 0 && tag[close - 1] == '/'))
        {
            return false;
        }

        // An attribute that names a secret of its own, or holds a URL password, is masked first (matches are found in
        // order): the element is then left to the search that goes on from there.
        var tagEnd = nameEnd + close;
        var dashes = DashCursor.None;
        var configs = -1;
        if (close > 0 && FindNext(text[..tagEnd], nameEnd, out _, out _, ref dashes, ref configs))
        {
            return false;
        }

        var from = SkipSpace(text, tagEnd + 1, lines: true);
        if (from == text.Length)
        {
            return false;
        }

        if (text[from..].StartsWith("<![CDATA[", StringComparison.Ordinal))
        {
            start = from + "<![CDATA[".Length;
            var cdataEnd = text[start..].IndexOf("]]>", StringComparison.Ordinal);
            length = cdataEnd < 0 ? text.Length - start : cdataEnd;
            return length > 0;
        }

        // Content is what a closing tag ends (<password>hunter2</password>), or one run that the text's end cuts (a
        // window's cut): a placeholder in prose (Enter <password> to log in, then <b>OK</b>) is not a value.
        var next = text[from..].IndexOf('<');
        if (next < 0 ? from + RunLength(text[from..]) != text.Length : !text[(from + next)..].StartsWith("</", StringComparison.Ordinal))
        {
            return false;
        }

        var end = next < 0 ? text.Length : from + next;
        while (end > from && text[end - 1] is ' ' or '\t' or '\r' or '\n')
        {
            end--;
        }

        start = from;
        length = end - from;
        return length > 0;
    }

    /// <summary>
    /// Whether the value found at <paramref name="start"/> after a key judged <paramref name="judgement"/> is masked:
    /// always after a secret's name; after a name that says where a secret is kept (<c>password_file</c>) unless it
    /// looks like a path. Not quoted, the path runs to a space, quote or separator, so <c>${HOME}/.pgpass</c> is read whole.
    /// </summary>
    private static bool IsRedactedValue(KeyJudgement judgement, ReadOnlySpan<char> text, int start, int length)
    {
        if (judgement != KeyJudgement.KeptIfPath)
        {
            return judgement == KeyJudgement.Redacted;
        }

        var value = text.Slice(start, length);
        if (start == 0 || text[start - 1] is not ('"' or '\''))
        {
            var rest = text[start..];
            var end = rest.IndexOfAny(PathEnds);
            value = end < 0 ? rest : rest[..end];
        }

        return !LocatorValue.LooksLikePath(value);
    }

    /// <summary>
    /// Whether the name at <paramref name="keyStart"/>, after a slash, and what follows its colon are a host and its port
    /// (after <c>//</c>: two to five digits, then a slash, a space or the end) or an image and its tag (<c>latest</c> or
    /// a version, for a name that is not a password's: <see cref="NamesPasswordLike"/>).
    /// </summary>
    private static bool IsTagOrPort(ReadOnlySpan<char> text, int keyStart, int keyEnd)
    {
        var rest = text[(keyEnd + 1)..];
        var end = rest.IndexOfAny(TagEnds);
        var run = end < 0 ? rest : rest[..end];
        if (keyStart >= 2 && text[keyStart - 2] == '/')
        {
            return run.Length is >= 2 and <= 5 && !run.ContainsAnyExceptInRange('0', '9');
        }

        return !NamesPasswordLike(text[keyStart..keyEnd]) && (run.Equals("latest", StringComparison.Ordinal) || IsVersion(run));
    }

    /// <summary>
    /// Whether a value given a secret-named key is a package's version or range, not a secret: a range for any key
    /// (<c>"next-auth": "^4.24.5"</c>), a bare version for a key that is not named like a password
    /// (<c>"cookie": "0.6.0"</c>; <c>password: 19.07.1985</c> is masked).
    /// </summary>
    private static bool IsPackageVersion(ReadOnlySpan<char> key, ReadOnlySpan<char> value) =>
        value.Length > 1 && IsVersion(value) && (value[0] is '^' or '~' or '>' or '<' || !NamesPasswordLike(key));

    /// <summary>Whether a key holds a word that names a password, a token or a key (<c>pass</c>, <c>pwd</c>, <c>secret</c>, <c>token</c>, <c>key</c>, <c>cred</c>, <c>sig</c>).</summary>
    private static bool NamesPasswordLike(ReadOnlySpan<char> key)
    {
        foreach (var word in PasswordLikeWords)
        {
            if (key.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a value is a package's version or range, not a secret: <c>"next-auth": "^4.24.5"</c>, <c>cookie = "0.18"</c>,
    /// <c>v1.4.2</c>, <c>~2.3.0-beta.1</c>. Digits in two to four parts, after at most one of <c>^ ~ &gt;= &lt;= ~=</c> and a
    /// <c>v</c>, then at most a pre-release or build suffix.
    /// </summary>
    private static bool IsVersion(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > 40)
        {
            return false;
        }

        var at = value[0] is '^' or '~' ? 1 : 0;
        if (at + 1 < value.Length && value[at + 1] == '=' && value[at] is '>' or '<' or '~')
        {
            at += 2;
        }

        if (at < value.Length && value[at] is 'v' or 'V')
        {
            at++;
        }

        var parts = 0;
        while (true)
        {
            var digits = at;
            while (at < value.Length && char.IsAsciiDigit(value[at]))
            {
                at++;
            }

            if (at == digits)
            {
                return false;
            }

            parts++;
            if (at == value.Length || value[at] != '.' || parts == 4)
            {
                break;
            }

            at++;
        }

        if (parts < 2)
        {
            return false;
        }

        if (at < value.Length && value[at] is '-' or '+')
        {
            at++;
            while (at < value.Length && (char.IsAsciiLetterOrDigit(value[at]) || value[at] is '.' or '-' or '+'))
            {
                at++;
            }
        }

        return at == value.Length;
    }

    /// <summary>
    /// What the few properties before the value key at <paramref name="keyStart"/> say of it: the strictest judgement
    /// of a name or key among them whose text names a secret (<c>{"name": "password", "value": …}</c>,
    /// <c>&lt;add key="ApiKey" value="…"/&gt;</c>, <c>ParameterKey=DbPassword,ParameterValue=…</c>) or where one is kept
    /// (<c>{"name": "password_file", "value": …}</c>). Each property is read backwards in bounded steps (a key and a
    /// value of at most MaxKeyLength chars each), so a value costs the same however dense the text.
    /// </summary>
    private KeyJudgement FollowsSecretName(ReadOnlySpan<char> text, int keyStart)
    {
        var named = KeyJudgement.Kept;
        var at = SkipQuoteBack(text, keyStart);
        for (var property = 0; property < MaxPropertiesBeforeValue; property++)
        {
            // Between properties: a comma (JSON, a CLI's shorthand), or white space (attributes).
            var end = at;
            at = SkipSpaceBack(text, at);
            if (at > 0 && text[at - 1] == ',')
            {
                at = SkipSpaceBack(text, at - 1);
            }
            else if (at == end)
            {
                return named;
            }

            if (!PreviousValue(text, at, out var valueStart, out var valueEnd, out at))
            {
                return named;
            }

            at = SkipSpaceBack(text, at);
            if (at == 0 || text[at - 1] is not ('=' or ':'))
            {
                return named;
            }

            var nameEnd = SkipQuoteBack(text, SkipSpaceBack(text, at - 1));
            at = nameEnd;
            while (at > 0 && nameEnd - at < MaxKeyLength && IsKeyChar(text[at - 1]))
            {
                at--;
            }

            var name = text[at..nameEnd];
            if (name.IsEmpty)
            {
                return named;
            }

            // A name that names no secret does not end the look: <input type="password" name="pw_field" value="…">.
            var judgement = NamesSecret(name, text[valueStart..valueEnd]);
            if (judgement == KeyJudgement.Redacted)
            {
                return judgement;
            }

            named = judgement > named ? judgement : named;

            at = SkipQuoteBack(text, at);
        }

        return named;
    }

    /// <summary>
    /// The property value that ends at <paramref name="end"/>: a quoted text on one line (also with escaped quotes,
    /// inside JSON that is itself a string) or a run of key chars, of at most MaxKeyLength chars; <paramref name="before"/>
    /// is where it starts, quote and all.
    /// </summary>
    private static bool PreviousValue(ReadOnlySpan<char> text, int end, out int start, out int contentEnd, out int before)
    {
        start = end;
        contentEnd = end;
        before = end;
        if (end == 0)
        {
            return false;
        }

        var quote = text[end - 1];
        if (quote is not ('"' or '\''))
        {
            while (start > 0 && end - start < MaxKeyLength && IsKeyChar(text[start - 1]))
            {
                start--;
            }

            before = start;
            return start < end && (start == 0 || !IsKeyChar(text[start - 1]));
        }

        var escaped = end >= 2 && text[end - 2] == '\\';
        contentEnd = end - (escaped ? 2 : 1);
        var open = contentEnd - 1;
        while (open >= 0 && contentEnd - open <= MaxKeyLength + 1 && text[open] != quote && text[open] is not ('\r' or '\n'))
        {
            open--;
        }

        if (open < 0 || text[open] != quote || (open > 0 && text[open - 1] == '\\') != escaped)
        {
            return false;
        }

        start = open + 1;
        before = escaped ? open - 1 : open;
        return start < contentEnd;
    }

    /// <summary>Before a quote that ends or starts a key, also an escaped one (<c>\"</c>).</summary>
    private static int SkipQuoteBack(ReadOnlySpan<char> text, int at)
    {
        if (at > 0 && text[at - 1] is '"' or '\'')
        {
            at--;
            if (at > 0 && text[at - 1] == '\\')
            {
                at--;
            }
        }

        return at;
    }

    private static int SkipSpace(ReadOnlySpan<char> text, int at, bool lines)
    {
        while (at < text.Length && (text[at] is ' ' or '\t' || (lines && text[at] is '\r' or '\n')))
        {
            at++;
        }

        return at;
    }

    private static int SkipSpaceBack(ReadOnlySpan<char> text, int at)
    {
        while (at > 0 && text[at - 1] is ' ' or '\t' or '\r' or '\n')
        {
            at--;
        }

        return at;
    }

    /// <summary>
    /// The value at <paramref name="from"/> when one of the few properties after it is a name, key or type whose text
    /// names a secret (<c>{"value": "…", "name": "password"}</c>, <c>&lt;input value="…" type="password"&gt;</c>, a
    /// Kubernetes <c>env</c> entry written value first). The value is read at most <see cref="MaxValueBeforeName"/>
    /// chars far and each property after it in bounded steps, so a value costs the same however long the text.
    /// </summary>
    private bool PrecedesSecretName(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        var bound = Math.Min(text.Length, from + MaxValueBeforeName);
        if (!FindValue(text[..bound], from, out start, out length))
        {
            return false;
        }

        // Past the value's end, and its closing quote (maybe escaped) or bracket; a value the bound cut ends nowhere.
        var at = start + length;
        if (at >= bound)
        {
            return false;
        }

        at += text[at] == '\\' && at + 1 < text.Length && text[at + 1] is '"' or '\'' ? 2 : text[at] is '"' or '\'' or '}' or ']' or ')' or '>' ? 1 : 0;
        for (var property = 0; property < MaxPropertiesBeforeValue; property++)
        {
            // Between properties: a comma (JSON, a CLI's shorthand), or white space (attributes, YAML).
            var end = at;
            at = SkipSpace(text, at, lines: true);
            if (at < text.Length && text[at] == ',')
            {
                at = SkipSpace(text, at + 1, lines: true);
            }
            else if (at == end)
            {
                return false;
            }

            if (at + 1 < text.Length && text[at] == '\\' && text[at + 1] is '"' or '\'')
            {
                at += 2;
            }
            else if (at < text.Length && text[at] is '"' or '\'')
            {
                at++;
            }

            var nameStart = at;
            while (at < text.Length && at - nameStart < MaxKeyLength && IsKeyChar(text[at]))
            {
                at++;
            }

            var sign = at > nameStart ? SignAfter(text, at) : -1;
            if (sign < 0 || !NextValue(text, sign + 1, out var valueStart, out var valueEnd, out var after))
            {
                return false;
            }

            // Where a secret is kept names a value that is no path: {"value": "hunter2", "name": "PASSWORD_FILE"}.
            if (IsRedactedValue(NamesSecret(text[nameStart..at], text[valueStart..valueEnd]), text, start, length))
            {
                return true;
            }

            at = after;
        }

        return false;
    }

    /// <summary>
    /// The property value that starts at <paramref name="from"/> (after spaces): a quoted text on one line (also with
    /// escaped quotes) or a run of key chars, of at most MaxKeyLength chars; <paramref name="after"/> is where it ends,
    /// closing quote and all. The mirror of <see cref="PreviousValue"/>.
    /// </summary>
    private static bool NextValue(ReadOnlySpan<char> text, int from, out int start, out int end, out int after)
    {
        var at = SkipSpace(text, from, lines: false);
        start = end = after = at;
        if (at == text.Length)
        {
            return false;
        }

        var escaped = text[at] == '\\' && at + 1 < text.Length && text[at + 1] is '"' or '\'';
        var quote = escaped ? text[at + 1] : text[at];
        if (quote is not ('"' or '\''))
        {
            while (end < text.Length && end - start < MaxKeyLength && IsKeyChar(text[end]))
            {
                end++;
            }

            after = end;
            return start < end;
        }

        start = at + (escaped ? 2 : 1);
        var close = start;
        while (close < text.Length && close - start <= MaxKeyLength && text[close] != quote && text[close] is not ('\r' or '\n'))
        {
            close++;
        }

        if (close == text.Length || text[close] != quote || (text[close - 1] == '\\') != escaped)
        {
            return false;
        }

        end = escaped ? close - 1 : close;
        after = close + 1;
        return start < end;
    }

    /// <summary>
    /// The password the flag at <paramref name="flag"/> (a dash) gives when the nearest known command before it on its
    /// line takes a password with that flag (<see cref="PasswordFlagsOf"/>): its value attached (<c>-phunter2</c>,
    /// <c>--user=alice:hunter2</c>), after a space, or the next item of a list of arguments; the whole value, or the part
    /// of it that is the password (<c>curl -u alice:[redacted]</c>, <c>smbclient -U alice%[redacted]</c>,
    /// <c>openssl -passin pass:[redacted]</c>). Nothing after other commands, so <c>ssh -p 2222</c>,
    /// <c>docker run -p 8080:80</c> and <c>redis-cli -p 6379</c> keep their ports.
    /// </summary>
    private static bool FindShortFlagValue(ReadOnlySpan<char> text, int flag, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (flag + 2 >= text.Length
            || CommandFlagsBefore(text, flag) is not { } flags
            || !MatchFlag(flags, text[flag..], out var matched, out var nameEnd))
        {
            return false;
        }

        var flagEnd = flag + nameEnd;
        if (flagEnd >= text.Length)
        {
            return false;
        }

        // After a space, or as the next item of a list of arguments ("-p", "hunter2").
        bool found;
        var listItem = text[flag - 1] is '"' or '\'';
        var attached = AttachedValueStart(matched, text, flagEnd);
        if (listItem ? text[flagEnd] is '"' or '\'' or '\\' : text[flagEnd] is ' ' or '\t')
        {
            found = FindFlagValue(text, flag, flagEnd, out start, out length);
        }
        else if (attached < 0)
        {
            return false;
        }
        else if (!listItem)
        {
            // Attached on a command line: a word, or a quoted one (-p'hunter 2').
            found = FindValue(text, attached, out start, out length);
        }
        else
        {
            // Attached in a list item: to its closing quote, escaped as its opening one (["mysql", "-p…"] inside JSON
            // made a string once: \"-p…\", twice: \\\"-p…\\\"), whose backslashes stay.
            start = attached;
            length = RunLength(text[start..]);
            var escapes = 0;
            while (escapes < MaxQuoteEscapes && flag - 2 - escapes >= 0 && text[flag - 2 - escapes] == '\\')
            {
                escapes++;
            }

            if (escapes > 0 && length >= escapes && start + length < text.Length && text[start + length] is '"' or '\''
                && !text.Slice(start + length - escapes, escapes).ContainsAnyExcept('\\'))
            {
                length -= escapes;
            }

            found = length > 0;
        }

        var skip = found ? PasswordSkip(matched.Part, text.Slice(start, length)) : -1;
        if (skip < 0)
        {
            return false;
        }

        var end = start + length;
        if (skip == length)
        {
            // A quoted password after its prefix or user on a command line (pass:'hunter 2'): the run stopped at its quote.
            return !listItem && end < text.Length && text[end] is '"' or '\'' && FindValue(text, end, out start, out length);
        }

        start += skip;
        length -= skip;
        return true;
    }

    /// <summary>
    /// Which of <paramref name="flags"/> the flag at the start of <paramref name="text"/> (a dash) is, and where its
    /// name ends. A longer name, or a one-letter one whose value is never joined to it, must not go on in a key char
    /// (<c>-passin</c> is not <c>-pass</c>, OpenSSL's <c>-kfile</c> not <c>-k</c>).
    /// </summary>
    internal static bool MatchFlag(PasswordFlag[] flags, ReadOnlySpan<char> text, out PasswordFlag flag, out int nameEnd)
    {
        foreach (var candidate in flags)
        {
            var name = candidate.Name;
            nameEnd = 1 + name.Length;
            if (text.Length < 2 || text[0] != '-' || !text[1..].StartsWith(name, StringComparison.Ordinal)
                || (nameEnd < text.Length && (name.Length > 1 || !candidate.Attached) && IsKeyChar(text[nameEnd])))
            {
                continue;
            }

            flag = candidate;
            return true;
        }

        flag = default;
        nameEnd = 0;
        return false;
    }

    /// <summary>
    /// Where a value joined to the flag <paramref name="flag"/> whose name ends at <paramref name="nameEnd"/> starts
    /// (<c>-phunter2</c>, <c>--user=alice:x</c>), or -1 when the flag cannot hold one so (<c>openssl -k</c>, or a longer
    /// name without an <c>=</c>).
    /// </summary>
    internal static int AttachedValueStart(PasswordFlag flag, ReadOnlySpan<char> text, int nameEnd) =>
        nameEnd >= text.Length ? -1
        : flag.Name.Length > 1 ? (text[nameEnd] == '=' ? nameEnd + 1 : -1)
        : flag.Attached ? nameEnd : -1;

    /// <summary>
    /// Where the password starts in the value <paramref name="value"/> of a flag whose <paramref name="part"/> says
    /// where it is: at once, after the first <c>:</c> or <c>%</c> (the user before it is kept), or after <c>pass:</c>
    /// (OpenSSL's <c>env:VAR</c>, <c>file:path</c>, <c>fd:3</c> and <c>stdin</c> name no secret). False when the value
    /// holds none (<c>curl -u alice</c>, which asks for it).
    /// </summary>
    internal static bool PasswordStart(PasswordPart part, ReadOnlySpan<char> value, out int skip)
    {
        skip = PasswordSkip(part, value);
        return skip >= 0 && skip < value.Length;
    }

    /// <summary>How many chars of <paramref name="value"/> come before its password (see <see cref="PasswordStart"/>), or -1 when it holds none.</summary>
    private static int PasswordSkip(PasswordPart part, ReadOnlySpan<char> value) => part switch
    {
        PasswordPart.AfterColon => value.IndexOf(':') is var colon && colon >= 0 ? colon + 1 : -1,
        PasswordPart.AfterPercent => value.IndexOf('%') is var percent && percent >= 0 ? percent + 1 : -1,
        PasswordPart.AfterPassPrefix => value.StartsWith("pass:", StringComparison.Ordinal) ? "pass:".Length : -1,
        _ => 0,
    };

    /// <summary>
    /// The password flags of the nearest known command before the flag at <paramref name="flag"/> on its line (back to
    /// a line break, <c>;</c>, <c>|</c>, <c>&amp;</c>, <c>(</c> or a backquote, at most <see cref="MaxCommandLookBack"/>
    /// chars), or null. A nearer command that takes none (<c>sshpass -p pw ssh -p 2222</c>: ssh's <c>-p</c> is a port)
    /// decides for it; so does a <c>login</c> subcommand whose <c>-p</c> is a password (<c>docker login</c>,
    /// <c>az login</c>, also after global options: <c>docker --config x login</c>; <see cref="TakesLoginPassword"/>,
    /// <see cref="LoginAfterOptions"/>), though <c>docker</c> alone takes none.
    /// </summary>
    private static PasswordFlag[]? CommandFlagsBefore(ReadOnlySpan<char> text, int flag)
    {
        var limit = Math.Max(0, flag - MaxCommandLookBack);
        var at = flag;
        var laterIsLogin = false;
        var loginLooked = false;
        while (at > limit)
        {
            var c = text[at - 1];
            if (c is '\n' or '\r' or ';' or '|' or '&' or '(' or '`')
            {
                return null;
            }

            if (!IsCommandChar(c))
            {
                at--;
                continue;
            }

            var end = at;
            while (at > limit && IsCommandChar(text[at - 1]))
            {
                at--;
            }

            var word = text[at..end];
            var flags = laterIsLogin && TakesLoginPassword(word) ? LoginFlags : PasswordFlagsOf(word);
            if (flags is not null)
            {
                return flags.Length == 0 ? null : flags;
            }

            laterIsLogin = CommandName(word).SequenceEqual("login");

            // docker --config x login, docker -H tcp://h --tls login: global options between the command and its
            // login. Looked for once, at the login nearest the flag, so a flag costs one bounded walk back.
            if (laterIsLogin && !loginLooked)
            {
                loginLooked = true;
                if (LoginAfterOptions(text, at, limit))
                {
                    return LoginFlags;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the <c>login</c> at <paramref name="login"/> is the subcommand of a command that
    /// <see cref="TakesLoginPassword"/> with only its global options between them: options (<c>--tls</c>,
    /// <c>--log-level=debug</c>), each followed by at most one value (<c>--config /tmp/cfg</c>, <c>-H tcp://h:2376</c>),
    /// read back to <paramref name="limit"/> on the same command line. So <c>docker --config x login -p …</c> is a login,
    /// and <c>docker run -p 5000:5000 app login -p 22</c> (a word that is no option's value) is not.
    /// </summary>
    private static bool LoginAfterOptions(ReadOnlySpan<char> text, int login, int limit)
    {
        var at = login;
        var needsOption = false;
        while (true)
        {
            // Words are separated by white space, and by the quotes and commas of a list of arguments; the backslash
            // of an escaped quote (\"docker\" in JSON inside a string) is no part of a word.
            while (at > limit && text[at - 1] is ' ' or '\t' or '"' or '\'' or ',' or '[' or ']')
            {
                at--;
            }

            if (at == limit || text[at - 1] is '\n' or '\r' or ';' or '|' or '&' or '(' or '`')
            {
                return false;
            }

            var end = at;
            while (at > limit && text[at - 1] is not (' ' or '\t' or '"' or '\'' or ',' or '[' or ']' or '\n' or '\r' or ';' or '|' or '&' or '(' or '`'))
            {
                at--;
            }

            var word = text[at..end].Trim('\\');
            if (word.IsEmpty)
            {
                continue;
            }

            if (word[0] == '-')
            {
                needsOption = false;
            }
            else if (TakesLoginPassword(word))
            {
                return !needsOption;
            }
            else if (needsOption)
            {
                // Two words in a row that are no options: a subcommand and its argument (run … app), not options.
                return false;
            }
            else
            {
                // An option's value: an option must come before it.
                needsOption = true;
            }
        }
    }

    /// <summary>
    /// The flags that the command <paramref name="word"/> (a path's last part, without <c>.exe</c>) takes a password
    /// with: <c>-p</c> for the MySQL and MariaDB clients (whose <c>-p value</c>, with a space, is a database name that is
    /// masked too: a model often means the password), the MongoDB tools, <c>sshpass</c> and 7-Zip; <c>-a</c> and
    /// <c>--pass</c> for <c>redis-cli</c>; <c>-P</c> for <c>zip</c>, <c>unzip</c> and SQL Server's <c>sqlcmd</c>,
    /// <c>bcp</c> and <c>osql</c>; <c>-N</c> (the new passphrase) and <c>-P</c> (the old one) for <c>ssh-keygen</c>;
    /// <c>-storepass</c>, <c>-keypass</c>, their <c>src</c> and <c>dest</c> forms and <c>-new</c> for Java's
    /// <c>keytool</c> and <c>jarsigner</c>; <c>-w</c> for the OpenLDAP tools (<c>-W</c> asks for
    /// it), and <c>-a</c> (the old password) and <c>-s</c> (the new one) for <c>ldappasswd</c>; <c>-k</c>, <c>-pass</c>, <c>-passin</c> and <c>-passout</c> for <c>openssl</c> (what follows <c>pass:</c>);
    /// <c>-u</c>, <c>-U</c>, <c>--user</c> and <c>--proxy-user</c> for <c>curl</c> (what follows the user's colon);
    /// <c>-U</c> and <c>--user</c> for Samba's clients (what follows the user's <c>%</c>). A command whose one-letter
    /// flags are something else (<c>ssh</c>, <c>scp</c>, <c>docker</c>, …) gives none: it ends the look for a command.
    /// Otherwise null.
    /// </summary>
    internal static PasswordFlag[]? PasswordFlagsOf(ReadOnlySpan<char> word) => CommandName(word) switch
    {
        "mysql" or "mysqldump" or "mysqladmin" or "mysqlimport" or "mysqlshow" or "mysqlcheck" or "mysqlpump" or "mysqlsh"
            or "mariadb" or "mariadb-dump" or "mariadb-admin" or "mongo" or "mongosh" or "mongodump" or "mongorestore"
            or "mongoexport" or "mongoimport" or "sshpass" or "7z" or "7za" or "7zz" => DashP,
        "sqlcmd" or "bcp" or "osql" => ZipFlags,
        "ssh-keygen" => SshKeygenFlags,
        "keytool" or "jarsigner" => JavaKeyToolFlags,
        "redis-cli" => RedisFlags,
        "zip" or "unzip" => ZipFlags,
        "ldapsearch" or "ldapmodify" or "ldapadd" or "ldapdelete" or "ldapmodrdn" or "ldapcompare" or "ldapwhoami"
            or "ldapexop" or "ldapurl" => LdapFlags,
        "ldappasswd" => LdapPasswdFlags,
        "openssl" => OpenSslFlags,
        "curl" => CurlFlags,
        "smbclient" or "rpcclient" or "smbcacls" or "smbget" => SambaFlags,
        "ssh" or "scp" or "sftp" or "rsync" or "docker" or "podman" or "kubectl" or "nc" or "mkdir" => NoFlags,
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="word"/> is a command whose <c>login</c> subcommand takes a password with <c>-p</c>:
    /// <c>docker</c>, <c>podman</c>, <c>nerdctl</c>, <c>buildah</c>, <c>skopeo</c>, <c>oras</c>, <c>helm registry</c>,
    /// <c>az</c>, <c>oc</c>, <c>cf</c>.
    /// </summary>
    internal static bool TakesLoginPassword(ReadOnlySpan<char> word) =>
        CommandName(word) is "docker" or "podman" or "nerdctl" or "buildah" or "skopeo" or "oras" or "registry" or "az" or "oc" or "cf";

    /// <summary>The flags of a <c>login</c> subcommand after a command that <see cref="TakesLoginPassword"/>.</summary>
    internal static PasswordFlag[] LoginFlags => DashP;

    /// <summary>A path's last part, without <c>.exe</c>; a trailing backslash escapes a quote (<c>\"mysql\"</c> in JSON inside a string).</summary>
    private static ReadOnlySpan<char> CommandName(ReadOnlySpan<char> word)
    {
        word = word.TrimEnd('\\');
        var slash = word.LastIndexOfAny('/', '\\');
        word = word[(slash + 1)..];
        return word.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? word[..^4] : word;
    }

    private static bool IsCommandChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or '\\';

    /// <summary>Whether a property's key ends in the word value (<c>value</c>, <c>Value</c>, <c>ParameterValue</c>): its value is a secret when a name or key beside it names one.</summary>
    internal static bool IsValueKey(ReadOnlySpan<char> key) => EndsWithWord(key, ValueWord);

    /// <summary>
    /// Whether a property's key ends in the word name, key or type (<c>name</c>, <c>Key</c>, <c>ParameterKey</c>,
    /// <c>OptionName</c>, an HTML input's <c>type</c>): its text can name the value beside it (<c>type="password"</c>).
    /// </summary>
    /// <remarks>Most keys end in another letter, which settles it without a case-insensitive compare.</remarks>
    internal static bool IsNameKey(ReadOnlySpan<char> key) =>
        !key.IsEmpty && (key[^1] | 0x20) is 'e' or 'y' && (EndsWithWord(key, "name") || EndsWithWord(key, "key") || EndsWithWord(key, "type"));

    /// <summary>
    /// Whether a type property says that the value beside it is a secret: AWS Systems Manager's
    /// <c>"Type": "SecureString"</c> (<c>{"Name": "/prod/db", "Type": "SecureString", "Value": "…"}</c>).
    /// </summary>
    internal static bool IsSecretType(ReadOnlySpan<char> key, ReadOnlySpan<char> text) =>
        text.Equals(SecureStringType, StringComparison.OrdinalIgnoreCase) && EndsWithWord(key, "type");

    /// <summary>
    /// What the name, key or type property <paramref name="key"/> with the text <paramref name="text"/> says of the value
    /// beside it: a secret (<c>name: password</c>, <c>Type: SecureString</c>), where one is kept (<c>name: password_file</c>), or nothing.
    /// </summary>
    private KeyJudgement NamesSecret(ReadOnlySpan<char> key, ReadOnlySpan<char> text) =>
        !IsNameKey(key) ? KeyJudgement.Kept
        : IsSecretType(key, text) ? KeyJudgement.Redacted
        : JudgeKey(text);

    /// <summary>
    /// Whether a whole text is a long flag's name (<c>--password</c>; not <c>--password=…</c>, <c>-p</c> or a
    /// <c>--no-…</c> switch), as an item of a list of arguments is; its name is for the caller to judge.
    /// </summary>
    internal static bool IsLongFlag(ReadOnlySpan<char> text)
    {
        if (!IsFlag(text, 0, text.Length))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsKeyChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the key's last word is <paramref name="word"/>: <c>value</c>, <c>Value</c>, <c>ParameterValue</c>, <c>param_value</c>; not <c>keyvalue</c>.</summary>
    private static bool EndsWithWord(ReadOnlySpan<char> key, string word)
    {
        if (!key.EndsWith(word, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (key.Length == word.Length)
        {
            return true;
        }

        var before = key[^(word.Length + 1)];
        return !char.IsLetterOrDigit(before) || (char.IsUpper(key[^word.Length]) && char.IsLower(before));
    }

    private static bool IsCookieHeader(ReadOnlySpan<char> key) =>
        key.Equals("Cookie", StringComparison.OrdinalIgnoreCase) || key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Where the next trigger starts, or -1: a key's trigger (<see cref="NextKeyTrigger"/>), or the space or quote before
    /// a flag that may take a password (<c> -p</c>, <c>"-a</c>, <c> --user</c>, either case: <see cref="PasswordFlagsOf"/>).
    /// </summary>
    /// <remarks>
    /// The flags are looked for apart from the multi-string search: a dash is rare in most text, while three-char
    /// strings that start with a space or a quote would make that search stop at nearly every quote of a JSON text.
    /// </remarks>
    /// <param name="text">The whole text.</param>
    /// <param name="end">Where the stretch searched ends: a trigger must lie wholly before it.</param>
    /// <param name="from">Where the search starts.</param>
    /// <param name="dashes">
    /// The next dash, kept by the caller across the calls of one text (its stretches are many and short in dense text
    /// such as JSON, and each would otherwise search for dashes again), so each char is searched for a dash about once.
    /// </param>
    private int NextTrigger(ReadOnlySpan<char> text, int end, int from, ref DashCursor dashes)
    {
        var hit = NextKeyTrigger(text[..end], from);
        if (!_shortFlags)
        {
            return hit;
        }

        if (dashes.From > from + 1 || dashes.Next < from + 1)
        {
            dashes.From = from + 1;
            dashes.Next = NextDash(text, from + 1);
        }

        var until = hit < 0 ? end : hit;
        while (dashes.Next < until)
        {
            // The flag's first letter (after a second dash: --user), in either case: one that some command's password
            // flag starts with (PasswordFlagsOf). Past the stretch, it is looked at again when the stretch grows.
            var at = dashes.Next;
            var letterAt = at + 1 < end && text[at + 1] == '-' ? at + 2 : at + 1;
            if (letterAt >= end)
            {
                return hit;
            }

            if (text[at - 1] is ' ' or '"' or '\'' && (text[letterAt] | 0x20) is 'p' or 'a' or 'u' or 'w' or 'k' or 's' or 'n' or 'd')
            {
                return at - 1;
            }

            // A dash that starts no flag never will: passed for good.
            dashes.Next = NextDash(text, at + 1);
        }

        return hit;
    }

    /// <summary>The first dash at or after <paramref name="from"/>, or the text's length.</summary>
    private static int NextDash(ReadOnlySpan<char> text, int from)
    {
        var found = from < text.Length ? text[from..].IndexOf('-') : -1;
        return found < 0 ? text.Length : from + found;
    }

    /// <summary>Where the next dash is: no dash in [<see cref="From"/>, <see cref="Next"/>) starts a flag.</summary>
    private struct DashCursor
    {
        /// <summary>Nothing known yet.</summary>
        public static readonly DashCursor None = new() { From = 1, Next = 0 };

        /// <summary>Where the search for <see cref="Next"/> started.</summary>
        public int From;

        /// <summary>A dash's position (one that may start a flag), or the text's length when none is left.</summary>
        public int Next;
    }

#if NET9_0_OR_GREATER
    /// <summary>Where the next key trigger starts (a vectorized multi-string search), or -1.</summary>
    private int NextKeyTrigger(ReadOnlySpan<char> text, int from)
    {
        var found = text[from..].IndexOfAny(_triggerSearch);
        return found < 0 ? -1 : from + found;
    }
#else
    /// <summary>Where the next key trigger starts, or -1.</summary>
    private int NextKeyTrigger(ReadOnlySpan<char> text, int from)
    {
        var rest = text[from..];
        var first = -1;
        foreach (var trigger in _triggers)
        {
            var found = (first < 0 ? rest : rest[..first]).IndexOf(trigger, StringComparison.OrdinalIgnoreCase);
            if (found >= 0)
            {
                first = found;
            }
        }

        return first < 0 ? -1 : from + first;
    }
#endif

    /// <summary>
    /// The position of the = or : that gives the key ending at <paramref name="keyEnd"/> a value, or -1; for a quoted
    /// key, also the <c>&gt;</c> of a hash rocket (<c>"password" =&gt; "hunter2"</c>, Ruby's and PHP's), the value
    /// following it.
    /// </summary>
    private static int SignAfter(ReadOnlySpan<char> text, int keyEnd)
    {
        // A quoted key ("password": …), also inside JSON that is itself a string once or more (\"password\": …,
        // \\\"password\\\": …).
        var quote = QuoteLength(text, keyEnd);
        var at = keyEnd + quote;
        if (quote > 0 && at < text.Length && text[at] == ']')
        {
            // A subscript given a quoted value: os.environ["DB_PASSWORD"] = "…", config['api_key'] = '…'. Not a
            // comparison (==), nor a value looked up (= os.getenv("X"): code, which names no secret of its own).
            at = SkipSpace(text, at + 1, lines: false);
            return at + 1 < text.Length && text[at] == '=' && text[at + 1] is not ('=' or '~')
                && QuoteLength(text, SkipSpace(text, at + 1, lines: false)) > 0 ? at : -1;
        }

        while (at < text.Length && text[at] is ' ' or '\t')
        {
            at++;
        }

        if (at + 1 < text.Length && text[at] == '=' && text[at + 1] == '>')
        {
            // After a bare name only when a quoted value follows (Perl's password => 'hunter2', Ruby's
            // :password => "hunter2"): password => Hash(password) is a lambda, its parameter no key.
            return quote > 0 || QuoteLength(text, SkipSpace(text, at + 2, lines: false)) > 0 ? at + 1 : -1;
        }

        if (at == keyEnd && at < text.Length && text[at] == '%')
        {
            return EncodedSignAfter(text, at);
        }

        if (at + 1 < text.Length && text[at + 1] == '=' && text[at] is '=' or ':' or '?' or '+')
        {
            // Go's and make's assignments give a value (password := "…", API_KEY ?= …, TOKEN += …); a comparison
            // (password == "…", pip's google-auth==2.23.0) gives none.
            return text[at] == '=' ? -1 : at + 1;
        }

        return at < text.Length && text[at] is '=' or ':' && !text[at..].StartsWith(UrlMarker, StringComparison.Ordinal) ? at : -1;
    }

    /// <summary>
    /// The last char of the percent-encoded = that gives a key a value (<c>token%3Dabc</c>, in a URL nested in another's
    /// query), encoded once or twice (<c>%253D</c>: a redirect's redirect), after encoded spaces (<c>%20</c>) and at most
    /// one encoded closing quote (<c>%22</c>, form-encoded JSON: <c>%22password%22%3A%22…</c>, where a colon gives the
    /// value too); or -1. The value follows the escape, to the outer query's next &amp; (its own encoded ones, %26, are
    /// inside that: masked too, on the safe side). A colon after a bare key is no sign: every encoded URL's scheme has one.
    /// </summary>
    private static int EncodedSignAfter(ReadOnlySpan<char> text, int at)
    {
        const int MaxEscapes = 8;
        var quoted = false;
        for (var escapes = 0; escapes < MaxEscapes && TryDecodeEscape(text, at, out var decoded, out var next); escapes++)
        {
            switch (decoded)
            {
                case '=':
                case ':' when quoted:
                    return next - 1;
                case '"' when !quoted:
                    quoted = true;
                    break;
                case ' ':
                    break;
                default:
                    return -1;
            }

            at = next;
        }

        return -1;
    }

    /// <summary>The char a percent escape at <paramref name="at"/> spells (<c>%3D</c>, or <c>%253D</c> encoded twice), and where it ends.</summary>
    private static bool TryDecodeEscape(ReadOnlySpan<char> text, int at, out char decoded, out int next)
    {
        decoded = '\0';
        next = at;
        if (at + 2 >= text.Length || text[at] != '%')
        {
            return false;
        }

        var digits = at + 1;
        if (text[digits] == '2' && text[digits + 1] == '5' && digits + 3 < text.Length
            && char.IsAsciiHexDigit(text[digits + 2]) && char.IsAsciiHexDigit(text[digits + 3]))
        {
            digits += 2; // %25 is an encoded %: what follows is the escape encoded once more
        }

        if (!char.IsAsciiHexDigit(text[digits]) || !char.IsAsciiHexDigit(text[digits + 1]))
        {
            return false;
        }

        decoded = (char)((HexValue(text[digits]) << 4) | HexValue(text[digits + 1]));
        next = digits + 2;
        return true;
    }

    /// <summary>The value of a hexadecimal digit, either case.</summary>
    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>What the key <paramref name="key"/> says of its value (<see cref="ArgumentKeyRedactor.Judge"/>), cached.</summary>
    private KeyJudgement JudgeKey(ReadOnlySpan<char> key)
    {
#if NET9_0_OR_GREATER
        if (_lookup.TryGetValue(key, out var judgement))
        {
            return judgement;
        }
#endif
        var name = key.ToString();
#if !NET9_0_OR_GREATER
        if (_cache.TryGetValue(name, out var judgement))
        {
            return judgement;
        }
#endif
        judgement = IsSourceFileName(name) ? KeyJudgement.Kept : _keys.Judge(name);
        if (_cache.Count < MaxCachedKeys)
        {
            _cache[name] = judgement;
        }

        return judgement;
    }

    /// <summary>
    /// Whether a key is a file's name with a source file's extension: a location, not a key
    /// (<c>tests/test_auth.py::TestLogin</c>, <c>src/auth.go:42:</c>). Not a data file's (<c>token.txt</c>,
    /// <c>password.yaml</c>): grep prints such a file's content after its name and a colon.
    /// </summary>
    private static bool IsSourceFileName(string key)
    {
        var dot = key.LastIndexOf('.');
        return dot > 0 && SourceFileExtensions.Contains(key.AsSpan(dot + 1).ToString());
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
        var open = QuoteLength(text, start);
        if (open > 0)
        {
            var escapes = open - 1;
            start += open;
            length = ClosingQuote(text, start, text[start - 1], escapes) - start;
            return length > 0;
        }

        if (first is '{' or '[')
        {
            return FindBraced(text, start, out start, out length);
        }

        // A bracketed value (password=<hunter2>, token=(abc)): what the brackets hold.
        if (first is '<' or '(' && start + 1 < text.Length)
        {
            start++;
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
            if (value.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                run = WithCredentials(text, start, run);
                break;
            }
        }

        length = run;
        return true;
    }

    /// <summary>
    /// The value in braces or brackets at <paramref name="open"/>: ODBC's quoted value (<c>PWD={a;b}</c>, <c>}}</c> for a
    /// brace in it), a list (<c>"secrets": ["a", "b"]</c>, <c>password=[a]</c>), to the closing brace or bracket (or the
    /// text's end: a window may have cut it). Nothing for an object (<c>{"user": …}</c>, whose keys speak for themselves),
    /// a list of objects or lists, an empty one, or a value masked already (<c>[redacted]</c>).
    /// </summary>
    private static bool FindBraced(ReadOnlySpan<char> text, int open, out int start, out int length)
    {
        var list = text[open] == '[';
        start = open + 1;
        length = 0;
        var first = start;
        while (first < text.Length && (text[first] is ' ' or '\t' || (list && text[first] is '\r' or '\n')))
        {
            first++;
        }

        if (first == text.Length
            || (list ? text[first] is '{' or '[' or ']' || text[open..].StartsWith(SecretScanner.Redacted, StringComparison.Ordinal)
                     : text[first] is '"' or '\'' or '\\' or '}' or '\r' or '\n'))
        {
            return false;
        }

        var end = first;
        var quote = '\0';
        while (end < text.Length)
        {
            var c = text[end];
            if (!list)
            {
                if (c == '}')
                {
                    if (end + 1 < text.Length && text[end + 1] == '}')
                    {
                        end += 2;
                        continue;
                    }

                    break;
                }
            }
            else if (quote != '\0')
            {
                // Inside a quoted item: its closing quote ends it; an escaped char is part of it.
                end += c == '\\' ? 1 : 0;
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == ']')
            {
                break;
            }

            end++;
        }

        length = Math.Min(end, text.Length) - start;
        return true;
    }

    // Webhook and bot URLs whose path is the credential (host, then what is masked): Slack's
    // https://hooks.slack.com/services/T…/B…/secret, Discord's …/api/webhooks/id/token, Telegram's
    // https://api.telegram.org/bot123456:token/method (whose method, after a slash, is kept).
    private static readonly string[] UrlPathMarkers =
        ["hooks.slack.com/services/", "discord.com/api/webhooks/", "discordapp.com/api/webhooks/", "api.telegram.org/bot"];

    /// <summary>
    /// The credential in the path of a webhook or bot URL (<see cref="UrlPathMarkers"/>, <paramref name="url"/> being
    /// what follows <c>://</c>): letters, digits, <c>- _ :</c> and, but for Telegram's, <c>/</c>; at least 16 of them.
    /// </summary>
    private static bool FindUrlPathCredential(ReadOnlySpan<char> url, out int start, out int length)
    {
        start = 0;
        length = 0;
        foreach (var marker in UrlPathMarkers)
        {
            if (url.StartsWith(marker, StringComparison.OrdinalIgnoreCase))
            {
                var slashes = marker[^1] == '/';
                var end = marker.Length;
                while (end < url.Length && (char.IsAsciiLetterOrDigit(url[end]) || url[end] is '-' or '_' or ':' || (slashes && url[end] == '/')))
                {
                    end++;
                }

                start = marker.Length;
                length = end - start;
                return length >= 16;
            }
        }

        return false;
    }

    /// <summary>The password of the user information in the URL authority starting at <paramref name="from"/>.</summary>
    private static bool FindUrlPassword(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        start = 0;
        length = 0;
        var rest = text[from..];
        var end = rest.IndexOfAny(" \t\r\n\"'<>");
        var url = end < 0 ? rest : rest[..end];
        if (FindUrlPathCredential(url, out var pathStart, out length))
        {
            start = from + pathStart;
            return true;
        }

        // user:password@host. The user holds none of / ? # @ :, so its colon is the first of the URL; the password
        // runs to the last @ of the authority, or, when the authority has none, to an @ further on: a password
        // written with a raw / ? or # (not percent-encoded) is masked too.
        var colon = url.IndexOfAny(":/?#@");
        if (colon < 0 || url[colon] != ':')
        {
            return false;
        }

        var authorityEnd = url.IndexOfAny("/?#");
        var at = (authorityEnd < 0 ? url : url[..authorityEnd]).LastIndexOf('@');
        if (at < colon)
        {
            // Unless the authority is host:port (https://host:8080/x@y): then the @ is the path's.
            if (authorityEnd > colon + 1 && !url[(colon + 1)..authorityEnd].ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            at = url.LastIndexOf('@');
        }

        if (at <= colon + 1)
        {
            return false;
        }

        start = from + colon + 1;
        length = at - colon - 1;
        return true;
    }

    /// <summary>
    /// How long the quote at <paramref name="at"/> is with its escapes: 1 for a quote, 2 for <c>\"</c> (JSON inside a
    /// string), 4 for <c>\\\"</c> (inside a string twice), …, at most <see cref="MaxQuoteEscapes"/> backslashes; 0
    /// when no quote is there.
    /// </summary>
    private static int QuoteLength(ReadOnlySpan<char> text, int at)
    {
        var end = at;
        while (end < text.Length && end - at < MaxQuoteEscapes && text[end] == '\\')
        {
            end++;
        }

        return end < text.Length && text[end] is '"' or '\'' ? end - at + 1 : 0;
    }

    /// <summary>
    /// Where the quoted value that starts at <paramref name="from"/> ends: before the <paramref name="quote"/> that
    /// closes it, escaped by as many backslashes as its opening one (<paramref name="escapes"/>), or the text's end.
    /// </summary>
    /// <remarks>
    /// Each time JSON is made a string, a quote's backslashes double and gain one (<c>"</c>, <c>\"</c>,
    /// <c>\\\"</c>). A quote in the value is escaped one level deeper than the closing one (2 × escapes + 1
    /// backslashes) and a backslash in it takes 2 × escapes + 2: so a run of backslashes before a quote closes the value
    /// when, less the closing quote's escapes, it is a whole number of the value's backslashes (<c>\"a\\\"b\"</c>
    /// holds <c>a"b</c>; <c>\"a\\\\\"</c> holds <c>a\</c>). Each run is counted once, back from its quote, so a
    /// long one costs its length.
    /// </remarks>
    private static int ClosingQuote(ReadOnlySpan<char> text, int from, char quote, int escapes)
    {
        var at = from;
        while (at < text.Length)
        {
            var found = text[at..].IndexOf(quote);
            if (found < 0)
            {
                break;
            }

            var close = at + found;
            var run = 0;
            while (close - run > from && text[close - run - 1] == '\\')
            {
                run++;
            }

            if (run >= escapes && (run - escapes) % ((2 * escapes) + 2) == 0)
            {
                return close - escapes;
            }

            at = close + 1;
        }

        return text.Length;
    }

    /// <summary>
    /// A secret that follows words rather than a key and a sign, the word run <c>text[keyStart..keyEnd]</c> being the
    /// first of them: a SQL string literal after <c>PASSWORD</c> (PostgreSQL's <c>CREATE</c> and <c>ALTER USER</c> and
    /// <c>ROLE</c>: <c>WITH PASSWORD 'hunter2'</c>, <c>ENCRYPTED PASSWORD '…'</c>) or after <c>IDENTIFIED BY</c>
    /// (MySQL's <c>CREATE USER … IDENTIFIED BY 'hunter2'</c>, also <c>IDENTIFIED WITH plugin BY '…'</c>; Oracle's
    /// unquoted and double-quoted forms are not looked for: no sign is near them); and what PowerShell's <c>ConvertTo-SecureString</c> is given, quoted or bare,
    /// maybe after <c>-String</c> or its switches (<c>ConvertTo-SecureString "P@ss" -AsPlainText -Force</c>,
    /// <c>ConvertTo-SecureString -AsPlainText -Force "P@ss"</c>). The literal's quote is
    /// a sign, and so is the dash in <c>ConvertTo-SecureString</c>: their words are searched for like keys.
    /// </summary>
    private static bool FindValueAfterWords(ReadOnlySpan<char> text, int keyStart, int keyEnd, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (IsWord(text, keyStart, keyEnd, PasswordWord))
        {
            var literal = SkipSpace(text, keyEnd, lines: true);
            return literal > keyEnd && FindSqlLiteral(text, literal, out start, out length);
        }

        if (IsWord(text, keyStart, keyEnd, IdentifiedWord))
        {
            var by = SkipSpace(text, keyEnd, lines: true);
            if (by > keyEnd && StartsWithWord(text, by, "WITH"))
            {
                // IDENTIFIED WITH caching_sha2_password BY '…': one word, the plugin's name, between WITH and BY.
                var plugin = SkipSpace(text, by + 4, lines: true);
                var pluginEnd = plugin;
                while (pluginEnd < text.Length && pluginEnd - plugin < MaxKeyLength && IsKeyChar(text[pluginEnd]))
                {
                    pluginEnd++;
                }

                by = plugin > by + 4 && pluginEnd > plugin ? SkipSpace(text, pluginEnd, lines: true) : -1;
            }

            if (by <= keyEnd || !StartsWithWord(text, by, "BY"))
            {
                return false;
            }

            var value = SkipSpace(text, by + 2, lines: true);
            return value > by + 2 && FindSqlLiteral(text, value, out start, out length);
        }

        if (!text[keyStart..keyEnd].Equals(ConvertToSecureString, StringComparison.OrdinalIgnoreCase) || (keyStart > 0 && IsKeyChar(text[keyStart - 1])))
        {
            return false;
        }

        var at = SkipSpace(text, keyEnd, lines: false);
        if (at == keyEnd)
        {
            return false;
        }

        // Its switches may come before the value (ConvertTo-SecureString -AsPlainText -Force "P@ss"), and -String
        // names it. A value piped in (… | ConvertTo-SecureString -AsPlainText -Force | …) is not in the command.
        for (var parameters = 0; parameters < SecureStringParameters.Length && at < text.Length && text[at] == '-'; parameters++)
        {
            var next = -1;
            foreach (var name in SecureStringParameters)
            {
                next = AfterParameter(text, at, name, isSwitch: name != StringParameter);
                if (next >= 0)
                {
                    break;
                }
            }

            if (next < 0)
            {
                return false;
            }

            at = next;
        }

        return at < text.Length && text[at] is not ('-' or '|') && FindValue(text, at, out start, out length);
    }

    /// <summary>
    /// Where the item after the PowerShell parameter <paramref name="name"/> (any case) at <paramref name="at"/> starts,
    /// past the space or colon that ends the name (and, for a switch, the value a colon binds to it: <c>-Force:$true</c>);
    /// -1 when another name is there.
    /// </summary>
    private static int AfterParameter(ReadOnlySpan<char> text, int at, string name, bool isSwitch)
    {
        var end = at + name.Length;
        if (end >= text.Length || !text[at..].StartsWith(name, StringComparison.OrdinalIgnoreCase) || text[end] is not (' ' or '\t' or ':'))
        {
            return -1;
        }

        if (isSwitch && text[end] == ':')
        {
            var bound = text[end..].IndexOfAny(' ', '\t');
            end = bound < 0 ? text.Length - 1 : end + bound;
        }

        return SkipSpace(text, end + 1, lines: false);
    }

    /// <summary>
    /// The value after a secret-named configuration key that ends a word given to <c>set</c>, the next word on the line,
    /// quoted or not: <c>dotnet user-secrets set "Db:Password" "hunter2"</c>, <c>dotnet user-secrets set Smtp:ApiKey
    /// abc</c> (the colon in the key is the sign that has it looked at). <paramref name="judgement"/> is the key's.
    /// </summary>
    private bool FindSetValue(ReadOnlySpan<char> text, int keyStart, int keyEnd, out KeyJudgement judgement, out int start, out int length)
    {
        judgement = KeyJudgement.Kept;
        start = 0;
        length = 0;

        // The word the key ends, a closing quote at most after it: "Db:Password", Smtp:ApiKey.
        var wordEnd = keyEnd < text.Length && text[keyEnd] is '"' or '\'' ? keyEnd + 1 : keyEnd;
        if (wordEnd < text.Length && text[wordEnd] is not (' ' or '\t'))
        {
            return false;
        }

        var wordStart = keyStart;
        while (wordStart > 0 && keyEnd - wordStart < MaxKeyLength && text[wordStart - 1] is not (' ' or '\t' or '\r' or '\n'))
        {
            wordStart--;
        }

        var set = SkipSpaceBack(text, wordStart);
        if (set == wordStart || set < 3 || !IsWord(text, set - 3, set, "set"))
        {
            return false;
        }

        judgement = JudgeKey(text[keyStart..keyEnd]);
        var value = SkipSpace(text, wordEnd, lines: false);
        return judgement != KeyJudgement.Kept && value > wordEnd && value < text.Length && text[value] != '-'
            && FindValue(text, value, out start, out length);
    }

    /// <summary>
    /// The value a command's <c>config set</c> or <c>configure set</c> (any case) gives a secret-named key, the next word
    /// on the line, when it starts at or after <paramref name="from"/> and before <paramref name="before"/>:
    /// <c>aws configure set aws_secret_access_key …</c>, <c>yarn config set npmAuthToken …</c>, <c>npm config set
    /// //registry.npmjs.org/:_authToken …</c> (the key is the end of the word), <c>CONFIG SET "api_key" …</c>.
    /// No sign leads to it, so <c>config</c> is searched for apart from the signs (prose that says "set the password
    /// policy" is not taken for one).
    /// </summary>
    private bool FindConfigSetValue(ReadOnlySpan<char> text, int from, int before, ref int configs, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (configs < 0)
        {
            configs = NextConfig(text, 0);
        }

        // A value lies after its config: one at or after before cannot give a value before it.
        for (; configs < before; configs = NextConfig(text, configs + 1))
        {
            var config = configs;
            // The search found "config" there: a word on its own, or the start of "configure".
            var configEnd = StartsWithWord(text, config, "configure") ? config + "configure".Length : config + "config".Length;
            if ((config > 0 && IsKeyChar(text[config - 1])) || (configEnd < text.Length && IsKeyChar(text[configEnd])))
            {
                continue;
            }

            var set = SkipSpace(text, configEnd, lines: false);
            if (set == configEnd || !StartsWithWord(text, set, "set"))
            {
                continue;
            }

            // The key: the end of the next word (past a closing quote), after its last char that cannot be in a key
            // (npm's //host/:_authToken).
            var word = SkipSpace(text, set + "set".Length, lines: false);
            var wordEnd = word;
            while (wordEnd < text.Length && wordEnd - word < MaxYamlReach && text[wordEnd] is not (' ' or '\t' or '\r' or '\n'))
            {
                wordEnd++;
            }

            var keyEnd = wordEnd > word && text[wordEnd - 1] is '"' or '\'' ? wordEnd - 1 : wordEnd;
            var keyStart = keyEnd;
            while (keyStart > word && IsKeyChar(text[keyStart - 1]))
            {
                keyStart--;
            }

            if (word == set + "set".Length || keyStart == keyEnd || keyEnd - keyStart > MaxKeyLength
                || !FindSetValue(text, keyStart, keyEnd, out var judgement, out var valueStart, out var valueLength))
            {
                continue;
            }

            if (valueStart >= before)
            {
                // After the match found first: looked at again by the next call.
                return false;
            }

            if (valueStart >= from && IsRedactedValue(judgement, text, valueStart, valueLength))
            {
                start = valueStart;
                length = valueLength;
                configs = NextConfig(text, config + 1);
                return true;
            }
        }

        return false;
    }

    /// <summary>The first <c>config</c> (any case) at or after <paramref name="from"/>, or the text's length.</summary>
    private static int NextConfig(ReadOnlySpan<char> text, int from)
    {
#if NET9_0_OR_GREATER
        var found = from < text.Length ? text[from..].IndexOfAny(ConfigWord) : -1;
#else
        var found = from < text.Length ? text[from..].IndexOf("config", StringComparison.OrdinalIgnoreCase) : -1;
#endif
        return found < 0 ? text.Length : from + found;
    }

    /// <summary>
    /// What a secrets command line is given to set, the word run <c>text[keyStart..keyEnd]</c> being its <c>secret</c> or
    /// <c>secrets</c> (any case), after the command's name and before <c>set</c>: GitHub's <c>gh secret set NAME --body
    /// hunter2</c> (or <c>-b hunter2</c>, <c>--body=hunter2</c>: the flag on the line), and Fly's and Doppler's
    /// <c>fly secrets set NAME=hunter2 NAME2=…</c> (<c>flyctl</c>, <c>doppler</c>): from the first value to the end of the
    /// last pair, names between them included, since every value is a secret whatever its name.
    /// </summary>
    private static bool FindSecretsSetValue(ReadOnlySpan<char> text, int keyStart, int keyEnd, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (!IsWord(text, keyStart, keyEnd, "secret") && !IsWord(text, keyStart, keyEnd, "secrets"))
        {
            return false;
        }

        var set = SkipSpace(text, keyEnd, lines: false);
        var cliEnd = keyStart;
        while (cliEnd > 0 && text[cliEnd - 1] is ' ' or '\t')
        {
            cliEnd--;
        }

        var cliStart = cliEnd;
        while (cliStart > 0 && cliEnd - cliStart < MaxKeyLength && IsKeyChar(text[cliStart - 1]))
        {
            cliStart--;
        }

        if (set == keyEnd || cliEnd == keyStart || !StartsWithWord(text, set, "set"))
        {
            return false;
        }

        var name = SkipSpace(text, set + 3, lines: false);
        var nameEnd = name;
        while (nameEnd < text.Length && nameEnd - name < MaxYamlReach && text[nameEnd] is not (' ' or '\t' or '\r' or '\n' or '='))
        {
            nameEnd++;
        }

        var cli = text[cliStart..cliEnd];
        if (name == set + 3 || nameEnd == name)
        {
            return false;
        }

        if (cli.Equals("gh", StringComparison.OrdinalIgnoreCase))
        {
            return FindBodyFlagValue(text, nameEnd, out start, out length);
        }

        if (!cli.Equals("fly", StringComparison.OrdinalIgnoreCase) && !cli.Equals("flyctl", StringComparison.OrdinalIgnoreCase)
            && !cli.Equals("doppler", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (nameEnd >= text.Length || text[nameEnd] != '=' || !FindValue(text, nameEnd + 1, out start, out length))
        {
            return false;
        }

        // The pairs after it, each a word with an = in it, to the first item that is not one (a flag, ; or &&). With
        // more than one, the span takes the first value's opening quote and the last one's closing quote, so none is left alone.
        var valuesStart = start;
        var valuesEnd = start + length;
        var pairs = 1;
        var end = AfterClosingQuote(text, valuesEnd);
        while (true)
        {
            var next = SkipSpace(text, end, lines: false);
            var pairEnd = next;
            var equals = -1;
            while (pairEnd < text.Length && pairEnd - next < MaxYamlReach && text[pairEnd] is not (' ' or '\t' or '\r' or '\n' or ';' or '&' or '|'))
            {
                equals = equals < 0 && text[pairEnd] == '=' ? pairEnd : equals;
                pairEnd++;
            }

            if (next == end || equals <= next || text[next] == '-' || !FindValue(text, equals + 1, out var valueStart, out var valueLength))
            {
                break;
            }

            valuesEnd = valueStart + valueLength;
            end = AfterClosingQuote(text, valuesEnd);
            pairs++;
        }

        if (pairs > 1)
        {
            start = text[valuesStart - 1] is '"' or '\'' ? valuesStart - 1 : valuesStart;
            length = end - start;
        }

        return true;
    }

    /// <summary><paramref name="at"/>, past a closing quote there.</summary>
    private static int AfterClosingQuote(ReadOnlySpan<char> text, int at) => at < text.Length && text[at] is '"' or '\'' ? at + 1 : at;

    /// <summary>
    /// The value of a <c>--body</c> or <c>-b</c> flag of the command after <paramref name="from"/>: on its line, before a
    /// <c>;</c>, <c>&amp;</c> or <c>|</c> that ends the command, at most <see cref="MaxYamlReach"/> chars on.
    /// </summary>
    private static bool FindBodyFlagValue(ReadOnlySpan<char> text, int from, out int start, out int length)
    {
        start = 0;
        length = 0;
        var to = Math.Min(text.Length, from + MaxYamlReach);
        var lineEnd = text[from..to].IndexOfAny(CommandEnds);
        var line = text[from..(lineEnd < 0 ? to : from + lineEnd)];
        for (var at = 0; at < line.Length; at++)
        {
            if (line[at] != '-' || (at > 0 && line[at - 1] is not (' ' or '\t')))
            {
                continue;
            }

            var flag = line[at..].StartsWith("--body", StringComparison.Ordinal) ? 6 : line[at..].StartsWith("-b", StringComparison.Ordinal) ? 2 : 0;
            if (flag > 0 && at + flag < line.Length && line[at + flag] is ' ' or '\t' or '=')
            {
                var flagEnd = from + at + flag;
                return text[flagEnd] == '='
                    ? FindValue(text, flagEnd + 1, out start, out length) && text[start] != '-'
                    : FindFlagValue(text, from + at, flagEnd, out start, out length);
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="word"/> (any case) starts at <paramref name="at"/>, as a whole word.</summary>
    private static bool StartsWithWord(ReadOnlySpan<char> text, int at, string word) =>
        text[at..].StartsWith(word, StringComparison.OrdinalIgnoreCase) && (at + word.Length == text.Length || !IsKeyChar(text[at + word.Length]));

    /// <summary>Whether <c>text[start..end]</c> is <paramref name="word"/> (any case), not part of a longer name.</summary>
    private static bool IsWord(ReadOnlySpan<char> text, int start, int end, string word) =>
        text[start..end].Equals(word, StringComparison.OrdinalIgnoreCase) && (start == 0 || !IsKeyChar(text[start - 1]));

    /// <summary>
    /// The content of the SQL string literal whose opening quote is at <paramref name="quote"/> (<c>'</c>): to the quote
    /// that closes it, a doubled one (<c>''</c>) being part of it, or the text's end. Nothing when it is empty or no
    /// quote is there.
    /// </summary>
    private static bool FindSqlLiteral(ReadOnlySpan<char> text, int quote, out int start, out int length)
    {
        start = quote + 1;
        length = 0;
        if (quote >= text.Length || text[quote] != '\'')
        {
            return false;
        }

        var at = start;
        while (at < text.Length)
        {
            var found = text[at..].IndexOf('\'');
            if (found < 0)
            {
                at = text.Length;
                break;
            }

            at += found;
            if (at + 1 < text.Length && text[at + 1] == '\'')
            {
                at += 2;
                continue;
            }

            break;
        }

        length = at - start;
        return length > 0;
    }

    private static int RunLength(ReadOnlySpan<char> text)
    {
        var end = text.IndexOfAny(ValueEnds);
        return end < 0 ? text.Length : end;
    }

    private static bool IsKeyChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';

    /// <summary>Which part of a password flag's value is the password.</summary>
    internal enum PasswordPart
    {
        /// <summary>All of it (<c>mysql -p[redacted]</c>).</summary>
        Whole,

        /// <summary>What follows the first colon: <c>user:password</c> (<c>curl -u alice:[redacted]</c>).</summary>
        AfterColon,

        /// <summary>What follows the first percent sign: <c>user%password</c> (<c>smbclient -U alice%[redacted]</c>).</summary>
        AfterPercent,

        /// <summary>What follows <c>pass:</c> (<c>openssl -passin pass:[redacted]</c>); <c>env:VAR</c> and <c>file:path</c> are kept.</summary>
        AfterPassPrefix,
    }

    /// <summary>
    /// A flag that gives its command a password: its name after the first dash (<c>p</c>, <c>passin</c>, <c>-user</c>
    /// for <c>--user</c>), which part of its value is the password, and whether a one-letter flag's value may be joined
    /// to it (<c>-phunter2</c>). A longer name's value follows a space or an <c>=</c>.
    /// </summary>
    internal readonly record struct PasswordFlag(string Name, PasswordPart Part, bool Attached = true);
}
