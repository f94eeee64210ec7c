using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ToolAudit.Redaction;
using ToolAudit.Serialization;

namespace ToolAudit.Recording;

/// <summary>
/// Turns a captured call into the stored entry on the writer thread: id, cut and redacted arguments, snippet, error
/// text, trace ids. Not thread-safe: the recorder's single writer owns one.
/// </summary>
internal sealed class AuditEntryFactory
{
    private const int MaxCachedKeys = 4096;

    /// <summary>The most chars of a name the trail keeps (see <see cref="CutName"/>).</summary>
    internal const int NameMaxChars = 1024;

    // How far past the snippet's end secrets are looked for, so one cut by the snippet is still recognised.
    private const int SecretWindow = 256;

    private static readonly JsonWriterOptions RewriteOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly AuditIdGenerator _ids = new();
    private readonly ArgumentKeyRedactor _keyRedactor;
    private readonly AssignedSecretMasker _assignedSecrets;
    private readonly Func<string, string> _maskSanitized;
    private readonly Func<string, string> _maskSecrets;
    private readonly Func<string, string> _maskNames;
    private readonly Dictionary<string, KeyJudgement> _redactedKeyCache = new(StringComparer.Ordinal);
    private readonly int _argMaxChars;
    private readonly int _snippetMaxChars;
    private readonly int _errorMaxChars;

    public AuditEntryFactory(ToolAuditOptions options)
    {
        _keyRedactor = new ArgumentKeyRedactor(options.RedactedKeys);
        _assignedSecrets = new AssignedSecretMasker(_keyRedactor);
        _maskSanitized = text => MaskSecrets(WellFormedText.Sanitize(text), commandLines: false);
        _maskSecrets = text => MaskSecrets(text, commandLines: true);
        _maskNames = text => _assignedSecrets.Mask(text, commandLines: true);
        _argMaxChars = options.ArgMaxChars;
        _snippetMaxChars = options.SnippetMaxChars;
        _errorMaxChars = options.ErrorMaxChars;
    }

    public AuditEntry Create(CapturedCall captured)
    {
        var call = captured.Call;
        // The entry holds what the trail keeps, so every store gives back the same values: time in milliseconds,
        // durations in microseconds, text with any lone surrogate as U+FFFD (as the JSONL files write it).
        var timestamp = captured.Timestamp;
        timestamp = ToMilliseconds(timestamp);
        return new AuditEntry
        {
            Id = _ids.Next(timestamp),
            Timestamp = timestamp,
            User = call.User,
            Engine = SanitizeOptional(CutName(captured.Engine)),
            Model = SanitizeOptional(CutName(captured.Model)),
            Tool = WellFormedText.Sanitize(CutName(call.Tool)),
            Args = captured.Args.ToArray() is { } args ? new RecordedArguments(PrepareArguments(args, ArgumentsNameASecret(captured.Args))) : null,
            Status = call.Status,
            ResultChars = call.Result?.Length ?? 0,
            ResultSnippet = call.Result is null ? null : Snippet(call.Result),
            SessionId = SanitizeOptional(CutName(captured.SessionId)),
            TaskId = SanitizeOptional(CutName(captured.TaskId)),
            CallId = SanitizeOptional(CutName(call.CallId)),
            Confirmed = call.Confirmed,
            DurationMs = call.Duration is { } duration ? DurationMilliseconds(duration.TotalMilliseconds) : null,
            Error = PrepareError(call),
            TraceId = captured.TraceId,
            SpanId = captured.SpanId,
        };
    }

    /// <summary>
    /// The stored <c>error</c> of a call: its error text, else its exception's type and message; with credential-shaped
    /// values masked (exception messages quote tokens and connection strings), lone surrogates repaired, and cut at
    /// <see cref="ToolAuditOptions.ErrorMaxChars"/> with the original length after it.
    /// </summary>
    public string? PrepareError(ToolCall call)
    {
        var text = call.Error ?? (call.Exception is { } exception ? ExceptionText(exception) : null);
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        return MaskAndCut(text, _errorMaxChars, _maskSanitized);
    }

    /// <summary>
    /// <paramref name="text"/> masked, then cut at <paramref name="max"/> and suffixed with its full length when it is
    /// longer. Masked before the cut, over a window a little past it (as the snippet is), so a secret the cut would
    /// split leaves nothing of itself behind.
    /// </summary>
    private static string MaskAndCut(string text, int max, Func<string, string> mask)
    {
        var masked = MaskWindow(text, max, mask);
        return text.Length <= max ? masked : TextTruncation.TruncateArgument(masked, max, text.Length);
    }

