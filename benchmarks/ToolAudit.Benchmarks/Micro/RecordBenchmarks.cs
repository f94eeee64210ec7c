using BenchmarkDotNet.Attributes;

namespace ToolAudit.Benchmarks;

/// <summary>
/// The caller's cost of <see cref="AuditRecorder.Record"/> when the queue is not full, by argument count and
/// result size.
/// </summary>
/// <remarks>
/// The queue holds more than an iteration's calls and the writer is parked at a <see cref="Gate"/> during the
/// iteration (its cleanup opens the gate and flushes), so the queue never fills, the writer does not compete for the
/// second core, and BenchmarkDotNet's allocation count (which covers every thread) is the caller's alone. An
/// iteration allocates less than one gen0 budget (2.1 MB on the reference machine), and BenchmarkDotNet collects
/// before each iteration, so no collection runs while the parked queue holds the iteration's calls (it would copy
/// them all to gen1, a cost that does not exist when the writer runs and they die young). Batches of
/// one entry make the writer park after preparing two entries, one per stage (with the default 1,024 it would prepare two whole
/// batches during the iteration, adding their allocations to the caller's); the caller's path does not depend on it. The
/// <see cref="ToolCall"/> is built once: this is the cost of <c>Record</c> itself, arguments snapshot included.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(40)]
[InvocationCount(InvocationsPerIteration)]
public class RecordBenchmarks
{
    public const int InvocationsPerIteration = 4096;


    private readonly Gate _gate = new();
    private AuditRecorder _recorder = null!;
    private ToolCall _call = null!;

    public enum ResultSize
    {
        /// <summary>40 characters.</summary>
        Small,

        /// <summary>16,000 characters, with newlines, quotes and tabs.</summary>
        Large,
    }

    [Params(0, 2, 10)]
    public int Args { get; set; }

    [Params(ResultSize.Small, ResultSize.Large)]
    public ResultSize Result { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recorder = new AuditRecorder(new GatedAuditSink(_gate, inner: null), new ToolAuditOptions { QueueCapacity = 4 * InvocationsPerIteration, MaxBatchSize = 1 });
        ToolAuditContext.Set("orchestrator", "claude-sonnet-4-5");
        _call = new ToolCall("alice", "read_file", MakeArgs(Args), AuditStatus.Ok, MakeResult(Result));
    }

    [IterationSetup]
    public void ParkWriter() => _gate.Close();

    [IterationCleanup]
    public void Drain()
    {
        _gate.Open();
        _recorder.FlushAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gate.Open();
        _recorder.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _gate.Dispose();
    }

    [Benchmark]
    public void Record() => _recorder.Record(_call);

    internal static Dictionary<string, object?>? MakeArgs(int count)
    {
        if (count == 0)
        {
            return null;
        }

        var args = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["path"] = "/srv/work/alice/projects/app-17/src/Module042.cs",
            ["seq"] = 42L,
        };
        object?[] more = ["needle", 3, true, 0.25, "utf-8", 4096L, "main", "src/**/*.cs"];
        for (var i = 0; args.Count < count; i++)
        {
            args["extra_" + i] = more[i % more.Length];
        }

        return args;
    }

    internal static string MakeResult(ResultSize size)
    {
        if (size == ResultSize.Small)
        {
            return "read 1,024 bytes from Module042.cs: ok";
        }

        var line = "line \"quoted\"\twith a tab and some text that a tool returned to the agent\n";
        return string.Concat(Enumerable.Repeat(line, (16_000 / line.Length) + 1))[..16_000];
    }
}
