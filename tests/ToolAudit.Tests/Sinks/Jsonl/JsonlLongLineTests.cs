using System.Text;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Long lines and long unterminated tails (a crash that left a zero-filled tail, a hostile writer): a reader keeps in
/// memory only what it can return. A torn tail read backwards and the end of a line that the range before returns are
/// dropped as they are read, however long; a long line that is returned is returned whole.
/// </summary>
public sealed class JsonlLongLineTests : IDisposable
{
    private const int Long = 8 * 1024 * 1024;
    private const int SmallBuffer = 1024 * 1024;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Backward_LongTornTail_IsSkippedWithoutBeingKept_AndTheLineBeforeIsRead()
    {
        // The tail: 8 MiB of zeros and no newline, as a crash leaves an extended file (sparse: no disk is used).
        var path = Write("{\"line\":1}\n");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length + Long);
        }

        using var reader = JsonlLineReader.OpenBackward(File.OpenHandle(path));

        Lines(reader, backward: true).Should().Equal("{\"line\":1}");
        reader.TornLines.Should().Be(1);
        reader.BufferLength.Should().BeLessThan(SmallBuffer, "the torn tail is never returned, so none of it is kept");
    }

    [Fact]
    public void ForwardRange_StartingInsideALongLine_DropsItsEndAsItReads_AndReadsTheLinesAfter()
    {
        var longLine = "{\"pad\":\"" + new string('x', Long) + "\"}\n";
        var path = Write(longLine + "{\"line\":2}\n");
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);

        // A range that starts a megabyte into the long line: that line is the range before's.
        using var reader = JsonlLineReader.OpenForwardRange(file, length, start: 1024 * 1024, end: long.MaxValue);

        Lines(reader, backward: false).Should().Equal("{\"line\":2}");
        reader.BufferLength.Should().BeLessThan(SmallBuffer, "the rest of the range before's line is never returned, so none of it is kept");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LongLine_IsReturnedWhole_EitherWay(bool backward)
    {
        var longLine = "{\"pad\":\"" + new string('x', Long) + "\"}";
        var path = Write("{\"line\":1}\n" + longLine + "\n{\"line\":3}\n");
        using var reader = backward ? JsonlLineReader.OpenBackward(File.OpenHandle(path)) : JsonlLineReader.OpenForward(File.OpenHandle(path));

        var lines = Lines(reader, backward);

        lines.Should().Equal(backward ? ["{\"line\":3}", longLine, "{\"line\":1}"] : ["{\"line\":1}", longLine, "{\"line\":3}"]);
        reader.TornLines.Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LineLongerThanAnyEntry_IsSkippedAndCountedWithoutBeingHeld_EitherWay(bool backward)
    {
        // 200 MiB of zeros between two lines (sparse: no disk is used): no entry is so long (past 256 arguments the
        // rest are counted, and each value is cut), so it is dropped as it is read, not held whole.
        var path = Write("{\"line\":1}\n");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length + (200L * 1024 * 1024));
            stream.Seek(0, SeekOrigin.End);
            stream.Write("\n{\"line\":3}\n"u8);
        }

        using var reader = backward ? JsonlLineReader.OpenBackward(File.OpenHandle(path)) : JsonlLineReader.OpenForward(File.OpenHandle(path));

        Lines(reader, backward).Should().Equal(backward ? ["{\"line\":3}", "{\"line\":1}"] : ["{\"line\":1}", "{\"line\":3}"]);
        reader.TornLines.Should().Be(1, "the long line is skipped and counted");
        reader.BufferLength.Should().BeLessThan(3 * JsonlLineReader.MaxLineBytes, "at most the longest line read and a chunk are held");
    }

    [Fact]
    public void ForwardRanges_SplittingALineLongerThanAnyEntry_CountItOnceAndReadTheOthersOnce()
    {
        var path = Write("{\"line\":1}\n");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length + (100L * 1024 * 1024));
            stream.Seek(0, SeekOrigin.End);
            stream.Write("\n{\"line\":3}\n"u8);
        }

        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        long[] starts = [0, 1024, 70L * 1024 * 1024, length - 4];
        var lines = new List<string>();
        var torn = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            using var range = JsonlLineReader.OpenForwardRange(file, length, starts[i], i + 1 < starts.Length ? starts[i + 1] : long.MaxValue);
            lines.AddRange(Lines(range, backward: false));
            torn += range.TornLines;
        }

        lines.Should().Equal("{\"line\":1}", "{\"line\":3}");
        torn.Should().Be(1);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_folder.Path, "day.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    private static List<string> Lines(JsonlLineReader reader, bool backward)
    {
        var lines = new List<string>();
        ReadOnlyMemory<byte> line;
        while (backward ? reader.TryReadPrevious(out line) : reader.TryReadNext(out line))
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        return lines;
    }
}