    /// <summary>
    /// A name as the trail keeps it (tool, engine, model, session, task, call id): cut at <see cref="NameMaxChars"/>
    /// with its full length after it, like a long argument. A model can name any tool it likes (an unknown tool's call
    /// is recorded with the name it asked for), so without a cut one call could make a line of any length.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(name))]
    public static string? CutName(string? name) => name is null ? null : TextTruncation.TruncateArgument(name, NameMaxChars);

    /// <summary>
    /// A call's duration as the trail keeps it: milliseconds to three decimals; 0, not -0, for a duration below zero
    /// too short to show (a clock step back of a tick).
    /// </summary>
    internal static double DurationMilliseconds(double milliseconds)
    {
        var rounded = Math.Round(milliseconds, 3);
        return rounded == 0 ? 0 : rounded;
    }

    /// <summary>A time as the trail keeps it: UTC, cut to the millisecond (the files' precision).</summary>
    internal static DateTimeOffset ToMilliseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary><c>Type: message</c>, the stored error of a call with an exception; a message that throws is named, never thrown.</summary>
    internal static string ExceptionText(Exception exception)
    {
        string message;
        try
        {
            message = exception.Message;
        }
#pragma warning disable CA1031 // A host's exception type may throw from Message: the call is still recorded.
        catch (Exception unreadable)
#pragma warning restore CA1031
        {
            message = $"[unreadable message: {unreadable.GetType().FullName}]";
        }

        return $"{exception.GetType().FullName}: {message}";
    }

    /// <summary>The ordered part of the next entry id (see <see cref="AuditIdGenerator.NextSequence"/>); take them in write order.</summary>
    public long NextIdSequence(DateTimeOffset timestamp) => _ids.NextSequence(timestamp);

    /// <summary>Writes the id of a sequence into <paramref name="destination"/> (<see cref="AuditIdGenerator.FormattedLength"/> bytes).</summary>
    public void WriteId(long sequence, Span<byte> destination) => _ids.Write(sequence, destination);

    /// <summary>
    /// The snippet of a result without making a string, when nothing near the cut needs masking (the usual case): the
    /// same line as <see cref="Snippet"/> gives, once written. False when it needs <see cref="Snippet"/>.
    /// </summary>
    public bool TryGetPlainSnippet(string result, out ReadOnlySpan<char> snippet)
    {
        if (_snippetMaxChars == 0 || result.Length == 0)
        {
            snippet = default;
            return true;
        }

        // Lone surrogates need no repair here: the cut treats one as it treats U+FFFD, a secret never holds one,
        // and the writer writes it as U+FFFD.
        var window = KeptPart(result, _snippetMaxChars);
        if (SecretScanner.ContainsSecret(window) || _assignedSecrets.ContainsSecret(window, commandLines: false))
        {
            snippet = default;
            return false;
        }

        snippet = window[..TextTruncation.SafePrefixLength(window, _snippetMaxChars)];
        return true;
    }

    /// <summary>The stored snippet of a result: its start, with secrets masked and lone surrogates repaired.</summary>
    public string Snippet(string result)
    {
        if (_snippetMaxChars == 0 || result.Length == 0)
        {
            return string.Empty;
        }

        // Mask before the cut, over a window a little past it: a secret the cut would split must not leave its start
        // behind looking harmless.
        return TextTruncation.Prefix(MaskWindow(result, _snippetMaxChars, _maskSanitized), _snippetMaxChars);
    }

    /// <summary>
    /// The part of <paramref name="text"/> cut at <paramref name="max"/> that secrets are looked for in, masked: the kept
    /// part and a window past the cut, widened while masking has shortened it below that.
    /// </summary>
    /// <remarks>
    /// A long secret replaced by <c>[redacted]</c> pulls text from near the window's end into the kept part, where a
    /// secret the window's end cuts (a URL password without its <c>@</c>, a token too short for its shape) is not
    /// recognized: so the window is widened (at least doubling what was added) until the masked text keeps its margin
    /// past the cut, or the whole text is in it.
    /// </remarks>
    private static string MaskWindow(string text, int max, Func<string, string> mask)
    {
        var window = KeptPart(text, max) is var kept && kept.Length == text.Length ? text : kept.ToString();
        var masked = mask(window);
        var extra = 0L;
        while (window.Length < text.Length && masked.Length < (long)max + SecretWindow)
        {
            extra = (2 * extra) + ((long)max + SecretWindow - masked.Length);
            var length = (int)Math.Min(text.Length, (long)max + SecretWindow + extra);
            window = length == text.Length ? text : text[..length];
            masked = mask(window);
        }

        return masked;
    }

