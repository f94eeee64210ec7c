using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ToolAudit.Serialization;

/// <summary>
/// Reads the JSONL line format back (<see cref="AuditJsonWriter"/> writes it).
/// </summary>
/// <remarks>
/// Field names are the Python orchestrator's (<c>ts user engine model tool args status result_chars result_snippet</c>)
/// plus ToolAudit's own. Timestamps are written in UTC with milliseconds and an explicit <c>+00:00</c> offset, which
/// every Python <c>datetime.fromisoformat</c> reads; timestamps without an offset (the orchestrator's) are read as the
/// writer's local time.
/// </remarks>
internal static class AuditEntryJsonFormat
{
    private static readonly JsonEncodedText User = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText Dropped = JsonEncodedText.Encode("dropped");
    private static readonly JsonEncodedText Since = JsonEncodedText.Encode("since");
    private static readonly JsonEncodedText Until = JsonEncodedText.Encode("until");

    /// <summary>
    /// Reads one line. Never throws for bad content: returns <see cref="LineKind.Corrupt"/> instead, or, for a whole line
    /// glued onto a torn one, that line (see <see cref="ReadGluedLine"/>).
    /// </summary>
    /// <param name="line">The line's bytes, without the newline.</param>
    /// <param name="fallbackUser">The user to assume when the line has none (the folder's user).</param>
    /// <param name="legacyZone">The zone of timestamps written without an offset.</param>
    /// <param name="includeArgs">Whether to parse <c>args</c>, the snippet, ids and error text (statistics and counts need none of them).</param>
    /// <param name="strings">Reuses the strings of repeated names; null to allocate each.</param>
    /// <param name="entry">The entry, for <see cref="LineKind.Entry"/>.</param>
    /// <param name="gap">The gap, for <see cref="LineKind.Gap"/>.</param>
    /// <param name="damaged">
    /// Whether the line, or the torn part before a line glued onto it, could not be read: one skipped line for every
    /// reader to count alike.
    /// </param>
    public static LineKind ReadLine(
        ReadOnlySpan<byte> line,
        string? fallbackUser,
        TimeZoneInfo legacyZone,
        bool includeArgs,
        Utf8StringCache? strings,
        out AuditEntry? entry,
        out AuditGap? gap,
        out bool damaged)
    {
        entry = null;
        gap = null;
        damaged = false;
        line = TrimLine(line);
        if (line.IsEmpty)
        {
            return LineKind.Blank;
        }

        // Bytes that are not UTF-8 mean a damaged line, whatever field they are in: checked up front so that every
        // reader (entries, counts, statistics) rejects the same lines, and no entry carries text a caller cannot decode.
        var kind = System.Text.Unicode.Utf8.IsValid(line)
            ? ReadObject(line, fallbackUser, legacyZone, includeArgs, strings, out entry, out gap)
            : LineKind.Corrupt;
        if (kind != LineKind.Corrupt)
        {
            return kind;
        }

        damaged = true;
        return ReadGluedLine(line, fallbackUser, legacyZone, includeArgs, strings, out entry, out gap);
    }

    // How deep the structure read of a corrupt line follows nesting: deeper than any line the writer makes.
    private const int StructureMaxDepth = 256;

    // How many places of a corrupt line are tried as the start of a glued line (those the structure read passes over,
    // nested objects and places inside its tokens, are not tried).
    private const int MaxGluedCandidates = 256;

