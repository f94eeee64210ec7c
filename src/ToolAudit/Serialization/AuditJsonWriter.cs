using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.Json;
using ToolAudit.Recording;

namespace ToolAudit.Serialization;

/// <summary>
/// Writes entries as JSONL lines straight into a UTF-8 buffer: the one place the line format is written.
/// </summary>
/// <remarks>
/// <para>
/// Faster than <see cref="Utf8JsonWriter"/> for this shape because property names are pre-encoded with their quotes
/// and colon, runs of text that need no escaping are transcoded in one vectorized call, and only quotes, backslashes
/// and control characters are escaped (non-ASCII text is written as UTF-8, not as <c>\uXXXX</c>). Lone surrogates
/// become U+FFFD, so every line is valid UTF-8 and valid JSON.
/// </para>
/// <para>Not thread-safe: one per writer. The buffer grows to the largest batch and is reused.</para>
/// </remarks>
internal sealed class AuditJsonWriter
{
    private static readonly byte[] HexDigits = "0123456789abcdef"u8.ToArray();

    // What each ASCII char is written as, in the low bytes (itself, or its escape: \", \\, \n, \u001f), and how many
    // bytes that is in the top byte (1, 2 or 6; the bytes in between are zero and are overwritten by the next char).
    private static readonly ulong[] AsciiOutput = CreateAsciiOutput();

#if NET10_0_OR_GREATER
    // For TryWriteEscaped: each ASCII char's escape letter (the char itself when it needs none; 0 for a control char
    // written as \u00XX), as the two halves of a 128-byte table; a vector of backslashes; and, for each byte of a
    // 64-byte vector, which byte and bit of a 64-bit mask says whether it is set (to turn the mask into a vector).
    private static readonly Vector512<byte> EscapeLettersLow = Vector512.Create(CreateEscapeLetters(), 0);
    private static readonly Vector512<byte> EscapeLettersHigh = Vector512.Create(CreateEscapeLetters(), 64);
    private static readonly Vector512<byte> Backslashes = Vector512.Create((byte)'\\');
    private static readonly Vector512<byte> SlotByteIndex = Vector512.Create(CreateSlotBytes(bit: false));
    private static readonly Vector512<byte> SlotBit = Vector512.Create(CreateSlotBytes(bit: true));

#endif
    // The non-ASCII chars that are escaped: the C1 controls (U+0085 is NEL) and the line and paragraph separators.
    private static readonly SearchValues<char> LineBreakingNonAscii = SearchValues.Create(
        "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F\u2028\u2029");

    private byte[] _buffer;
    private readonly byte[] _datePart = new byte[11];
    private long _formattedDay = -1;
    private int _length;
    private ArrayBufferWriter<byte>? _elementBuffer;
    private Utf8JsonWriter? _elementWriter;

    public AuditJsonWriter(int initialCapacity = 64 * 1024) => _buffer = new byte[initialCapacity];

    /// <summary>What has been written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public int WrittenCount => _length;

    public void Clear() => _length = 0;

    /// <summary>Appends bytes as they are (separators of a JSON array, for example).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => Append(bytes);

    /// <summary>Appends one entry as a line, newline included.</summary>
    public void WriteLine(AuditEntry entry)
    {
        WriteEntry(entry);
        AppendByte((byte)'\n');
    }

    /// <summary>Appends one gap marker as a line: <c>{"_gap":{"user":...,"dropped":N,"since":...,"until":...}}</c>.</summary>
    public void WriteGapLine(AuditGap gap)
    {
        Append("{\"_gap\":{\"user\":"u8);
        WriteString(gap.User);
        Append(",\"dropped\":"u8);
        WriteNumber(gap.Dropped);
        Append(",\"since\":"u8);
        WriteTimestamp(gap.Since);
        Append(",\"until\":"u8);
        WriteTimestamp(gap.Until);
        Append("}}\n"u8);
    }

