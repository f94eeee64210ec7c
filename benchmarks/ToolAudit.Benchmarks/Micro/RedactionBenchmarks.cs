using System.Text;
using BenchmarkDotNet.Attributes;
using ToolAudit.Benchmarks.Workload;
using ToolAudit.Redaction;

namespace ToolAudit.Benchmarks;

/// <summary>
/// The secret scans the writer runs over each result's snippet window (the snippet and 256 chars past its cut): the
/// shape scan (<c>SecretScanner</c>: bearer tokens, key prefixes, JWTs, PEM) and the name scan
/// (<c>AssignedSecretMasker</c>: values of secret-named keys, URL passwords), on the harness's typical prose result
/// and on a JSON result (an array of records, a key and a colon every few chars: the name scan's worst usual case).
/// </summary>
public class RedactionBenchmarks
{
    private const int Window = ToolAuditOptions.DefaultSnippetMaxChars + 256;

    private AssignedSecretMasker _masker = null!;
    private string _prose = null!;
    private string _json = null!;
    private string _dense = null!;

    [GlobalSetup]
    public void Setup()
    {
        _masker = new AssignedSecretMasker(new ArgumentKeyRedactor(ToolAuditOptions.DefaultRedactedKeys));
        var result = EntryGenerator.Generate(8)[3].Result;
        _prose = result.Length > Window ? result[..Window] : result;
        var json = new StringBuilder("[");
        for (var i = 0; json.Length < Window; i++)
        {
            json.Append("{\"id\": ").Append(i).Append(", \"name\": \"item ").Append(i)
                .Append("\", \"status\": \"active\", \"owner\": \"bob\", \"updated_at\": \"2026-12-02T10:00:00Z\"},");
        }

        _json = json.ToString(0, Window);
        _dense = string.Concat(Enumerable.Repeat("password=a;", 10_000));
    }

    /// <summary>The shape scan of the typical snippet window.</summary>
    [Benchmark(Baseline = true)]
    public bool Shapes_Prose() => SecretScanner.ContainsSecret(_prose);

    /// <summary>The name scan of the typical snippet window.</summary>
    [Benchmark]
    public bool Names_Prose() => _masker.ContainsSecret(_prose);

    /// <summary>The shape scan of a JSON snippet window.</summary>
    [Benchmark]
    public bool Shapes_Json() => SecretScanner.ContainsSecret(_json);

    /// <summary>The name scan of a JSON snippet window.</summary>
    [Benchmark]
    public bool Names_Json() => _masker.ContainsSecret(_json);

    /// <summary>
    /// Masking 10,000 secrets in a row (110,000 chars, as an argument could hold with raised limits): linear, not
    /// quadratic, in the text's length (each masked value once made the next search start over across the run).
    /// </summary>
    [Benchmark]
    public int Names_DenseSecrets() => _masker.Mask(_dense).Length;
}