    private KeyValuePair<string, object?>[] PrepareArguments(KeyValuePair<string, object?>[] args, KeyJudgement named)
    {
        // The captured array is ours alone: rewrite it in place.
        for (var i = 0; i < args.Length; i++)
        {
            var (key, value) = args[i];
            args[i] = new KeyValuePair<string, object?>(key, PrepareArgument(key, value, named));
        }

        return args;
    }

    /// <summary>
    /// Whether a name or key argument names a secret (<c>set_env(name: "DB_PASSWORD", value: …)</c>): then the value
    /// arguments beside it are redacted like a secret-named key's (see <see cref="PrepareArgument(string, object?, KeyJudgement)"/>);
    /// or where one is kept (<c>name: "PASSWORD_FILE"</c>: <see cref="KeyJudgement.KeptIfPath"/>), the strictest of
    /// them. Both the entry path and the JSONL store's line path ask this, so they write the same line.
    /// </summary>
    public KeyJudgement ArgumentsNameASecret(ArgumentSnapshot args)
    {
        var named = KeyJudgement.Kept;
        for (var i = 0; i < args.Count; i++)
        {
            var (key, value) = args[i];
            var names = value switch
            {
                string text => NamesSecret(key, text),
                JsonElement element => NamesSecret(key, element),
                _ => KeyJudgement.Kept,
            };
            if (names == KeyJudgement.Redacted)
            {
                return names;
            }

            named = Stricter(named, names);
        }

        return named;
    }

    /// <summary>An argument's value as stored, given what the call's arguments name (<see cref="ArgumentsNameASecret"/>).</summary>
    public object? PrepareArgument(string key, object? value, KeyJudgement named) =>
        named != KeyJudgement.Kept && value is not null && AssignedSecretMasker.IsValueKey(key) && IsRedactedValue(named, value) ? SecretScanner.Redacted : PrepareArgument(key, value);

    /// <summary>
    /// An argument's value as stored: redacted for a secret-looking key (and for a key that says where a secret is kept,
    /// unless the value looks like a path), cut and masked text, or the value itself.
    /// </summary>
    public object? PrepareArgument(string key, object? value)
    {
        if (value is not null && IsRedactedValue(JudgeKey(key), value))
        {
            return SecretScanner.Redacted;
        }

        return value switch
        {
            string text => PrepareString(text),
            JsonElement element => PrepareElement(element),

            // Written as its text, which can hold a password (postgres://app:hunter2@db) or a token in its query.
            Uri uri => PrepareString(uri.ToString()),
            BigInteger number => PrepareBigInteger(number),
            _ => value,
        };
    }

    private string PrepareString(string text)
    {
        text = WellFormedText.Sanitize(text);

        // A one-line value that holds a credential's shape (a command with a token in it) or names one (a command
        // line's --password=…, a connection string, a URL with a password) keeps its text with the secret masked, as a
        // result does, so the trail still shows what ran; a value that is a token is [redacted] whole. A value of
        // several lines that holds a credential's shape (a file's content, a script) is redacted whole: a config file
        // with one token the scan knows holds others it cannot tell (a header's value, a key beside its id) as often
        // as not, and an argument, unlike a result, is kept whole up to ArgMaxChars.
        var kept = KeptPart(text, _argMaxChars);
        if (SecretScanner.ContainsSecret(kept))
        {
            return text.AsSpan().ContainsAny('\n', '\r') ? SecretScanner.Redacted : MaskAndCut(text, _argMaxChars, _maskSecrets);
        }

        return _assignedSecrets.ContainsSecret(kept)
            ? MaskAndCut(text, _argMaxChars, _maskNames)
            : TextTruncation.TruncateArgument(text, _argMaxChars);
    }

    private KeyJudgement JudgeKey(string key)
    {
        if (_redactedKeyCache.TryGetValue(key, out var judgement))
        {
            return judgement;
        }

        judgement = _keyRedactor.Judge(key);
        if (_redactedKeyCache.Count < MaxCachedKeys)
        {
            _redactedKeyCache[key] = judgement;
        }

        return judgement;
    }