    /// <summary>
    /// Appends the line of a captured call, preparing it on the way (id, argument cuts and redaction, snippet): the same
    /// bytes as <c>WriteLine(factory.Create(captured))</c>, without making the entry, its id or its snippet as objects.
    /// </summary>
    /// <remarks>When it throws, part of the line may be written: the caller truncates back to where it began.</remarks>
    /// <param name="captured">The call.</param>
    /// <param name="idSequence">The ordered part of its id, from <see cref="AuditEntryFactory.NextIdSequence"/>.</param>
    /// <param name="factory">Prepares the parts; not thread-safe, so one per thread.</param>
    public void WriteLine(CapturedCall captured, long idSequence, AuditEntryFactory factory)
    {
        var call = captured.Call;
        var timestamp = captured.Timestamp;
        Append("{\"id\":\""u8);
        EnsureCapacity(AuditIdGenerator.FormattedLength);
        factory.WriteId(idSequence, _buffer.AsSpan(_length, AuditIdGenerator.FormattedLength));
        _length += AuditIdGenerator.FormattedLength;
        Append("\",\"ts\":"u8);
        WriteWhoAndWhat(timestamp, call.User, AuditEntryFactory.CutName(captured.Engine), AuditEntryFactory.CutName(captured.Model), AuditEntryFactory.CutName(call.Tool));
        var args = captured.Args;
        if (args.HasArguments)
        {
            Append(",\"args\":{"u8);
            var first = true;
            var named = factory.ArgumentsNameASecret(args);
            for (var i = 0; i < args.Count; i++)
            {
                var (key, value) = args[i];
                WriteSeparator(ref first);
                WriteArgument(key, factory.PrepareArgument(key, value, named));
            }

            AppendByte((byte)'}');
        }

        WriteStatus(call.Status);
        Append(",\"result_chars\":"u8);
        WriteNumber(call.Result?.Length ?? 0);
        if (call.Result is { } result)
        {
            Append(",\"result_snippet\":"u8);
            if (factory.TryGetPlainSnippet(result, out var snippet))
            {
                WriteString(snippet);
            }
            else
            {
                WriteString(factory.Snippet(result));
            }
        }

        WriteTail(AuditEntryFactory.CutName(captured.SessionId), AuditEntryFactory.CutName(captured.TaskId), AuditEntryFactory.CutName(call.CallId), call.Confirmed, call.Duration?.TotalMilliseconds, factory.PrepareError(call), captured.TraceId, captured.SpanId);
        AppendByte((byte)'\n');
    }

    /// <summary>Cuts what was written back to <paramref name="length"/> (a line that could not be finished).</summary>
    public void Truncate(int length) => _length = Math.Min(_length, length);

    /// <summary>Appends one entry as a JSON object (no newline).</summary>
    public void WriteEntry(AuditEntry entry)
    {
        if (entry.Id is not null)
        {
            Append("{\"id\":"u8);
            WriteString(entry.Id);
            Append(",\"ts\":"u8);
        }
        else
        {
            Append("{\"ts\":"u8);
        }

        WriteWhoAndWhat(entry.Timestamp, entry.User, entry.Engine, entry.Model, entry.Tool);
        if (entry.Args is not null)
        {
            Append(",\"args\":"u8);
            WriteArguments(entry.Args);
        }

        WriteStatus(entry.Status);
        Append(",\"result_chars\":"u8);
        WriteNumber(entry.ResultChars);
        WriteOptional(",\"result_snippet\":"u8, entry.ResultSnippet);
        WriteTail(entry.SessionId, entry.TaskId, entry.CallId, entry.Confirmed, entry.DurationMs, entry.Error, entry.TraceId, entry.SpanId);
    }

    /// <summary>The fields after the id: time, user, engine, model, tool.</summary>
    private void WriteWhoAndWhat(DateTimeOffset timestamp, string user, string? engine, string? model, string tool)
    {
        WriteTimestamp(timestamp);
        Append(",\"user\":"u8);
        WriteString(user);
        WriteOptional(",\"engine\":"u8, engine);
        WriteOptional(",\"model\":"u8, model);
        Append(",\"tool\":"u8);
        WriteString(tool);
    }

    private void WriteStatus(AuditStatus status)
    {
        Append(",\"status\":"u8);
        Append(status switch
        {
            AuditStatus.Ok => "\"ok\""u8,
            AuditStatus.Error => "\"error\""u8,
            AuditStatus.Denied => "\"denied\""u8,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a defined audit status."),
        });
    }

