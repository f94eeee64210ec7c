using BenchmarkDotNet.Attributes;
using Serilog.Sinks.Async;
using ToolAudit.Benchmarks.Peers;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks;

/// <summary>
/// What one typical tool call costs the caller with each library, as a host would write it: ToolAudit
/// (<c>new ToolCall</c> + <c>Record</c>), Serilog (<c>Information</c> with the template, Async blockWhenFull + File +
/// CompactJsonFormatter) and NLog (<c>Info</c> with the template, AsyncTargetWrapper Block + FileTarget + JsonLayout).
/// </summary>
/// <remarks>
/// Each library's queue holds more than an iteration's calls, and each writer is parked at a <see cref="Gate"/> in
/// front of its real file sink during the iteration (the cleanup opens it and drains into the files), so none of the
/// queues fills, no writer competes for the second core, and the allocated bytes are the caller's. An iteration is
/// 512 calls, so that even NLog's (about 4 KB each) stay within one gen0 budget (2.1 MB on the reference machine):
/// BenchmarkDotNet collects before each iteration, and no collection runs while the parked queues hold the
/// iteration's calls (it would copy them all to gen1, a cost that does not exist when the writers run, and one that
/// would grow with each library's bytes per call). So the time column is the calls' own work and the Allocated
/// column their garbage; the harness's caller table has the cost with collections. ToolAudit's writer takes batches
/// of one here, so that it parks after preparing two entries (one per stage) rather than 2,048. The peers cut the
/// snippet on the caller (they have no writer-side hook for it); ToolAudit does it on its writer.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(50)]
[InvocationCount(InvocationsPerIteration)]
public class CallerCostBenchmarks : IAsyncLogEventSinkMonitor
{
    public const int InvocationsPerIteration = 512;
    private const int QueueCapacity = 4 * InvocationsPerIteration;

    private readonly Gate _gate = new();
    private string _root = null!;
    private TypicalEntry _entry = null!;
    private JsonlAuditStore? _store;
    private AuditRecorder? _recorder;
    private Serilog.Core.Logger? _serilog;
    private IAsyncLogEventSinkInspector? _serilogQueue;
    private NLog.LogFactory? _nlogFactory;
    private NLog.Logger? _nlog;

    private void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"toolaudit-bdn-caller-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _entry = EntryGenerator.Generate(1)[0];
    }

    [GlobalSetup(Target = nameof(ToolAudit))]
    public void SetupToolAudit()
    {
        Setup();
        _store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        _recorder = new AuditRecorder(new GatedAuditSink(_gate, _store), new ToolAuditOptions { QueueCapacity = QueueCapacity, MaxBatchSize = 1 });
        ToolAuditContext.Set(EntryGenerator.Engine, EntryGenerator.Model);
    }

    [GlobalSetup(Target = nameof(Serilog))]
    public void SetupSerilog()
    {
        Setup();
        _serilog = SerilogPipeline.Create(_root, QueueCapacity, decorate: files => new GatedSerilogSink(_gate, files), monitor: this);
    }

    [GlobalSetup(Target = nameof(NLog))]
    public void SetupNLog()
    {
        Setup();
        (_nlogFactory, _nlog) = NLogPipeline.Create(_root, QueueCapacity, decorate: file => new GatedTargetWrapper(_gate, file));
    }

    [IterationSetup]
    public void ParkWriters() => _gate.Close();

    [IterationCleanup]
    public void Drain()
    {
        _gate.Open();
        _recorder?.FlushAsync().AsTask().GetAwaiter().GetResult();
        _nlogFactory?.Flush(TimeSpan.FromMinutes(5));
        if (_serilogQueue is not null)
        {
            // Serilog's async wrapper has no flush: wait until its queue is empty and its worker has left the sink.
            SpinWait.SpinUntil(() => _serilogQueue.Count == 0 && _gate.IsIdle, TimeSpan.FromMinutes(5));
        }

        // Each iteration writes about 80 MB; start the next one with empty folders.
        DeleteFiles();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gate.Open();
        _recorder?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store?.Dispose();
        _serilog?.Dispose();
        if (_nlogFactory is not null)
        {
            NLogPipeline.Close(_nlogFactory);
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public void ToolAudit() => _recorder!.Record(new ToolCall(_entry.User, _entry.Tool, _entry.Args, _entry.Status, _entry.Result));

    [Benchmark]
    public void Serilog() => SerilogPipeline.Write(_serilog!, _entry);

    [Benchmark]
    public void NLog() => NLogPipeline.Write(_nlog!, _entry);

    void IAsyncLogEventSinkMonitor.StartMonitoring(IAsyncLogEventSinkInspector inspector) => _serilogQueue = inspector;

    void IAsyncLogEventSinkMonitor.StopMonitoring(IAsyncLogEventSinkInspector inspector) => _serilogQueue = null;

    private void DeleteFiles()
    {
        if (!Directory.Exists(_root))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_root, "*.jsonl", SearchOption.AllDirectories))
        {
            // Open files keep their handles; truncating keeps the writers valid where deleting would not on every OS.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.SetLength(0);
        }
    }
}
