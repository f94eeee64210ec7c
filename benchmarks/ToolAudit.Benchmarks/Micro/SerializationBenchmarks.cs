using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ToolAudit.Benchmarks.Workload;
using ToolAudit.Recording;
using ToolAudit.Serialization;

namespace ToolAudit.Benchmarks;

/// <summary>
/// The writer's per-entry CPU work, outside the file system: serializing one typical entry with ToolAudit's line
/// writer (<c>AuditJsonWriter.WriteEntry</c>, the one place the JSONL format is written), the same line through a
/// plain <see cref="Utf8JsonWriter"/> for reference, preparing the entry (id, snippet, argument cuts and
/// redaction) with the recorder's entry factory, and the JSONL store's path that does both without the entry.
/// </summary>
/// <remarks>
/// The typical entry is the harness's (about 528 bytes as a line, a snippet with newlines, quotes and tabs). The
/// nothing-to-escape variant has the same snippet with those characters replaced, which shows what escaping costs.
/// </remarks>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private static readonly JsonWriterOptions ReferenceOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly AuditJsonWriter _line = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter _reference = null!;
    private AuditEntry _typical = null!;
    private AuditEntry _plain = null!;
    private AuditEntryFactory _factory = null!;
    private CapturedCall _captured = null!;
    private CapturedCall[] _rotating = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _reference = new Utf8JsonWriter(_buffer, ReferenceOptions);
        _factory = new AuditEntryFactory(new ToolAuditOptions());
        var entry = EntryGenerator.Generate(8)[3];
        _captured = Capture(entry.Result, entry);
        _rotating = [.. EntryGenerator.Generate(RotatingCount).Select(generated => Capture(generated.Result, generated))];
        _typical = _factory.Create(Capture(entry.Result, entry));
        var plain = entry.Result.Replace('\n', ' ').Replace('\t', ' ').Replace('"', '\'');
        _plain = _factory.Create(Capture(plain, entry));
    }

    [GlobalCleanup]
    public void Cleanup() => _reference.Dispose();

    /// <summary>The same line through <see cref="Utf8JsonWriter"/> with pre-encoded names: the reference point.</summary>
    [Benchmark(Baseline = true)]
    public int Utf8JsonWriter_Typical()
    {
        _buffer.ResetWrittenCount();
        _reference.Reset(_buffer);
        ReferenceWrite(_reference, _typical);
        _reference.Flush();
        _buffer.Write("\n"u8);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteEntry_Typical()
    {
        _line.Clear();
        _line.WriteLine(_typical);
        return _line.WrittenCount;
    }

    [Benchmark]
    public int WriteEntry_NothingToEscape()
    {
        _line.Clear();
        _line.WriteLine(_plain);
        return _line.WrittenCount;
    }

    /// <summary>
    /// The JSONL store's path: the captured call prepared and written straight into the line (id, snippet, argument
    /// cuts and redaction included), no entry made; the whole of the writer's CPU work for one entry.
    /// </summary>
    [Benchmark]
    public int WriteCapturedCall_Typical()
    {
        _line.Clear();
        _line.WriteLine(_captured, _factory.NextIdSequence(_captured.Timestamp), _factory);
        return _line.WrittenCount;
    }

    /// <summary>
    /// <see cref="WriteCapturedCall_Typical"/> over the harness's varied entries, a different one each time: the same
    /// work, but where each snippet's quotes, tabs and newlines fall changes from call to call, as in the end-to-end
    /// run (one entry written again and again lets the branch predictor learn where they fall).
    /// </summary>
    [Benchmark]
    public int WriteCapturedCall_Varied()
    {
        var captured = _rotating[_next++ & (RotatingCount - 1)];
        _line.Clear();
        _line.WriteLine(captured, _factory.NextIdSequence(captured.Timestamp), _factory);
        return _line.WrittenCount;
    }

    /// <summary>The varied entries' snippets alone, written as JSON strings: the escaping part of <see cref="WriteCapturedCall_Varied"/>.</summary>
    [Benchmark]
    public int WriteSnippet_Varied()
    {
        var result = _rotating[_next++ & (RotatingCount - 1)].Call.Result!;
        _line.Clear();
        _line.WriteString(result.AsSpan(0, Math.Min(result.Length, EntryGenerator.SnippetChars)));
        return _line.WrittenCount;
    }

    /// <summary>Id, snippet, cut and redacted arguments: what the writer does per entry before serializing.</summary>
    [Benchmark]
    public AuditEntry PrepareEntry_Typical() => _factory.Create(_captured);

    /// <summary>The secret scan of a typical result's snippet window, part of <see cref="PrepareEntry_Typical"/>.</summary>
    [Benchmark]
    public string SecretScan_TypicalResult() => ToolAudit.Redaction.SecretScanner.Mask(_captured.Call.Result!);

    // As many different entries as the harness has results (a power of two).
    private const int RotatingCount = 512;

    private static CapturedCall Capture(string result, TypicalEntry entry) => new()
    {
        Call = new ToolCall(entry.User, entry.Tool, entry.Args, entry.Status, result),
        UtcTicks = DateTimeOffset.UtcNow.UtcTicks,
        Args = ArgumentCapture.Capture(entry.Args, out _),
        Context = new AuditContext(EntryGenerator.Engine, EntryGenerator.Model, null, null, null),
    };

    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText User = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText Engine = JsonEncodedText.Encode("engine");
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Tool = JsonEncodedText.Encode("tool");
    private static readonly JsonEncodedText Args = JsonEncodedText.Encode("args");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText ResultChars = JsonEncodedText.Encode("result_chars");
    private static readonly JsonEncodedText ResultSnippet = JsonEncodedText.Encode("result_snippet");

    private static void ReferenceWrite(Utf8JsonWriter writer, AuditEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString(Id, entry.Id);
        Span<byte> ts = stackalloc byte[32];
        entry.Timestamp.UtcDateTime.TryFormat(ts, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'+00:00'", CultureInfo.InvariantCulture);
        writer.WriteString(Ts, ts[..written]);
        writer.WriteString(User, entry.User);
        writer.WriteString(Engine, entry.Engine);
        writer.WriteString(Model, entry.Model);
        writer.WriteString(Tool, entry.Tool);
        writer.WritePropertyName(Args);
        writer.WriteStartObject();
        foreach (var (key, value) in ((RecordedArguments)entry.Args!).RawValues)
        {
            writer.WritePropertyName(key);
            switch (value)
            {
                case string text: writer.WriteStringValue(text); break;
                case long number: writer.WriteNumberValue(number); break;
                default: writer.WriteNullValue(); break;
            }
        }

        writer.WriteEndObject();
        writer.WriteString(Status, "ok");
        writer.WriteNumber(ResultChars, entry.ResultChars);
        writer.WriteString(ResultSnippet, entry.ResultSnippet);
        writer.WriteEndObject();
    }
}
