using System.Text;
using System.Text.Json;
using ToolAudit.Serialization;

namespace ToolAudit.Tests.Serialization;

public sealed class AuditJsonWriterTests
{
    // Pieces the generated strings are made of: plain ASCII, every kind of escape, two- and three-byte UTF-8, a
    // surrogate pair, and long ASCII runs that outgrow the writer's scratch buffer.
    private static readonly string[] Pieces =
    [
        "plain text ", "\"", "\\", "\n", "\r\n", "\t", "\u0000", "\u0001", "\u001f", "\u007f", "é", "Ω", "中文",
        "\u2028", "😀", "👍🏽", new string('x', 700), "</script>", "'", "+&<>",
    ];

    [Fact]
    public void WriteString_MixedText_RoundTripsThroughAStandardJsonReader()
    {
        var random = new Random(12345);
        var writer = new AuditJsonWriter(16);
        for (var i = 0; i < 2_000; i++)
        {
            var text = new StringBuilder();
            var pieces = random.Next(0, 12);
            for (var p = 0; p < pieces; p++)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var expected = text.ToString();
            writer.Clear();
            writer.WriteString(expected);

            var bytes = writer.WrittenSpan.ToArray();
            bytes.Should().NotContain(b => b < 0x20, "control characters are escaped");
            JsonSerializer.Deserialize<string>(bytes).Should().Be(expected);
        }
    }

    [Fact]
    public void WriteString_Escapes_AreTheShortForms()
    {
        var writer = new AuditJsonWriter();
        writer.WriteString("a\"b\\c\nd\re\tf\bg\fh\u0001i");

        Encoding.UTF8.GetString(writer.WrittenSpan).Should().Be("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\"");
    }

    [Fact]
    public void WriteString_C1ControlsAndLineSeparators_AreEscapedSoTheLineStaysOneLine()
    {
        // U+0085 (NEL), U+2028 and U+2029 end a line for many readers (Python's str.splitlines, editors); the C1 range
        // is control characters, which the README promises to escape.
        var writer = new AuditJsonWriter();
        writer.WriteString("a\u0085b\u2028c\u2029d\u0080\u009f é\u00a0中");

        Encoding.UTF8.GetString(writer.WrittenSpan).Should().Be("\"a\\u0085b\\u2028c\\u2029d\\u0080\\u009f é\u00a0中\"");
        JsonSerializer.Deserialize<string>(writer.WrittenSpan).Should().Be("a\u0085b\u2028c\u2029d\u0080\u009f é\u00a0中");
    }

    [Fact]
    public void WriteString_LoneSurrogate_BecomesTheReplacementCharacter()
    {
        var writer = new AuditJsonWriter();
        writer.WriteString("a\ud800b\n\udc00");

        JsonSerializer.Deserialize<string>(writer.WrittenSpan).Should().Be("a\ufffdb\n\ufffd");
    }