    /// <summary>The stricter of two judgements on one value (a secret's name beats a locator's).</summary>
    private static KeyJudgement Stricter(KeyJudgement a, KeyJudgement b) => a > b ? a : b;

    /// <summary>
    /// Whether a value (not null) that <paramref name="judgement"/> applies to is redacted: always under a secret's
    /// name; under a locator's (<c>password_file</c>) unless it is text that looks like a path, so a number, a boolean,
    /// an object or a list there is redacted too.
    /// </summary>
    private static bool IsRedactedValue(KeyJudgement judgement, object value) => judgement switch
    {
        KeyJudgement.Redacted => true,
        KeyJudgement.KeptIfPath => value switch
        {
            string text => !LocatorValue.LooksLikePath(text),
            JsonElement element => !IsPath(element),
            Uri uri => !LocatorValue.LooksLikePath(uri.ToString()),
            _ => true,
        },
        _ => false,
    };

    /// <summary>
    /// Whether a JSON value that <paramref name="judgement"/> applies to is redacted inside an object or a list: as
    /// <see cref="IsRedactedValue(KeyJudgement, object)"/>, but a JSON <c>null</c> is left as it is.
    /// </summary>
    private static bool IsRedactedValue(KeyJudgement judgement, JsonElement value) =>
        value.ValueKind != JsonValueKind.Null
        && (judgement == KeyJudgement.Redacted || (judgement == KeyJudgement.KeptIfPath && !IsPath(value)));

