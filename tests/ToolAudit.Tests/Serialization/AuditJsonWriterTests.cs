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
    public void WriteString_LoneSurrogate_BecomesTheReplacementCharacter()
    {
        var writer = new AuditJsonWriter();
        writer.WriteString("a\ud800b\n\udc00");

        JsonSerializer.Deserialize<string>(writer.WrittenSpan).Should().Be("a\ufffdb\n\ufffd");
    }
}
