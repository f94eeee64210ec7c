using System.Text;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>Short writes: a line cut by one is never finished by a second write that another writer can come before.</summary>
public sealed class AppendOnlyFileTests
{
    private static readonly DateOnly March4 = new(2025, 3, 4);

    private static string Line(int minute, string tool) =>
        $$"""{"ts":"2025-03-04T10:{{minute:00}}:00.000+00:00","user":"alice","tool":"{{tool}}","status":"ok","result_chars":0}""" + "\n";

    [Fact]
    public async Task WriteLines_ShortWriteMidLineThenAnotherWritersLine_WritesTheCutLineWholeAndEveryReaderTakesAllThree()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var file = new List<byte>();
        var ours = Line(1, "first") + Line(2, "second");
        var calls = 0;

        // The kernel takes the first line and 30 bytes of the second; before the next write, another process appends.
        AppendOnlyFile.WriteLines(Encoding.UTF8.GetBytes(ours), Write, "test");

        AuditFiles.Write(store.GetFilePath("alice", March4), Encoding.UTF8.GetString([.. file]));
        var lines = AuditFiles.Lines(store.GetFilePath("alice", March4));
        lines.Should().Equal(Line(1, "first")[..^1], Line(2, "second")[..30] + Line(3, "other")[..^1], string.Empty, Line(2, "second")[..^1]);
        (await store.ReadDayAsync("alice", March4)).Select(e => e.Tool).Should().Equal("first", "second", "other");
        var stats = await store.GetStatsAsync(new AuditQuery());
        (stats.Total, stats.SkippedLines).Should().Be((3, 1), "only the cut part of the second line is lost, and counted");

        nint Write(ReadOnlySpan<byte> data, out int errno)
        {
            errno = 0;
            var take = ++calls == 1 ? Line(1, "first").Length + 30 : data.Length;
            file.AddRange(data[..take].ToArray());
            if (calls == 1)
            {
                file.AddRange(Encoding.UTF8.GetBytes(Line(3, "other")));
            }

            return take;
        }
    }

    [Theory]
    [InlineData(0, "at the end of the first line")]
    [InlineData(-1, "just before the first line's newline")]
    public void WriteLines_ShortWriteAtALineBoundary_GoesOnWithoutWritingAnythingTwice(int offsetFromFirstLineEnd, string because)
    {
        var ours = Line(1, "first") + Line(2, "second");
        var file = new List<byte>();
        var calls = 0;

        AppendOnlyFile.WriteLines(Encoding.UTF8.GetBytes(ours), Write, "test");

        Encoding.UTF8.GetString([.. file]).Should().Be(ours, because);
        calls.Should().Be(2);

        nint Write(ReadOnlySpan<byte> data, out int errno)
        {
            errno = 0;
            var take = ++calls == 1 ? Line(1, "first").Length + offsetFromFirstLineEnd : data.Length;
            file.AddRange(data[..take].ToArray());
            return take;
        }
    }

    [Fact]
    public void WriteLines_KernelThatTakesOneByteAtATime_StillWritesEverythingAndEndsWithTheWholeLines()
    {
        var ours = Line(1, "first") + Line(2, "second");
        var file = new List<byte>();

        AppendOnlyFile.WriteLines(Encoding.UTF8.GetBytes(ours), Write, "test");

        var text = Encoding.UTF8.GetString([.. file]);
        text.Should().EndWith(ours, "after its rewrites the cut line is finished as it comes, then the next line");
        text.Split('\n').Where(l => l.Length > 0).Should().HaveCount(AppendOnlyFile.MaxRewrites + 2, "one torn byte per rewrite, then the two lines");

        nint Write(ReadOnlySpan<byte> data, out int errno)
        {
            errno = 0;
            file.Add(data[0]);
            return 1;
        }
    }

    [Fact]
    public void WriteLines_WriteThatWritesNothing_ThrowsInsteadOfLooping()
    {
        var act = () => AppendOnlyFile.WriteLines(Encoding.UTF8.GetBytes(Line(1, "first")), (ReadOnlySpan<byte> data, out int errno) =>
        {
            errno = 0;
            return 0;
        }, "test");

        act.Should().Throw<IOException>();
    }
}
