using BenchmarkDotNet.Attributes;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks;

/// <summary>
/// The JSONL reader on one user's day file of a million typical entries (about 530 MB, in the page cache):
/// <c>ReadRecentAsync(user, limit: 200)</c> and <c>GetStatsAsync</c>.
/// </summary>
/// <remarks>The file is written once per benchmark case by the recorder itself, in the global setup.</remarks>
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private const string User = "alice";
    private string _root = null!;
    private JsonlAuditStore _store = null!;

    [Params(1_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"toolaudit-bdn-reader-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var writerStore = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
        var recorder = new AuditRecorder(writerStore);
        ToolAuditContext.Set(EntryGenerator.Engine, EntryGenerator.Model);
        foreach (var entry in EntryGenerator.Generate(Entries, singleUser: User))
        {
            recorder.Record(new ToolCall(entry.User, entry.Tool, entry.Args, entry.Status, entry.Result));
        }

        await recorder.DisposeAsync();
        writerStore.Dispose();
        _store = new JsonlAuditStore(new JsonlAuditOptions { Root = _root });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    public async Task<int> ReadRecent200() => (await _store.ReadRecentAsync(User, limit: 200)).Count;

    [Benchmark]
    public async Task<long> GetStats() => (await _store.GetStatsAsync(new AuditQuery())).Total;
}