    /// <summary>
    /// Reads a trimmed line that <see cref="ReadLine"/> found corrupt as a torn line with a whole line glued after it: the
    /// entry or gap marker that starts at the earliest <c>{"</c> after the line's first byte and ends exactly at the
    /// line's end; <see cref="LineKind.Corrupt"/> when there is none.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A writer that crashed or ran out of space mid-line leaves a fragment without its newline; the next line appended
    /// by another writer (another process, or a store that had the file open before the fragment came) then continues
    /// that line: <c>{"ts":"…","us{"id":"…",…}</c>. Every line begins with <c>{"</c>, whoever wrote it (this library's
    /// entries and gap markers, the Python orchestrator's lines). Inside a whole JSON line <c>{"</c> also starts each
    /// nested object, but a nested object never ends at the line's end (its parent's brace follows), and a string holds
    /// no raw quote, so a candidate inside the glued line fails; one inside the torn fragment would have to close exactly
    /// at the end while the glued line closes itself, which fails too. So the earliest candidate that parses whole is
    /// the glued line.
    /// </para>
    /// <para>
    /// One torn line holds a candidate that ends the line with nothing glued on: one cut, then ended by a newline (the
    /// store's torn-tail check at open), right after an object nested in its arguments, which a model could have shaped
    /// as a whole entry. That object must never be read as an entry. So the line is also read as JSON from its start,
    /// as far as it goes, and a candidate that this read takes as the start of a nested object is skipped: a glued line
    /// begins where the torn part stops being JSON (inside a string, after a value, after an object's brace or comma),
    /// not where a value of it may begin. The price: a line glued right after a cut that left the torn part expecting a
    /// value (after a <c>:</c>, a <c>[</c> or an array's comma) is not recovered; it is counted with the torn part,
    /// never lost silently.
    /// </para>
    /// <para>
    /// The torn prefix is one skipped line, as a corrupt line is (<see cref="ReadLine"/>'s <c>damaged</c>), so that
    /// every reader takes and skips the same lines. Only lines that failed to parse get here: a whole file of good lines pays nothing.
    /// Each candidate's parse stops where its own object ends or nests past the reader's depth limit, so a long corrupt
    /// line costs a bounded multiple of its length.
    /// </para>
    /// </remarks>
    /// <param name="line">The line's bytes, without the newline.</param>
    /// <param name="fallbackUser">The user to assume when the line has none (the folder's user).</param>
    /// <param name="legacyZone">The zone of timestamps written without an offset.</param>
    /// <param name="includeArgs">Whether to parse <c>args</c>, the snippet, ids and error text.</param>
    /// <param name="strings">Reuses the strings of repeated names; null to allocate each.</param>
    /// <param name="entry">The entry, for <see cref="LineKind.Entry"/>.</param>
    /// <param name="gap">The gap, for <see cref="LineKind.Gap"/>.</param>
    private static LineKind ReadGluedLine(
        ReadOnlySpan<byte> line,
        string? fallbackUser,
        TimeZoneInfo legacyZone,
        bool includeArgs,
        Utf8StringCache? strings,
        out AuditEntry? entry,
        out AuditGap? gap)
    {
        entry = null;
        gap = null;

        // A glued line runs exactly to the line's end, so the line ends with its brace: any other line is no torn line with
        // one glued on, and none of its candidates need be tried.
        if (line[^1] != (byte)'}')
        {
            return LineKind.Corrupt;
        }

        // The glued line is whole UTF-8 (as ReadLine requires of any line), so it starts after the last bytes that are
        // not; from there every suffix that starts at an ASCII byte is valid UTF-8 too, checked once here, not per candidate.
        var from = Math.Max(1, ValidUtf8TailStart(line));

        // The line read as JSON from its start, as far as it goes, alongside the candidates: one that this read takes as
        // an object nested in the torn part is no glued line (see the remarks).
        var structure = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = StructureMaxDepth });
        var structureReadable = true;
        var tried = 0;
        while (from < line.Length)
        {
            var next = line[from..].IndexOf("{\""u8);
            if (next < 0)
            {
                break;
            }

            var at = from + next;
            from = at + 2;
            while (structureReadable && (structure.TokenType == JsonTokenType.None || structure.TokenStartIndex < at))
            {
                structureReadable = TryRead(ref structure);
            }

            if (structureReadable && structure.TokenStartIndex == at && structure.TokenType == JsonTokenType.StartObject)
            {
                continue;
            }

            if (structureReadable && structure.TokenStartIndex > at)
            {
                // Inside a token (a string that ends with a brace: "x{") after which the line goes on as JSON: a glued
                // line's first key ("id", "ts", "_gap") would have stopped it right there. So no glued line starts here,
                // and trying costs a parse: a torn part full of such strings (code an agent edits) is passed over.
                continue;
            }

            var kind = ReadObject(line[at..], fallbackUser, legacyZone, includeArgs, strings, out entry, out gap);
            if (kind is LineKind.Entry or LineKind.Gap)
            {
                return kind;
            }

            if (++tried == MaxGluedCandidates)
            {
                // Tried are only the places where the line stops being JSON and after: the glued line is the first that
                // parses there, so a line where hundreds do not is no torn line with one glued on, and each try costs a parse.
                break;
            }
        }

        entry = null;
        gap = null;
        return LineKind.Corrupt;
    }

    /// <summary>Reads the next token; false at the end of the data or where it stops being JSON.</summary>
    private static bool TryRead(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Where the line's longest tail of valid UTF-8 starts: just after its last invalid sequence, 0 if there is none.</summary>
    private static int ValidUtf8TailStart(ReadOnlySpan<byte> line)
    {
        if (System.Text.Unicode.Utf8.IsValid(line))
        {
            return 0;
        }

        var start = 0;
        var at = 0;
        while (at < line.Length)
        {
            var ascii = line[at..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (ascii < 0)
            {
                break;
            }

            at += ascii;
            var status = System.Text.Rune.DecodeFromUtf8(line[at..], out _, out var consumed);
            at += consumed;
            if (status != OperationStatus.Done)
            {
                start = at;
            }
        }

        return start;
    }

    /// <summary>Reads one trimmed, non-empty line of valid UTF-8 as an entry or gap marker (see <see cref="ReadLine"/>).</summary>
    private static LineKind ReadObject(
        ReadOnlySpan<byte> line,
        string? fallbackUser,
        TimeZoneInfo legacyZone,
        bool includeArgs,
        Utf8StringCache? strings,
        out AuditEntry? entry,
        out AuditGap? gap)
    {
        entry = null;
        gap = null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return LineKind.Corrupt;
            }

            string? id = null, user = null, engine = null, model = null, tool = null, snippet = null;
            string? session = null, task = null, callId = null, error = null, traceId = null, spanId = null;
            DateTimeOffset? ts = null;
            AuditStatus? status = null;
            var resultChars = 0;
            var confirmed = false;
            double? duration = null;
            Dictionary<string, JsonElement>? args = null;
            var anyField = false;

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    return LineKind.Corrupt;
                }

                var property = Property(ref reader);
                if (property == Field.Gap)
                {
                    if (anyField)
                    {
                        // A gap marker is "_gap" first ({"_gap":…}): after an entry's fields it would make that entry
                        // vanish from every read and count its drops; the line is corrupt, and counted so.
                        return LineKind.Corrupt;
                    }

                    reader.Read();
                    gap = ReadGap(ref reader, fallbackUser, legacyZone);
                    if (gap is null || !EndsAfterRest(ref reader))
                    {
                        gap = null;
                        return LineKind.Corrupt;
                    }

                    return LineKind.Gap;
                }

                anyField = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (!includeArgs && property is Field.Id or Field.ResultSnippet or Field.CallId or Field.Error or Field.TraceId or Field.SpanId or Field.DurationMs)
                {
                    // A projection for counting: nothing to keep, but the line must be one a query takes (every reader
                    // takes or skips the same lines), so the value is checked as the full read would read it.
                    if (!IsReadable(ref reader, property))
                    {
                        return LineKind.Corrupt;
                    }

                    continue;
                }

                switch (property)
                {
                    case Field.Id: id = reader.GetString(); break;
                    case Field.Ts:
                        if (!TryReadTimestamp(ref reader, legacyZone, out var parsed))
                        {
                            return LineKind.Corrupt;
                        }

                        ts = parsed;
                        break;
                    case Field.User: user = ReadName(ref reader, strings); break;
                    case Field.Engine: engine = ReadName(ref reader, strings); break;
                    case Field.Model: model = ReadName(ref reader, strings); break;
                    case Field.Tool: tool = ReadName(ref reader, strings); break;
                    case Field.Args:
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            return LineKind.Corrupt;
                        }

                        // Both reads check every key and string in args the same way, so a count takes the lines a
                        // query takes, and no entry holds an argument its reader cannot decode.
                        ThrowIfUndecodable(reader);
                        if (includeArgs)
                        {
                            using var document = JsonDocument.ParseValue(ref reader);
                            args = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                            foreach (var item in document.RootElement.EnumerateObject())
                            {
                                args[item.Name] = item.Value.Clone();
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }

                        break;
                    case Field.Status:
                        if (!TryReadStatus(ref reader, out var parsedStatus))
                        {
                            return LineKind.Corrupt;
                        }

                        status = parsedStatus;
                        break;
                    case Field.ResultChars: resultChars = reader.GetInt32(); break;
                    case Field.ResultSnippet: snippet = reader.GetString(); break;
                    case Field.SessionId: session = reader.GetString(); break;
                    case Field.TaskId: task = reader.GetString(); break;
                    case Field.CallId: callId = reader.GetString(); break;
                    case Field.Confirmed: confirmed = reader.GetBoolean(); break;
                    case Field.DurationMs:
                        duration = reader.GetDouble();
                        if (!double.IsFinite(duration.Value))
                        {
                            return LineKind.Corrupt; // 1e400: no call took that long, and no serializer writes it back
                        }

                        break;
                    case Field.Error: error = reader.GetString(); break;
                    case Field.TraceId: traceId = reader.GetString(); break;
                    case Field.SpanId: spanId = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }

            user ??= fallbackUser;
            if (ts is null || string.IsNullOrEmpty(user) || string.IsNullOrEmpty(tool) || status is null || !EndsHere(ref reader))
            {
                return LineKind.Corrupt;
            }

            entry = new AuditEntry
            {
                Id = id,
                Timestamp = ts.Value,
                User = user,
                Engine = engine,
                Model = model,
                Tool = tool,
                Args = args,
                Status = status.Value,
                ResultChars = resultChars,
                ResultSnippet = snippet,
                SessionId = session,
                TaskId = task,
                CallId = callId,
                Confirmed = confirmed,
                DurationMs = duration,
                Error = error,
                TraceId = traceId,
                SpanId = spanId,
            };
            return LineKind.Entry;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return LineKind.Corrupt;
        }
    }

    /// <summary>
    /// Whether the line ends with the object just closed. Anything after it makes the line no JSONL line; taking the
    /// first object would hide the rest without a trace, so the line is corrupt, and counted. (A second whole object
    /// after it is a line glued after one that lost its newline: <see cref="ReadGluedLine"/> takes that one.) Throws
    /// <see cref="JsonException"/> for what is not JSON.
    /// </summary>
    private static bool EndsHere(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 && !reader.Read();

    /// <summary>After a gap marker's object: the rest of the line's object (other keys are skipped), and nothing after it.</summary>
    private static bool EndsAfterRest(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            reader.Skip();
        }

        return EndsHere(ref reader);
    }

    /// <summary>
    /// Whether a value that a count does not keep would be read by the full read (a number for <c>duration_ms</c>, a
    /// string for the others, and one that decodes: an escape may hold a lone surrogate), without making a string for
    /// the usual value. A number that is not a double throws, as in the full read.
    /// </summary>
    private static bool IsReadable(ref Utf8JsonReader reader, Field property)
    {
        if (property == Field.DurationMs)
        {
            return double.IsFinite(reader.GetDouble());
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        if (reader.ValueIsEscaped && reader.ValueSpan.IndexOf("\\u"u8) >= 0)
        {
            // Only a \u escape can spell a lone surrogate (the bytes themselves are valid UTF-8): decode to see.
            _ = reader.GetString();
        }

        return true;
    }

    /// <summary>
    /// Checks that every key and string inside the object or array at <paramref name="reader"/> (a copy: the caller's
    /// reader stays at the value's start) decodes: a <c>\u</c> escape may spell a lone surrogate, which the writer never
    /// writes (it writes U+FFFD) and which <see cref="JsonElement.GetString"/> would throw for in the caller's hands.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key or string does not decode.</exception>
    private static void ThrowIfUndecodable(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String
                && reader.ValueIsEscaped && reader.ValueSpan.IndexOf("\\u"u8) >= 0)
            {
                _ = reader.GetString();
            }
        }
    }

    private static string? ReadName(ref Utf8JsonReader reader, Utf8StringCache? strings)
    {
        if (strings is null || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.GetString();
        }

        return strings.Get(reader.ValueSpan);
    }

    private static bool TryReadStatus(ref Utf8JsonReader reader, out AuditStatus status)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var word = reader.ValueSpan;
            if (word.SequenceEqual("ok"u8))
            {
                status = AuditStatus.Ok;
                return true;
            }

            if (word.SequenceEqual("error"u8))
            {
                status = AuditStatus.Error;
                return true;
            }

            if (word.SequenceEqual("denied"u8))
            {
                status = AuditStatus.Denied;
                return true;
            }
        }

        return AuditStatusNames.TryParse(reader.GetString(), out status);
    }

    private static ReadOnlySpan<byte> TrimLine(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("\uFEFF"u8))
        {
            line = line[3..];
        }

        while (!line.IsEmpty && line[^1] is (byte)'\r' or (byte)' ' or (byte)'\t')
        {
            line = line[..^1];
        }

        return line;
    }

    private static AuditGap? ReadGap(ref Utf8JsonReader reader, string? fallbackUser, TimeZoneInfo legacyZone)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? user = null;
        long dropped = 0;
        DateTimeOffset? since = null, until = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (NameIs(ref reader, User.EncodedUtf8Bytes))
            {
                reader.Read();
                user = reader.GetString();
            }
            else if (NameIs(ref reader, Dropped.EncodedUtf8Bytes))
            {
                reader.Read();
                dropped = reader.GetInt64();
            }
            else if (NameIs(ref reader, Since.EncodedUtf8Bytes))
            {
                reader.Read();
                since = TryReadTimestamp(ref reader, legacyZone, out var value) ? value : null;
            }
            else if (NameIs(ref reader, Until.EncodedUtf8Bytes))
            {
                reader.Read();
                until = TryReadTimestamp(ref reader, legacyZone, out var value) ? value : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        user ??= fallbackUser;
        if (user is null || since is null || dropped < 0)
        {
            return null;
        }

        return new AuditGap(user, dropped, since.Value, until ?? since.Value);
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, TimeZoneInfo legacyZone, out DateTimeOffset value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        // Fast path: exactly the format this library writes.
        var span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (TryParseOwnFormat(span, out value))
        {
            return true;
        }

        var text = reader.GetString();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (HasOffset(text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        // The Python orchestrator wrote its local time without an offset.
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        value = new DateTimeOffset(local, legacyZone.GetUtcOffset(local));
        return true;
    }

    /// <summary>Parses <c>yyyy-MM-ddTHH:mm:ss.fff+00:00</c> without allocating.</summary>
    private static bool TryParseOwnFormat(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length != 29 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.'
            || !s[23..].SequenceEqual("+00:00"u8))
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || !Digits(s, 20, 3, out var millisecond))
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
        return true;

        static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int number)
        {
            number = 0;
            for (var i = start; i < start + count; i++)
            {
                var digit = s[i] - '0';
                if ((uint)digit > 9)
                {
                    return false;
                }

                number = (number * 10) + digit;
            }

            return true;
        }
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        if (t < 0)
        {
            t = text.IndexOf(' ', StringComparison.Ordinal);
        }

        if (t < 0)
        {
            return false;
        }

        var time = text.AsSpan(t + 1);
        return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.IndexOfAny('+', '-') >= 0;
    }

    /// <summary>
    /// Whether the property name under <paramref name="reader"/> is <paramref name="name"/>: false for a name that does
    /// not unescape (an escaped lone surrogate, valid JSON text), which is no field's, rather than the reader's throw.
    /// </summary>
    private static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueTextEquals(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Field Property(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return EscapedProperty(ref reader);
        }

        return Property(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
    }

    /// <summary>
    /// A property name written with escapes (<c>"\u0074s"</c> for <c>ts</c>: valid JSON, which another writer may
    /// produce), matched unescaped. No field's name is over 14 bytes, nor 84 escaped (six bytes a char).
    /// </summary>
    private static Field EscapedProperty(ref Utf8JsonReader reader)
    {
        const int MaxEscapedLength = 14 * 6;
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > MaxEscapedLength)
        {
            return Field.Unknown;
        }

        Span<byte> unescaped = stackalloc byte[MaxEscapedLength];
        try
        {
            return Property(unescaped[..reader.CopyString(unescaped)]);
        }
        catch (InvalidOperationException)
        {
            return Field.Unknown; // an escaped lone surrogate: no field's name
        }
    }

    private static Field Property(ReadOnlySpan<byte> name)
    {
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => Field.Id,
            2 when name.SequenceEqual("ts"u8) => Field.Ts,
            4 when name.SequenceEqual("user"u8) => Field.User,
            4 when name.SequenceEqual("tool"u8) => Field.Tool,
            4 when name.SequenceEqual("args"u8) => Field.Args,
            4 when name.SequenceEqual("_gap"u8) => Field.Gap,
            5 when name.SequenceEqual("model"u8) => Field.Model,
            5 when name.SequenceEqual("error"u8) => Field.Error,
            6 when name.SequenceEqual("engine"u8) => Field.Engine,
            6 when name.SequenceEqual("status"u8) => Field.Status,
            7 when name.SequenceEqual("task_id"u8) => Field.TaskId,
            7 when name.SequenceEqual("call_id"u8) => Field.CallId,
            7 when name.SequenceEqual("span_id"u8) => Field.SpanId,
            8 when name.SequenceEqual("trace_id"u8) => Field.TraceId,
            9 when name.SequenceEqual("confirmed"u8) => Field.Confirmed,
            10 when name.SequenceEqual("session_id"u8) => Field.SessionId,
            11 when name.SequenceEqual("duration_ms"u8) => Field.DurationMs,
            12 when name.SequenceEqual("result_chars"u8) => Field.ResultChars,
            14 when name.SequenceEqual("result_snippet"u8) => Field.ResultSnippet,
            _ => Field.Unknown,
        };
    }

    private enum Field
    {
        Unknown,
        Id,
        Ts,
        User,
        Engine,
        Model,
        Tool,
        Args,
        Status,
        ResultChars,
        ResultSnippet,
        SessionId,
        TaskId,
        CallId,
        Confirmed,
        DurationMs,
        Error,
        TraceId,
        SpanId,

        /// <summary>A gap marker's one property (<c>{"_gap": …}</c>), not an entry's field.</summary>
        Gap,
    }
}