    /// <summary>The fields after the snippet, and the closing brace.</summary>
    private void WriteTail(string? sessionId, string? taskId, string? callId, bool confirmed, double? durationMs, string? error, string? traceId, string? spanId)
    {
        WriteOptional(",\"session_id\":"u8, sessionId);
        WriteOptional(",\"task_id\":"u8, taskId);
        WriteOptional(",\"call_id\":"u8, callId);
        if (confirmed)
        {
            Append(",\"confirmed\":true"u8);
        }

        if (durationMs is { } duration && double.IsFinite(duration))
        {
            Append(",\"duration_ms\":"u8);
            WriteNumber(AuditEntryFactory.DurationMilliseconds(duration));
        }

        WriteOptional(",\"error\":"u8, error);
        WriteOptional(",\"trace_id\":"u8, traceId);
        WriteOptional(",\"span_id\":"u8, spanId);
        AppendByte((byte)'}');
    }

    /// <summary>Appends the arguments object.</summary>
    public void WriteArguments(IReadOnlyDictionary<string, JsonElement> args)
    {
        AppendByte((byte)'{');
        var first = true;
        if (args is RecordedArguments recorded)
        {
            // The recorder's own values, written without building JsonElements.
            foreach (var pair in recorded.RawValues)
            {
                WriteSeparator(ref first);
                WriteArgument(pair.Key, pair.Value);
            }
        }
        else
        {
            foreach (var pair in args)
            {
                WriteSeparator(ref first);
                WriteString(pair.Key);
                AppendByte((byte)':');
                WriteElement(pair.Value);
            }
        }

        AppendByte((byte)'}');
    }

    /// <summary>Appends <c>"key":value</c> for an argument as the recorder keeps it.</summary>
    private void WriteArgument(string key, object? value)
    {
        WriteString(key);
        AppendByte((byte)':');
        WriteArgumentValue(value);
    }