    [Fact]
    public void WriteString_AnyLengthAndMix_IsByteForByteTheReferenceEscaping()
    {
        // Lengths on both sides of the vector width and of every position an escape can take within a vector.
        var alphabet = new[] { 'a', 'Z', ' ', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0007', '\u001f', '\u007f', 'é', '中', '\uD83D', '\uDE00', '\u0085', '\u2028', '\u2029', '\u009f' };
        var random = new Random(4242);
        var writer = new AuditJsonWriter(16);
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 100)];
            var escapeRate = random.Next(1, 40);
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = random.Next(escapeRate) == 0 ? alphabet[random.Next(alphabet.Length)] : (char)random.Next('a', 'z' + 1);
            }

            writer.Clear();
            writer.WriteString(chars);

            Encoding.UTF8.GetString(writer.WrittenSpan).Should().Be(Reference(chars), $"text: {JsonSerializer.Serialize(new string(chars))}");
        }
    }

    [Fact]
    public void WriteString_EveryAsciiCharAtEveryPlaceInTwoBlocks_IsByteForByteTheReferenceEscaping()
    {
        // Each ASCII char at each of 64 places (two 32-char blocks, as the vector paths take them), with a quote and a
        // control char elsewhere, so that a block holds escapes of every length side by side.
        var writer = new AuditJsonWriter(16);
        var chars = new char[64];
        for (var c = 0; c < 128; c++)
        {
            for (var at = 0; at < chars.Length; at++)
            {
                Array.Fill(chars, 'x');
                chars[(at * 7 + 3) % chars.Length] = '"';
                chars[(at * 13 + 5) % chars.Length] = '\u0001';
                chars[at] = (char)c;
                writer.Clear();
                writer.WriteString(chars);

                Encoding.UTF8.GetString(writer.WrittenSpan).Should().Be(Reference(chars), $"char {c} at {at}");
            }
        }
    }

    /// <summary>The escaping the writer promises, one char at a time: short escapes, \uXXXX for other controls (C0 and C1) and line separators, UTF-8 for the rest, U+FFFD for lone surrogates.</summary>
    private static string Reference(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder("\"");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ' or (>= '\u0080' and <= '\u009f') or '\u2028' or '\u2029': builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    [Theory]
    [InlineData(2025, 1, 2, 14, 30, 15, 250)]
    [InlineData(1, 1, 1, 0, 0, 0, 0)]
    [InlineData(9999, 12, 31, 23, 59, 59, 999)]
    public void WriteArgumentValue_DateOnlyAndTimeOnly_AreIsoTextThatReadsBackTheSame(int year, int month, int day, int hour, int minute, int second, int millisecond)
    {
        // The invariant culture's default forms are M/d/yyyy and HH:mm: a time lost its seconds.
        var date = new DateOnly(year, month, day);
        var time = new TimeOnly(hour, minute, second, millisecond);
        var writer = new AuditJsonWriter();

        writer.WriteArgumentValue(date);
        var writtenDate = JsonSerializer.Deserialize<string>(writer.WrittenSpan);
        writer.Clear();
        writer.WriteArgumentValue(time);
        var writtenTime = JsonSerializer.Deserialize<string>(writer.WrittenSpan);

        writtenDate.Should().Be(JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(date)));
        JsonSerializer.Deserialize<DateOnly>(JsonSerializer.Serialize(writtenDate)).Should().Be(date);
        JsonSerializer.Deserialize<TimeOnly>(JsonSerializer.Serialize(writtenTime)).Should().Be(time);
    }

    [Fact]
    public void WriteGapLine_TimestampsAcrossDaysAndOffsets_AreUtcWithMilliseconds()
    {
        // One writer for every line, so the date part it keeps from line to line is exercised across day changes.
        var random = new Random(99);
        var writer = new AuditJsonWriter(16);
        var moments = new List<DateTimeOffset>
        {
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, new(2025, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
            new(2026, 1, 1, 0, 0, 0, 0, TimeSpan.Zero), new(2026, 1, 1, 0, 30, 0, 5, TimeSpan.FromHours(1)),
        };
        for (var i = 0; i < 2_000; i++)
        {
            moments.Add(new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1))));
            moments.Add(moments[^1].AddMilliseconds(random.Next(0, 3)));
        }

        foreach (var moment in moments)
        {
            writer.Clear();
            writer.WriteGapLine(new AuditGap("alice", 1, moment, moment));

            using var json = JsonDocument.Parse(writer.WrittenSpan.ToArray());
            var expected = moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
            json.RootElement.GetProperty("_gap").GetProperty("since").GetString().Should().Be(expected);
        }
    }

    [Fact]
    public void WriteString_TextWhoseWorstCaseWouldPassTheLargestArray_ThrowsBeforeWritingAnything()
    {
        // 6 bytes a char at worst: this text's reservation overflowed int, so nothing grew and the unchecked vector
        // stores ran past the buffer's end.
        var writer = new AuditJsonWriter(16);
        var text = new string('a', (int.MaxValue / 6) + 1);

        var write = () => writer.WriteString(text);

        write.Should().Throw<InvalidOperationException>();
        writer.WrittenCount.Should().Be(0);
    }
}
