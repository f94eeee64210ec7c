using ToolAudit.Benchmarks.Peers;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>The contenders of the end-to-end harness, by name.</summary>
internal static class Contenders
{
    public const string ToolAudit = "toolaudit";
    public const string ToolAuditDurable = "toolaudit-durable";
    public const string Serilog = "serilog";
    public const string SerilogBuffered = "serilog-buffered";
    public const string NLog = "nlog";
    public const string Seed = "seed";

    /// <summary>The default end-to-end line-up, in the order of every round.</summary>
    public static IReadOnlyList<string> EndToEndDefault { get; } = [ToolAudit, Serilog, NLog, Seed, ToolAuditDurable];

    /// <summary>The queued writers whose caller cost is measured with a queue that never fills.</summary>
    public static IReadOnlyList<string> CallerDefault { get; } = [ToolAudit, Serilog, NLog];

    public static IReadOnlyList<string> All { get; } = [ToolAudit, ToolAuditDurable, Serilog, SerilogBuffered, NLog, Seed];

    /// <summary>Creates a single-caller contender.</summary>
    /// <param name="name">The contender's name.</param>
    /// <param name="root">Where its files go.</param>
    /// <param name="queueCapacity">The queue capacity; null for each library's default.</param>
    /// <returns>The contender.</returns>
    public static IContender Create(string name, string root, int? queueCapacity) => name switch
    {
        ToolAudit => new ToolAuditContender(root, queueCapacity),
        Serilog => new SerilogContender(root, queueCapacity, buffered: false),
        SerilogBuffered => new SerilogContender(root, queueCapacity, buffered: true),
        NLog => new NLogContender(root, queueCapacity),
        Seed => new SeedContender(root),
        _ => throw new ArgumentException($"Unknown contender '{name}'. Known: {string.Join(", ", All)}.", nameof(name)),
    };

    private sealed class ToolAuditContender : IContender
    {
        private readonly JsonlAuditStore _store;
        private readonly AuditRecorder _recorder;

        public ToolAuditContender(string root, int? queueCapacity)
        {
            _store = new JsonlAuditStore(new JsonlAuditOptions { Root = root });
            var options = new ToolAuditOptions();
            if (queueCapacity is { } capacity)
            {
                options.QueueCapacity = capacity;
            }

            _recorder = new AuditRecorder(_store, options);

            // The host sets engine and model once for its tool loop; entries take them from the context.
            ToolAuditContext.Set(EntryGenerator.Engine, EntryGenerator.Model);
        }

        public void Write(TypicalEntry entry) =>
            _recorder.Record(new ToolCall(entry.User, entry.Tool, entry.Args, entry.Status, entry.Result));

        public async ValueTask DisposeAsync()
        {
            await _recorder.DisposeAsync().ConfigureAwait(false);
            await Disposal.DisposeAsync(_store).ConfigureAwait(false);
        }

        public string? Check(long expected) => ToolAuditCheck(_recorder.Counters, expected);
    }

    private sealed class SerilogContender(string root, int? queueCapacity, bool buffered) : IContender
    {
        private readonly Serilog.Core.Logger _logger = SerilogPipeline.Create(root, queueCapacity ?? SerilogPipeline.DefaultBufferSize, buffered);

        public void Write(TypicalEntry entry) => SerilogPipeline.Write(_logger, entry);

        public ValueTask DisposeAsync()
        {
            _logger.Dispose();
            return ValueTask.CompletedTask;
        }

        public string? Check(long expected) => null;
    }

    private sealed class NLogContender : IContender
    {
        private readonly NLog.LogFactory _factory;
        private readonly NLog.Logger _logger;

        public NLogContender(string root, int? queueCapacity) =>
            (_factory, _logger) = NLogPipeline.Create(root, queueCapacity ?? NLogPipeline.DefaultQueueLimit);

        public void Write(TypicalEntry entry) => NLogPipeline.Write(_logger, entry);

        public ValueTask DisposeAsync()
        {
            NLogPipeline.Close(_factory);
            return ValueTask.CompletedTask;
        }

        public string? Check(long expected) => null;
    }

    private sealed class SeedContender(string root) : IContender
    {
        private readonly SeedAuditLog _log = new(root);

        public void Write(TypicalEntry entry) =>
            _log.Record(entry.User, EntryGenerator.Engine, EntryGenerator.Model, entry.Tool, entry.Args, entry.StatusWord, entry.Result);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public string? Check(long expected) => null;
    }

    /// <summary>What the recorder's own counters say about a run that should have written every entry.</summary>
    public static string? ToolAuditCheck(AuditCounters counters, long expected) =>
        counters.Written == expected && counters.Dropped == 0 && counters.Failed == 0 && counters.Pending == 0
            ? null
            : $"counters: accepted {counters.Accepted}, written {counters.Written}, dropped {counters.Dropped}, failed {counters.Failed}, pending {counters.Pending} (expected {expected} written)";
}
