using System.Globalization;
using System.Text;
using ToolAudit.Redaction;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

public sealed class TextTruncationTests
{
    /// <summary>
    /// Every hard case in one string: a letter with a combining accent, a ZWJ emoji sequence, a flag (two regional
    /// indicators), CJK, an emoji with a skin-tone modifier, a ZWJ flag with a variation selector, CR LF, precomposed
    /// and conjoining Hangul, and two stacked combining marks.
    /// </summary>
    private const string Mixed = "ae\u0301👩‍💻 🇫🇷漢字👍🏽x🏳️‍🌈\r\nz한국\u1100\u1161e\u0301\u0302!";

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    [Fact]
    public void Prefix_EveryCutPoint_IsTheLongestWholeTextElementPrefixWithinMax()
    {
        for (var max = 0; max <= Mixed.Length + 1; max++)
        {
            var prefix = TextTruncation.Prefix(Mixed, max);

            ShouldBeSafePrefix(prefix, max);
        }
    }

    [Fact]
    public void TruncateArgument_EveryCutPoint_CutsSafelyAndAddsTheTotal()
    {
        var suffix = $" …[{Mixed.Length} chars total]";
        for (var max = 1; max <= Mixed.Length + 1; max++)
        {
            var cut = TextTruncation.TruncateArgument(Mixed, max);

            if (max >= Mixed.Length)
            {
                cut.Should().Be(Mixed, $"nothing is cut at max {max}");
                continue;
            }

            cut.Should().EndWith(suffix, $"max {max}");
            ShouldBeSafePrefix(cut[..^suffix.Length], max);
        }
    }

    [Fact]
    public void Create_ArgumentAndSnippetAtEveryCutPoint_CutsBothSafely()
    {
        var suffix = $" …[{Mixed.Length} chars total]";
        for (var max = 1; max <= Mixed.Length + 1; max++)
        {
            var options = new ToolAuditOptions { ArgMaxChars = max, SnippetMaxChars = max };

            var entry = Prepared.Entry(new Dictionary<string, object?> { ["text"] = Mixed, ["list"] = new[] { Mixed } }, Mixed, options);

            var arg = entry.Args!["text"].GetString()!;
            var nested = entry.Args["list"][0].GetString()!;
            if (max >= Mixed.Length)
            {
                arg.Should().Be(Mixed);
                nested.Should().Be(Mixed);
            }
            else
            {
                arg.Should().EndWith(suffix);
                ShouldBeSafePrefix(arg[..^suffix.Length], max);
                nested.Should().Be(arg, "strings inside lists are cut the same way");
            }

            ShouldBeSafePrefix(entry.ResultSnippet!, max);
            entry.ResultChars.Should().Be(Mixed.Length);
        }
    }

    [Fact]
    public void Create_SnippetMaxCharsZero_KeepsAnEmptySnippetAndTheFullLength()
    {
        var entry = Prepared.Entry(null, "some result", new ToolAuditOptions { SnippetMaxChars = 0 });

        entry.ResultSnippet.Should().BeEmpty();
        entry.ResultChars.Should().Be(11);
    }

    [Fact]
    public async Task Record_LimitsOfIntMaxValue_KeepEverythingWholeOnBothWritePaths()
    {
        // Any positive limit is valid: the window looked at past a cut must not wrap around near int.MaxValue.
        var options = new ToolAuditOptions { ArgMaxChars = int.MaxValue, SnippetMaxChars = int.MaxValue, ErrorMaxChars = int.MaxValue };
        var text = new string('a', 1_000) + " password=hunter2";
        var call = new ToolCall("alice", "tool", new Dictionary<string, object?> { ["text"] = text }, AuditStatus.Error, text) { Error = text };
        var masked = new string('a', 1_000) + " password=[redacted]";

        var entry = Prepared.Entry(call, options);

        entry.Args!["text"].GetString().Should().Be(masked);
        entry.ResultSnippet.Should().Be(masked);
        entry.Error.Should().Be(masked);

        using var folder = new TempFolder();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var recorder = new AuditRecorder(store, options);
        recorder.Record(call);
        await recorder.DisposeAsync();

        recorder.Counters.Written.Should().Be(1);
        var fromFile = (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Subject;
        fromFile.ResultSnippet.Should().Be(masked);
        fromFile.Error.Should().Be(masked);
    }

    [Fact]
    public void Create_DefaultLimits_CutsArgumentsAt500AndSnippetsAt300()
    {
        var text = new string('a', 1_000);

        var entry = Prepared.Entry(new Dictionary<string, object?> { ["text"] = text, ["short"] = "kept" }, text);

        entry.Args!["text"].GetString().Should().Be(new string('a', 500) + " …[1000 chars total]");
        entry.Args["short"].GetString().Should().Be("kept");
        entry.ResultSnippet.Should().Be(new string('a', 300));
        entry.ResultChars.Should().Be(1_000);
    }

    [Fact]
    public void Create_LoneSurrogates_AreReplacedSoTheLineStaysValidUtf8()
    {
        var broken = "ab\uD83Dcd\uDE00";

        var entry = Prepared.Entry(new Dictionary<string, object?> { ["text"] = broken }, broken);

        entry.Args!["text"].GetString().Should().Be("ab\uFFFDcd\uFFFD");
        entry.ResultSnippet.Should().Be("ab\uFFFDcd\uFFFD");
    }

    private static void ShouldBeSafePrefix(string prefix, int max)
    {
        var boundaries = StringInfo.ParseCombiningCharacters(Mixed).Append(Mixed.Length).ToArray();
        var longest = boundaries.Where(b => b <= max).Max();

        Mixed.StartsWith(prefix, StringComparison.Ordinal).Should().BeTrue($"the cut at {max} must be a prefix of the input, got \"{prefix}\"");
        prefix.Length.Should().BeLessThanOrEqualTo(max, $"the cut at {max} must not be longer than the limit");
        prefix.Length.Should().Be(longest, $"the cut at {max} must end on the last text-element boundary within the limit");
        StrictUtf8.Invoking(e => e.GetBytes(prefix)).Should().NotThrow($"the cut at {max} must not leave a lone surrogate");
    }
}