    /// <summary>Whether a value property of <paramref name="element"/> (an object) is redacted under what a name beside it says.</summary>
    private static bool HasRedactedValue(JsonElement element, KeyJudgement named)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (AssignedSecretMasker.IsValueKey(NameOf(property, out _)) && IsRedactedValue(named, property.Value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a JSON value is text that looks like a path (<see cref="LocatorValue.LooksLikePath"/>).</summary>
    private static bool IsPath(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && LocatorValue.LooksLikePath(StringOf(value, out _));

    /// <summary>A big integer as a JSON number (System.Text.Json would write its properties instead), cut like text when huge.</summary>
    private object PrepareBigInteger(BigInteger number)
    {
        using var document = JsonDocument.Parse(number.ToString(CultureInfo.InvariantCulture));
        return PrepareElement(document.RootElement.Clone());
    }

    /// <summary>
    /// Cuts long strings and redacts secrets inside a JSON value; returns it unchanged when nothing needs doing. An
    /// object or array whose JSON is longer than <see cref="StructuredMaxChars"/> is kept as that text instead (once
    /// redacted and cut by its structure, when it needs to be), masked and cut like a string argument: any number of
    /// items must not make a line of any length. So is a number that long (JSON numbers have no length limit), and an
    /// object or array nested deeper than <see cref="ArgumentCapture.MaxJsonDepth"/> levels: JSON a model sent 64 levels
    /// deep would make a line that no reader reads (a line nests its arguments two levels deeper).
    /// </summary>
    private object PrepareElement(JsonElement element)
    {
        var structured = element.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
        var length = structured || element.ValueKind == JsonValueKind.Number ? RawLength(element) : 0;
        if (length > StructuredMaxChars(_argMaxChars)
            || (structured && length > 2 * ArgumentCapture.MaxJsonDepth && NestsDeeperThan(element, ArgumentCapture.MaxJsonDepth)))
        {
            // The text of what the structured value would have been: a redacted key's value that is an object, an
            // array or a number, or a key written with escapes (pass\u0077ord), is not found by the text masker.
            return PrepareString(NeedsRewrite(element) ? Encoding.UTF8.GetString(Rewritten(element).WrittenSpan) : element.GetRawText());
        }

        if (!NeedsRewrite(element))
        {
            return element;
        }

        using var document = JsonDocument.Parse(Rewritten(element).WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Whether <paramref name="element"/> is an object or array that nests more than <paramref name="levels"/> levels.</summary>
    private static bool NestsDeeperThan(JsonElement element, int levels)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (levels == 0)
                {
                    return true;
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (NestsDeeperThan(property.Value, levels - 1))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                if (levels == 0)
                {
                    return true;
                }

                foreach (var item in element.EnumerateArray())
                {
                    if (NestsDeeperThan(item, levels - 1))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>The JSON of <paramref name="element"/> with its secrets redacted and its long strings cut (see <see cref="Rewrite"/>).</summary>
    private System.Buffers.ArrayBufferWriter<byte> Rewritten(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, RewriteOptions))
        {
            Rewrite(writer, element);
        }

        return buffer;
    }

    /// <summary>
    /// How long an object or array argument's JSON may be and stay structured: 16 times
    /// <see cref="ToolAuditOptions.ArgMaxChars"/> (8,000 chars by default), and never less than 4,096.
    /// </summary>
    internal static long StructuredMaxChars(int argMaxChars) => Math.Max(16L * argMaxChars, 4_096);

    /// <summary>The length of a JSON value's text (in UTF-8 bytes where that needs no copy; never less than its chars' worth of ASCII).</summary>
    private static long RawLength(JsonElement element)
    {
#if NET9_0_OR_GREATER
        return System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).Length;
#else
        return element.GetRawText().Length;
#endif
    }

    private bool NeedsRewrite(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = StringOf(element, out var repaired);
                return repaired || text.Length > _argMaxChars || SecretScanner.ContainsSecret(text) || _assignedSecrets.ContainsSecret(KeptPart(text, _argMaxChars))
                    || !WellFormedText.IsWellFormed(text);
            case JsonValueKind.Object:
                // A value that a name or key property names, before it or after it: redacted when it names a secret
                // and any value is there, or a secret's place and a value that is no path is there.
                var named = KeyJudgement.Kept;
                bool hasValue = false, pathsChecked = false;
                foreach (var property in element.EnumerateObject())
                {
                    var name = NameOf(property, out var repairedName);
                    var judgement = JudgeKey(name);
                    if (repairedName || judgement == KeyJudgement.Redacted || IsRedactedValue(judgement, property.Value) || NeedsRewrite(property.Value))
                    {
                        return true;
                    }

                    named = Stricter(named, NamesSecret(name, property.Value));
                    hasValue |= AssignedSecretMasker.IsValueKey(name) && property.Value.ValueKind != JsonValueKind.Null;
                    if (named == KeyJudgement.Redacted && hasValue)
                    {
                        return true;
                    }

                    // Only once a name says where a secret is kept are the values read as text (most objects have none),
                    // all of them at once.
                    if (named == KeyJudgement.KeptIfPath && hasValue && !pathsChecked)
                    {
                        pathsChecked = true;
                        if (HasRedactedValue(element, named))
                        {
                            return true;
                        }
                    }
                }

                return false;
            case JsonValueKind.Array:
                var afterFlag = KeyJudgement.Kept;
                var command = new ShortFlagState();
                bool? secureString = null;
                foreach (var item in element.EnumerateArray())
                {
                    if ((afterFlag != KeyJudgement.Kept && IsFlagValue(item) && IsRedactedValue(afterFlag, item)) || NeedsRewrite(item) || command.Next(item, out _) != ShortFlagItem.Other)
                    {
                        return true;
                    }

                    var longFlag = LongFlag(item, element, ref secureString, out _, out afterFlag);
                    if (longFlag == LongFlagItem.SecretAttached)
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private void Rewrite(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(PrepareString(StringOf(element, out _)));
                break;
            case JsonValueKind.Object:
                var named = KeyJudgement.Kept;
                foreach (var property in element.EnumerateObject())
                {
                    named = Stricter(named, NamesSecret(NameOf(property, out _), property.Value));
                }

                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    var name = NameOf(property, out _);
                    writer.WritePropertyName(name);
                    if (IsRedactedValue(JudgeKey(name), property.Value) || (AssignedSecretMasker.IsValueKey(name) && IsRedactedValue(named, property.Value)))
                    {
                        writer.WriteStringValue(SecretScanner.Redacted);
                    }
                    else
                    {
                        Rewrite(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                var afterFlag = KeyJudgement.Kept;
                var command = new ShortFlagState();
                bool? secureString = null;
                foreach (var item in element.EnumerateArray())
                {
                    var shortFlag = command.Next(item, out var keep);
                    var longFlag = LongFlag(item, element, ref secureString, out var flagKeep, out var nextJudgement);
                    if ((afterFlag != KeyJudgement.Kept && IsFlagValue(item) && IsRedactedValue(afterFlag, item)) || (shortFlag == ShortFlagItem.Password && keep == 0))
                    {
                        writer.WriteStringValue(SecretScanner.Redacted);
                    }
                    else if (shortFlag == ShortFlagItem.Password || longFlag == LongFlagItem.SecretAttached)
                    {
                        // -phunter2, alice:hunter2, --value=hunter2: the flag and the user stay, the password goes.
                        var kept = shortFlag == ShortFlagItem.Password ? keep : flagKeep;
                        writer.WriteStringValue(string.Concat(StringOf(item, out _).AsSpan(0, kept), SecretScanner.Redacted));
                    }
                    else
                    {
                        Rewrite(writer, item);
                    }

                    afterFlag = nextJudgement;
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>
    /// Whether a name or key property (<c>"name": "DB_PASSWORD"</c>) names a secret: then the value property beside it
    /// holds one (see <see cref="NamesSecret(string, string)"/>).
    /// </summary>
    private KeyJudgement NamesSecret(string name, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? NamesSecret(name, StringOf(value, out _)) : KeyJudgement.Kept;

    /// <summary>
    /// What a name, key or type property with the text <paramref name="text"/> says of the value beside it: redacted
    /// for a secret-named key (<c>"name": "DB_PASSWORD"</c>) or a secret's type (<c>"Type": "SecureString"</c>), kept
    /// only as a path for a key that says where a secret is kept (<c>"name": "DB_PASSWORD_FILE"</c>), else kept.
    /// </summary>
    private KeyJudgement NamesSecret(string name, string text) =>
        !AssignedSecretMasker.IsNameKey(name) ? KeyJudgement.Kept
        : AssignedSecretMasker.IsSecretType(name, text) ? KeyJudgement.Redacted
        : JudgeKey(text);

    /// <summary>
    /// What a long flag in a list of arguments says of the items after it: a secret-named flag (<c>"--password"</c>)
    /// gives its value in the next item; one that says where a secret is kept (<c>"--password-file"</c>) gives a path
    /// there, kept only when it looks like one; so does a value flag (<c>"--value"</c>, as <c>aws ssm put-parameter</c>
    /// takes) give a secret in a list that holds <c>SecureString</c> anywhere (<c>"--type", "SecureString"</c>, before it
    /// or after it), whose attached value (<c>"--value=hunter2"</c>) is masked after the <c>=</c>: <paramref name="keep"/> chars stay.
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="list">The list it is in.</param>
    /// <param name="secureString">Whether the list holds <c>SecureString</c>: read once, when a value flag is met.</param>
    /// <param name="keep">For <see cref="LongFlagItem.SecretAttached"/>, how many chars stay.</param>
    /// <param name="next">What becomes of the next item when it is a flag's value (<see cref="LongFlagItem.ValueNext"/>).</param>
    private LongFlagItem LongFlag(JsonElement item, JsonElement list, ref bool? secureString, out int keep, out KeyJudgement next)
    {
        keep = 0;
        next = KeyJudgement.Kept;
        if (item.ValueKind != JsonValueKind.String)
        {
            return LongFlagItem.Other;
        }
#if NET9_0_OR_GREATER
        // Most items are not flags: only one that starts with two dashes, or may spell them as escapes, is read as text.
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(item);
        if (!raw.StartsWith("\"--"u8) && !raw.Contains((byte)'\\'))
        {
            return LongFlagItem.Other;
        }
#endif

        var text = StringOf(item, out _);
        if (AssignedSecretMasker.IsLongFlag(text) && JudgeKey(text) is not KeyJudgement.Kept and var judgement)
        {
            next = judgement;
            return LongFlagItem.ValueNext;
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? text.AsSpan() : text.AsSpan(0, equals);
        if (!AssignedSecretMasker.IsLongFlag(name) || !AssignedSecretMasker.IsValueKey(name) || equals == text.Length - 1
            || !(secureString ??= HoldsSecureString(list)))
        {
            return LongFlagItem.Other;
        }

        keep = equals + 1;
        next = equals < 0 ? KeyJudgement.Redacted : KeyJudgement.Kept;
        return equals < 0 ? LongFlagItem.ValueNext : LongFlagItem.SecretAttached;
    }

    /// <summary>
    /// Whether an item of a list of arguments holds <c>SecureString</c> (<c>"SecureString"</c>, <c>"--type=SecureString"</c>),
    /// or two items in a row are the words of a command that sets a secret (<c>"secret", "set"</c> or <c>"secrets", "set"</c>:
    /// <c>az keyvault secret set</c>, as <see cref="AssignedSecretMasker.SetsSecret"/> finds them in text).
    /// </summary>
    private static bool HoldsSecureString(JsonElement list)
    {
        string? previous = null;
        foreach (var item in list.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? StringOf(item, out _) : null;
            if (text is not null
                && (text.Contains(AssignedSecretMasker.SecureStringType, StringComparison.OrdinalIgnoreCase)
                    || AssignedSecretMasker.SetsSecretPair(previous, text)))
            {
                return true;
            }

            previous = text;
        }

        return false;
    }

    /// <summary>What a long flag in a list of arguments is to <see cref="LongFlag"/>.</summary>
    private enum LongFlagItem
    {
        /// <summary>Anything else.</summary>
        Other,

        /// <summary>
        /// A flag whose value is the next item (<c>"--password"</c>, <c>"--password-file"</c>; <c>"--value"</c> beside
        /// <c>SecureString</c>): what becomes of it is the flag's judgement.
        /// </summary>
        ValueNext,

        /// <summary>A value flag with its secret attached (<c>"--value=hunter2"</c> beside <c>SecureString</c>).</summary>
        SecretAttached,
    }

    /// <summary>What an item of a list of arguments is to <see cref="ShortFlagState"/>.</summary>
    private enum ShortFlagItem
    {
        /// <summary>Anything else, kept as it is.</summary>
        Other,

        /// <summary>
        /// An item that holds a password flag's password: the value after the flag (<c>"-p", "hunter2"</c>;
        /// <c>"-u", "alice:hunter2"</c>) or a flag with its value attached (<c>"-phunter2"</c>); redacted after the
        /// chars that stay (the flag, the user).
        /// </summary>
        Password,
    }

    /// <summary>
    /// Follows a list of arguments (<c>["mysql", "-u", "root", "-p", "hunter2"]</c>) for the password flags of the
    /// commands <see cref="AssignedSecretMasker.PasswordFlagsOf"/> knows (and of a <c>login</c> subcommand after one that
    /// <see cref="AssignedSecretMasker.TakesLoginPassword"/>), as the text masker does on a command line: the item after
    /// <c>-p</c>, or the part of <c>-phunter2</c> after the flag, once a command that takes one came before; only the
    /// password part of a value that holds a user too (<c>"-u", "alice:[redacted]"</c>).
    /// </summary>
    private struct ShortFlagState
    {
        // The longest item read as a command or a flag: a command's path, or a flag with its password attached.
        private const int MaxCommandItemChars = 256;

        private AssignedSecretMasker.PasswordFlag[]? _flags;
        private AssignedSecretMasker.PasswordFlag _pending;
        private bool _afterFlag;
        private BeforeLogin _beforeLogin;

        /// <summary>Where a list is after a command that <see cref="AssignedSecretMasker.TakesLoginPassword"/>, until its <c>login</c>.</summary>
        private enum BeforeLogin
        {
            /// <summary>After no such command, or after a word that is no option of it (<c>docker run</c>).</summary>
            None,

            /// <summary>After the command, or after an option's value: an option or <c>login</c> may follow.</summary>
            Options,

            /// <summary>After an option: its value, another option or <c>login</c> may follow.</summary>
            OptionValue,
        }

        /// <summary>What <paramref name="item"/> is; for a password, <paramref name="keep"/> is how many of its chars stay.</summary>
        public ShortFlagItem Next(JsonElement item, out int keep)
        {
            keep = 0;
            var afterFlag = _afterFlag;
            _afterFlag = false;
            if (afterFlag && IsFlagValue(item))
            {
                return item.ValueKind == JsonValueKind.Number
                    ? (_pending.Part == AssignedSecretMasker.PasswordPart.Whole ? ShortFlagItem.Password : ShortFlagItem.Other)
                    : (AssignedSecretMasker.PasswordStart(_pending.Part, StringOf(item, out _), out keep) ? ShortFlagItem.Password : ShortFlagItem.Other);
            }

            if (item.ValueKind != JsonValueKind.String)
            {
                return ShortFlagItem.Other;
            }

            Span<char> buffer = stackalloc char[MaxCommandItemChars];
            var text = ShortText(item, buffer);
            if (_flags is { Length: > 0 } flags && AssignedSecretMasker.MatchFlag(flags, text, out var flag, out var nameEnd))
            {
                if (nameEnd == text.Length)
                {
                    _afterFlag = true;
                    _pending = flag;
                    return ShortFlagItem.Other;
                }

                var attached = AssignedSecretMasker.AttachedValueStart(flag, text, nameEnd);
                if (attached >= 0 && AssignedSecretMasker.PasswordStart(flag.Part, text[attached..], out var skip))
                {
                    keep = attached + skip;
                    return ShortFlagItem.Password;
                }

                return ShortFlagItem.Other;
            }

            // docker alone takes no password flag; its login does, also after global options, each followed by at
            // most one value (docker -H tcp://h --tls login), as the text masker reads a command line.
            var login = _beforeLogin != BeforeLogin.None && text.SequenceEqual("login");
            _beforeLogin = AssignedSecretMasker.TakesLoginPassword(text) ? BeforeLogin.Options
                : _beforeLogin != BeforeLogin.None && !login && text.StartsWith("-") ? BeforeLogin.OptionValue
                : _beforeLogin == BeforeLogin.OptionValue && !login ? BeforeLogin.Options
                : BeforeLogin.None;
            _flags = (login ? AssignedSecretMasker.LoginFlags : AssignedSecretMasker.PasswordFlagsOf(text)) ?? _flags;
            return ShortFlagItem.Other;
        }

        /// <summary>
        /// A string item's text when it is short enough to be a command or a password flag with its value, else empty:
        /// on .NET 9 and later decoded into <paramref name="buffer"/> without making a string (most items are no command).
        /// </summary>
        private static ReadOnlySpan<char> ShortText(JsonElement item, Span<char> buffer)
        {
#if NET9_0_OR_GREATER
            var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(item);
            if (raw.Length > buffer.Length + 2)
            {
                return default;
            }

            if (!raw.Contains((byte)'\\'))
            {
                return buffer[..Encoding.UTF8.GetChars(raw[1..^1], buffer)];
            }
#endif
            var text = StringOf(item, out _);
            return text.Length > buffer.Length ? default : text;
        }
    }

    /// <summary>Whether the item after a secret-named flag is its value: a number, or a text that is not the next flag (<c>--verbose</c>).</summary>
    private static bool IsFlagValue(JsonElement item) =>
        item.ValueKind == JsonValueKind.Number
        || (item.ValueKind == JsonValueKind.String && StringOf(item, out _) is { Length: > 0 } text && text[0] != '-');

    /// <summary>
    /// A JSON string's text. JSON can spell a lone surrogate as an escape (<c>"\ud800"</c>, from a model's arguments),
    /// which <see cref="JsonElement.GetString"/> refuses to read: then the text is decoded here with U+FFFD in its place
    /// and <paramref name="repaired"/> is true (the value must be rewritten: it cannot be written as it is either).
    /// </summary>
    private static string StringOf(JsonElement element, out bool repaired)
    {
        try
        {
            repaired = false;
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            repaired = true;
            return DecodeLiteral(element.GetRawText());
        }
    }

    /// <summary>A property's name, repaired as <see cref="StringOf"/> repairs a string.</summary>
    private static string NameOf(JsonProperty property, out bool repaired)
    {
        try
        {
            repaired = false;
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // The property's raw text starts with its name's literal.
            repaired = true;
            return DecodeLiteral(property.ToString());
        }
    }

    /// <summary>Decodes the JSON string literal at the start of <paramref name="json"/> (valid JSON), lone surrogates as U+FFFD.</summary>
    private static string DecodeLiteral(string json)
    {
        var text = new StringBuilder(json.Length);
        for (var i = 1; i < json.Length && json[i] != '"'; i++)
        {
            if (json[i] != '\\')
            {
                text.Append(json[i]);
                continue;
            }

            i++;
            switch (json[i])
            {
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    text.Append((char)ushort.Parse(json.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: text.Append(json[i]); break;
            }
        }

        return WellFormedText.Sanitize(text.ToString());
    }

    /// <summary>The part of a text cut at <paramref name="max"/> that secrets are looked for in: the kept part and a window past the cut.</summary>
    /// <remarks>In <see cref="long"/>: a limit near <see cref="int.MaxValue"/> (any positive value is valid) must not wrap around.</remarks>
    private static ReadOnlySpan<char> KeptPart(string text, int max) => text.AsSpan(0, (int)Math.Min(text.Length, (long)max + SecretWindow));

    /// <summary>Masks what <see cref="SecretScanner"/> finds by shape, then what <see cref="AssignedSecretMasker"/> finds by name.</summary>
    /// <summary>Masks shapes and names; <paramref name="commandLines"/> for an argument (see <see cref="AssignedSecretMasker.ContainsSecret"/>).</summary>
    private string MaskSecrets(string text, bool commandLines) => _assignedSecrets.Mask(SecretScanner.Mask(text), commandLines);

    private static string? SanitizeOptional(string? text) => text is null ? null : WellFormedText.Sanitize(text);
}