    /// <summary>Appends one argument value of the kinds the recorder keeps.</summary>
    public void WriteArgumentValue(object? value)
    {
        switch (value)
        {
            case null:
                Append("null"u8);
                break;
            case string text:
                WriteString(text);
                break;
            case bool flag:
                Append(flag ? "true"u8 : "false"u8);
                break;
            case int number:
                WriteNumber(number);
                break;
            case long number:
                WriteNumber(number);
                break;
            case double number when double.IsFinite(number):
                WriteNumber(number);
                break;
            case float number when float.IsFinite(number):
                WriteFormattable(number);
                break;
            case decimal number:
                WriteFormattable(number);
                break;
            case short or byte or sbyte or ushort or uint:
                WriteNumber(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                WriteFormattable(number);
                break;
            case JsonElement element:
                WriteElement(element);
                break;
            case DateTimeOffset moment:
                WriteString(moment.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime moment:
                WriteString(moment.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateOnly date:
                // ISO 8601, as System.Text.Json writes it (the invariant culture's default is M/d/yyyy).
                WriteString(date.ToString("O", CultureInfo.InvariantCulture));
                break;
            case TimeOnly time:
                // Every digit (the invariant culture's default, HH:mm, drops the seconds).
                WriteString(time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case ArgumentPlaceholder placeholder:
                WriteString(placeholder.Text);
                break;
            default:
                // Guids, enums, chars, time spans, URIs, non-finite numbers: their invariant text.
                WriteString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }
    }

    /// <summary>Appends a JSON string: quotes, escapes, UTF-8.</summary>
    /// <remarks>
    /// ASCII text (the usual case) is narrowed to bytes and copied out 32 chars at a time in one pass, stopping only at
    /// the bytes that need escaping, so a snippet full of newlines and quotes costs a vector compare per escape, not a
    /// search and a copy per run. Non-ASCII runs go through the UTF-8 encoder; they hold nothing that needs escaping.
    /// </remarks>
    public void WriteString(ReadOnlySpan<char> text)
    {
        // Worst case: 6 bytes per escaped ASCII char (3 per non-ASCII one), the quotes, and the slack of one vector
        // store past the end.
        EnsureCapacity(((long)text.Length * 6) + 2 + Vector256<byte>.Count);
        _buffer[_length++] = (byte)'"';
        while (!text.IsEmpty)
        {
            var ascii = WriteAscii(text);
            text = text[ascii..];
            if (text.IsEmpty)
            {
                break;
            }

            // A non-ASCII run up to the next ASCII char: it never splits a surrogate pair, and a lone surrogate is
            // written as U+FFFD, as the UTF-8 encoder does everywhere else. The C1 controls and the line and paragraph
            // separators in it are escaped (as System.Text.Json does): many readers end a line at U+0085 or U+2028.
            var nextAscii = text.IndexOfAnyInRange('\u0000', '\u007F');
            var run = nextAscii < 0 ? text : text[..nextAscii];
            text = text[run.Length..];
            int escape;
            while ((escape = run.IndexOfAny(LineBreakingNonAscii)) >= 0)
            {
                _length += Encoding.UTF8.GetBytes(run[..escape], _buffer.AsSpan(_length));
                WriteUnicodeEscape(run[escape]);
                run = run[(escape + 1)..];
            }

            _length += Encoding.UTF8.GetBytes(run, _buffer.AsSpan(_length));
        }

        _buffer[_length++] = (byte)'"';
    }

    /// <summary>Writes the leading ASCII chars of the text, escaped; returns how many it wrote.</summary>
    /// <remarks>
    /// One pass: 32 chars at a time are loaded, checked for non-ASCII, narrowed to bytes and stored whole; then only
    /// what comes before the first byte to escape is kept (the room for the rest was reserved), so most vectors cost
    /// one store. The char to escape is written from <see cref="AsciiOutput"/>, with no branch on which char it is:
    /// where a result's quotes, tabs and newlines fall differs from call to call, and a switch on them was mispredicted
    /// often. Where the CPU has AVX-512 VBMI2, a block with chars to escape is written whole instead
    /// (<c>TryWriteEscaped</c>, on .NET 10). What is left (short text, the last chars) goes char by char as above.
    /// </remarks>
    private int WriteAscii(ReadOnlySpan<char> text)
    {
        var length = _length;
        var read = 0;
        ref var from = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        ref var to = ref MemoryMarshal.GetArrayDataReference(_buffer);
        ref var output = ref MemoryMarshal.GetArrayDataReference(AsciiOutput);
        if (Vector256.IsHardwareAccelerated)
        {
            var nonAscii = Vector256.Create((ushort)0xFF80);
            var space = Vector256.Create((byte)0x20);
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            while (read <= text.Length - Vector256<byte>.Count)
            {
                var low = Vector256.LoadUnsafe(ref from, (nuint)read);
                var high = Vector256.LoadUnsafe(ref from, (nuint)(read + Vector256<ushort>.Count));
                if (((low | high) & nonAscii) != Vector256<ushort>.Zero)
                {
                    // Non-ASCII ahead: the loop below writes up to it.
                    break;
                }

                var bytes = Vector256.Narrow(low, high);
                bytes.StoreUnsafe(ref to, (nuint)length);
                var special = Vector256.LessThan(bytes, space) | Vector256.Equals(bytes, quote) | Vector256.Equals(bytes, backslash);
                var mask = special.ExtractMostSignificantBits();
                if (mask == 0)
                {
                    read += Vector256<byte>.Count;
                    length += Vector256<byte>.Count;
                    continue;
                }

#if NET10_0_OR_GREATER
                if (Avx512Vbmi2.IsSupported && Bmi2.X64.IsSupported && TryWriteEscaped(bytes, mask, ref to, ref length))
                {
                    read += Vector256<byte>.Count;
                    continue;
                }
#endif

                // Up to the first char to escape, which is written from the table; the rest of the block is loaded again.
                var at = BitOperations.TrailingZeroCount(mask);
                length = WriteAsciiChar(ref to, length + at, ref output, Unsafe.Add(ref from, read + at));
                read += at + 1;
            }
        }

        for (; read < text.Length; read++)
        {
            var c = Unsafe.Add(ref from, read);
            if (c >= 0x80)
            {
                break;
            }

            length = WriteAsciiChar(ref to, length, ref output, c);
        }

        _length = length;
        return read;
    }

#if NET10_0_OR_GREATER
    /// <summary>
    /// Writes a block of 32 ASCII chars (narrowed to <paramref name="bytes"/>) of which those in
    /// <paramref name="special"/> are escaped, in one 64-byte store and no branch on where they fall: each char to escape
    /// becomes its escape letter (a table lookup for all 32 at once) and the letters are spread out over the output with
    /// a backslash in front of each (<c>vpexpandb</c>). False, having written nothing, when one of them is a control
    /// char written as <c>\u00XX</c> (rare: the caller escapes the block char by char).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryWriteEscaped(Vector256<byte> bytes, uint special, ref byte to, ref int length)
    {
        var wide = Vector512.Create(bytes, Vector256<byte>.Zero);
        var letters = Avx512Vbmi.PermuteVar64x8x2(EscapeLettersLow, wide, EscapeLettersHigh);
        if ((Vector256.Equals(letters.GetLower(), Vector256<byte>.Zero).ExtractMostSignificantBits() & special) != 0)
        {
            return false;
        }

        // Two output slots per char, a backslash's (kept only for a char to escape) and the char's: which of the kept
        // slots are the chars' is where the expansion puts the letters; the others get the backslashes.
        var kept = Bmi2.X64.ParallelBitDeposit(special, 0x5555_5555_5555_5555) | 0xAAAA_AAAA_AAAA_AAAA;
        var charSlots = Bmi2.X64.ParallelBitExtract(0xAAAA_AAAA_AAAA_AAAA, kept);
        var slotMask = Vector512.Equals(
            Avx512BW.Shuffle(Vector512.Create(charSlots).AsByte(), SlotByteIndex) & SlotBit,
            SlotBit);
        Avx512Vbmi2.Expand(Backslashes, slotMask, letters).StoreUnsafe(ref to, (nuint)length);
        length += Vector256<byte>.Count + BitOperations.PopCount(special);
        return true;
    }

#endif
    /// <summary>
    /// Writes an ASCII char at <paramref name="at"/>, escaped if it must be: always 8 bytes (room reserved by the caller:
    /// 6 bytes a char and a vector's slack), of which the next char keeps the first 1, 2 or 6. Returns where the next char goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteAsciiChar(ref byte to, int at, ref ulong output, ushort c)
    {
        var written = Unsafe.Add(ref output, c);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, at), written);
        return at + (int)(written >> 56);
    }

    /// <summary>Writes <c>\uXXXX</c> for <paramref name="c"/> (room reserved by the caller: 6 bytes a char).</summary>
    private void WriteUnicodeEscape(char c)
    {
        var at = _length;
        _buffer[at] = (byte)'\\';
        _buffer[at + 1] = (byte)'u';
        _buffer[at + 2] = HexDigits[c >> 12];
        _buffer[at + 3] = HexDigits[(c >> 8) & 0xF];
        _buffer[at + 4] = HexDigits[(c >> 4) & 0xF];
        _buffer[at + 5] = HexDigits[c & 0xF];
        _length = at + 6;
    }

#if NET10_0_OR_GREATER
    /// <summary>The escape letters, from <see cref="AsciiOutput"/>: the second byte of a two-byte escape, the char itself when it needs none.</summary>
    private static byte[] CreateEscapeLetters()
    {
        var letters = new byte[128];
        for (var c = 0; c < letters.Length; c++)
        {
            var output = AsciiOutput[c];
            letters[c] = (output >> 56) switch
            {
                1 => (byte)c,
                2 => (byte)(output >> 8),
                _ => 0,
            };
        }

        return letters;
    }

    private static byte[] CreateSlotBytes(bool bit)
    {
        var bytes = new byte[64];
        for (var i = 0; i < bytes.Length; i++)
        {
            // A shuffle picks bytes within 16-byte lanes; each lane holds all 8 bytes of the broadcast mask.
            bytes[i] = bit ? (byte)(1 << (i % 8)) : (byte)(i / 8 % 8);
        }

        return bytes;
    }

#endif
    private static ulong[] CreateAsciiOutput()
    {
        var table = new ulong[128];
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        for (var c = 0; c < table.Length; c++)
        {
            ReadOnlySpan<byte> escaped = c switch
            {
                '"' => "\\\""u8,
                '\\' => "\\\\"u8,
                '\n' => "\\n"u8,
                '\r' => "\\r"u8,
                '\t' => "\\t"u8,
                '\b' => "\\b"u8,
                '\f' => "\\f"u8,
                < 0x20 => [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', HexDigits[c >> 4], HexDigits[c & 0xF]],
                _ => [(byte)c],
            };

            bytes.Clear();
            escaped.CopyTo(bytes);
            bytes[^1] = (byte)escaped.Length;
            table[c] = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        }

        return table;
    }

    private void WriteOptional(ReadOnlySpan<byte> nameWithColon, string? value)
    {
        if (value is not null)
        {
            Append(nameWithColon);
            WriteString(value);
        }
    }

    private void WriteSeparator(ref bool first)
    {
        if (first)
        {
            first = false;
        }
        else
        {
            AppendByte((byte)',');
        }
    }

    private void WriteTimestamp(DateTimeOffset value)
    {
        // "2025-01-02T03:04:05.678+00:00": UTC, milliseconds, an offset every ISO reader understands. The date part
        // is the same for a whole day of lines: made once per day, then copied.
        EnsureCapacity(32);
        var ticks = value.UtcTicks;
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _formattedDay)
        {
            var date = new DateTime(day * TimeSpan.TicksPerDay, DateTimeKind.Utc);
            Digits(_datePart.AsSpan(0, 4), date.Year);
            _datePart[4] = (byte)'-';
            Digits(_datePart.AsSpan(5, 2), date.Month);
            _datePart[7] = (byte)'-';
            Digits(_datePart.AsSpan(8, 2), date.Day);
            _datePart[10] = (byte)'T';
            _formattedDay = day;
        }

        var span = _buffer.AsSpan(_length, 31);
        span[0] = (byte)'"';
        _datePart.CopyTo(span[1..]);
        var milliseconds = (int)(ticks % TimeSpan.TicksPerDay / TimeSpan.TicksPerMillisecond);
        TwoDigits(span[12..], milliseconds / 3_600_000);
        span[14] = (byte)':';
        TwoDigits(span[15..], milliseconds / 60_000 % 60);
        span[17] = (byte)':';
        TwoDigits(span[18..], milliseconds / 1000 % 60);
        span[20] = (byte)'.';
        span[21] = (byte)('0' + (milliseconds % 1000 / 100));
        TwoDigits(span[22..], milliseconds % 100);
        "+00:00\""u8.CopyTo(span[24..]);
        _length += 31;

        static void Digits(Span<byte> destination, int value)
        {
            for (var i = destination.Length - 1; i >= 0; i--)
            {
                destination[i] = (byte)('0' + (value % 10));
                value /= 10;
            }
        }

        static void TwoDigits(Span<byte> destination, int value)
        {
            destination[0] = (byte)('0' + (value / 10));
            destination[1] = (byte)('0' + (value % 10));
        }
    }

    private void WriteNumber(long value)
    {
        EnsureCapacity(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var written);
        _length += written;
    }

    private void WriteNumber(double value)
    {
        EnsureCapacity(32);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    private void WriteFormattable<T>(T value)
        where T : IUtf8SpanFormattable
    {
        EnsureCapacity(64);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    private void WriteElement(JsonElement element)
    {
        // Rare path (values that came as JSON): let System.Text.Json write them, then copy.
        _elementBuffer ??= new ArrayBufferWriter<byte>(256);
        _elementBuffer.ResetWrittenCount();
        if (_elementWriter is null)
        {
            _elementWriter = new Utf8JsonWriter(_elementBuffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        }
        else
        {
            _elementWriter.Reset(_elementBuffer);
        }

        element.WriteTo(_elementWriter);
        _elementWriter.Flush();
        Append(_elementBuffer.WrittenSpan);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureCapacity(long more)
    {
        if (_buffer.Length - _length < more)
        {
            Grow(more);
        }
    }

    /// <summary>Makes room for <paramref name="more"/> bytes, in long arithmetic: the vector stores that follow are unchecked.</summary>
    /// <exception cref="InvalidOperationException">The line would not fit in an array (about 2 GB).</exception>
    private void Grow(long more)
    {
        var needed = _length + more;
        if (needed > Array.MaxLength)
        {
            // Only a text of some 350 million chars gets here (a user, or a value under a *MaxChars set near
            // int.MaxValue): refused whole, before anything of it is written, so the entry is counted failed.
            throw new InvalidOperationException($"An audit line cannot hold {needed:N0} bytes; the largest array holds {Array.MaxLength:N0}.");
        }

        var size = Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, needed));
        Array.Resize(ref _buffer, (int)size);
    }
}
