using System.Diagnostics;
using System.Globalization;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>
/// The child side of the harness (<c>e2e-one &lt;contender&gt; &lt;N&gt; &lt;dir&gt; [--queue-capacity Q]</c>): writes
/// N generated entries with one contender and prints a <see cref="ChildResult"/>.
/// </summary>
/// <remarks>
/// Each contender runs in a process of its own, so no JIT state, thread pool, GC heap or file cache of one library
/// colours another's numbers. Before the measured run, separate instances write 20,000 entries twice into a scratch
/// folder (deleted), with pauses, so that what is measured is the steady state of a long-running host, not the JIT's
/// first tiers.
/// </remarks>
internal static class WriterRun
{
    /// <summary>How many concurrent callers the durable contender uses.</summary>
    public const int DurableCallers = 64;

    /// <summary>In a burst, one call in this many is timed (see <c>RunSingleCallerAsync</c>).</summary>
    public const int BurstTimedEvery = 8;

    // Tiered compilation counts calls only after a quiet delay (100 ms) and compiles hot methods in the background,
    // through more than one tier (instrumented, then optimized with the profile). Measured with the JIT's own
    // thread time: after two passes it still spent 300-500 ms compiling during a one-million-entry run, and the
    // libraries ran partly in unoptimized code; after six, about 150-250 ms, and the results settled.
    public const int DefaultWarmupPasses = 6;

    /// <summary>How much garbage <c>WarmHeap</c> makes before the measured run: a few gen0 budgets (about 20 MB here).</summary>
    private const int HeapWarmUpBytes = 64 * 1024 * 1024;

    /// <summary>The size of each object <c>WarmHeap</c> allocates, header included: a typical small object.</summary>
    private const int WarmUpObjectBytes = 128;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: e2e-one <contender> <N> <dir> [--queue-capacity Q] [--pause-ms P] [--rate R] [--warmup-passes W]");
            return 2;
        }

        var contender = args[0];
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var dir = args[2];
        int? queueCapacity = null;
        var pauseMs = 0;
        var rate = 0;
        var warmupPasses = DefaultWarmupPasses;
        for (var i = 3; i < args.Length - 1; i++)
        {
            if (args[i] == "--queue-capacity")
            {
                queueCapacity = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--pause-ms")
            {
                pauseMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--rate")
            {
                rate = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--warmup-passes")
            {
                warmupPasses = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        var entries = EntryGenerator.Generate(count);
        var warmupCount = Math.Min(count, 20_000);
        var warmupDir = dir + ".warmup";

        ChildResult result;
        if (contender == Contenders.ToolAuditDurable)
        {
            for (var pass = 0; pass < warmupPasses; pass++)
            {
                await RunDurableAsync(entries.AsMemory(0, warmupCount), warmupDir).ConfigureAwait(false);
                Directory.Delete(warmupDir, recursive: true);
                Settle();
            }

            WarmHeap();
            var gc = GcReading.Take();
            result = gc.Apply(await RunDurableAsync(entries, dir).ConfigureAwait(false));
        }
        else
        {
            for (var pass = 0; pass < warmupPasses; pass++)
            {
                await RunSingleCallerAsync(contender, entries.AsMemory(0, warmupCount), warmupDir, queueCapacity, pauseMs: 0, rate: 0).ConfigureAwait(false);
                Directory.Delete(warmupDir, recursive: true);
                Settle();
            }

            WarmHeap();
            var gc = GcReading.Take();
            var threadsBefore = ThreadTimes.Read();
            using var stopSampling = new CancellationTokenSource();
            var sampling = Environment.GetEnvironmentVariable("TOOLAUDIT_BENCH_THREADS") == "1" ? ThreadTimes.SampleAsync(stopSampling.Token) : null;
            result = gc.Apply(await RunSingleCallerAsync(contender, entries, dir, queueCapacity, pauseMs, rate).ConfigureAwait(false));
            if (sampling is not null)
            {
                await stopSampling.CancelAsync().ConfigureAwait(false);
                Console.Error.WriteLine("threads: " + ThreadTimes.Difference(threadsBefore, await sampling.ConfigureAwait(false)));
            }
        }

        Console.WriteLine(result.ToLine());
        return 0;
    }

    /// <summary>One caller thread writes every entry, timing each call; then the contender drains and closes.</summary>
    /// <param name="pauseMs">
    /// When above zero, the caller sleeps this long after each call (not timed), so every call finds the writer idle,
    /// as the sparse calls of a real agent do: the cost of waking the writer is then part of each call.
    /// </param>
    /// <param name="rate">
    /// When above zero, calls per second: the caller spins (not timed) until each call's turn, so calls come at a steady
    /// rate the writers keep up with and the queue stays short, the "not saturated" regime of a busy host.
    /// </param>
    private static async Task<ChildResult> RunSingleCallerAsync(string name, ReadOnlyMemory<TypicalEntry> entries, string dir, int? queueCapacity, int pauseMs, int rate)
    {
        var interval = rate > 0 ? Stopwatch.Frequency / rate : 0;
        var count = entries.Length;

        // A burst times one call in BurstTimedEvery: reading the clock twice per call (about 60 ns here, the same for every
        // contender) would otherwise be a visible part of the burst for the fastest. Paced and sparse calls are all timed.
        var timedEvery = interval > 0 || pauseMs > 0 ? 1 : BurstTimedEvery;
        var durations = new long[(count + timedEvery - 1) / timedEvery];
        var overhead = CallTimer.Overhead();
        var contender = Contenders.Create(name, dir, queueCapacity);

        // Everything between the two allocation readings runs on this thread, without an await.
        var span = entries.Span;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        var touched = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (interval > 0)
            {
                // Paced calls: the call's data was just made, as a host builds a call's arguments from the model's
                // reply right before it; untouched for a while, they would come from memory, a cost of the
                // benchmark's pre-built million entries, not of the writer (every contender reads the same data).
                touched += Touch(span[i]);
            }

            if (i % timedEvery != 0)
            {
                contender.Write(span[i]);
                continue;
            }

            var callStart = Stopwatch.GetTimestamp();
            contender.Write(span[i]);
            durations[i / timedEvery] = Stopwatch.GetTimestamp() - callStart;
            if (pauseMs > 0)
            {
                Thread.Sleep(pauseMs);
            }

            if (interval > 0)
            {
                var due = start + ((i + 1) * interval);
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.SpinWait(16);
                }
            }
        }

        var callsEnd = Stopwatch.GetTimestamp();
        GC.KeepAlive(touched);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        await contender.DisposeAsync().ConfigureAwait(false);
        var end = Stopwatch.GetTimestamp();

        if (Environment.GetEnvironmentVariable("TOOLAUDIT_BENCH_DUMP") is { Length: > 0 } dump)
        {
            File.WriteAllLines(dump, durations.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        }

        return Summarize(name, count, start, callsEnd, end, durations, overhead, (double)allocated / count, contender.Check(count));
    }

    /// <summary>
    /// 64 concurrent callers, each awaiting <c>RecordDurableAsync</c> (entry written and flushed to the OS) before its
    /// next call; the recorder's batching lets callers waiting at the same time share one write.
    /// </summary>
    private static async Task<ChildResult> RunDurableAsync(ReadOnlyMemory<TypicalEntry> entries, string dir)
    {
        var count = entries.Length;
        var durations = new long[count];
        var overhead = CallTimer.Overhead();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = dir });
        var recorder = new AuditRecorder(store);
        ToolAuditContext.Set(EntryGenerator.Engine, EntryGenerator.Model);

        var next = -1;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        var callers = new Task[DurableCallers];
        for (var c = 0; c < callers.Length; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                while (true)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= count)
                    {
                        return;
                    }

                    var entry = entries.Span[i];
                    var callStart = Stopwatch.GetTimestamp();
                    await recorder.RecordDurableAsync(new ToolCall(entry.User, entry.Tool, entry.Args, entry.Status, entry.Result)).ConfigureAwait(false);
                    durations[i] = Stopwatch.GetTimestamp() - callStart;
                }
            });
        }

        await Task.WhenAll(callers).ConfigureAwait(false);
        var callsEnd = Stopwatch.GetTimestamp();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        await recorder.DisposeAsync().ConfigureAwait(false);
        await Disposal.DisposeAsync(store).ConfigureAwait(false);
        var end = Stopwatch.GetTimestamp();

        return Summarize(Contenders.ToolAuditDurable, count, start, callsEnd, end, durations, overhead, (double)allocated / count, Contenders.ToolAuditCheck(recorder.Counters, count));
    }

    private static ChildResult Summarize(string name, int count, long start, long callsEnd, long end, long[] durations, double overheadNs, double bytesPerCall, string? problem)
    {
        Array.Sort(durations);
        double Net(long ticks) => Math.Max(0, CallTimer.ToNanoseconds(ticks) - overheadNs);
        double sum = 0;
        foreach (var ticks in durations)
        {
            sum += CallTimer.ToNanoseconds(ticks);
        }

        return new ChildResult
        {
            Contender = name,
            Entries = count,
            WallSeconds = CallTimer.ToNanoseconds(end - start) / 1e9,
            CallsSeconds = CallTimer.ToNanoseconds(callsEnd - start) / 1e9,
            CallerMeanNs = Math.Max(0, (sum / durations.Length) - overheadNs),
            CallerP50Ns = Net(Stats.Percentile(durations, 0.50)),
            CallerP99Ns = Net(Stats.Percentile(durations, 0.99)),
            CallerP999Ns = Net(Stats.Percentile(durations, 0.999)),
            CallerMaxNs = Net(durations[^1]),
            CallerBytesPerCall = bytesPerCall,
            TimerOverheadNs = overheadNs,
            Problem = problem,
        };
    }

    /// <summary>Reads what a contender reads of the entry, so that it is in the cache.</summary>
    private static int Touch(TypicalEntry entry)
    {
        var sum = entry.Result.Length + entry.User.Length + entry.Tool.Length;
        foreach (var pair in entry.Args)
        {
            sum += pair.Key.Length + (pair.Value is long value ? (int)value : 0);
        }

        return sum;
    }

    /// <summary>
    /// Allocates and drops <see cref="HeapWarmUpBytes"/> in small objects, so the measured run starts on a heap in its
    /// steady state, as in a host that has been running: gen0's memory committed and touched, as it is after a few
    /// collections. After <see cref="Settle"/>'s full collections the first tens of megabytes would otherwise be pages
    /// the process touches for the first time, a page fault every 4 KB. That cost falls on whoever allocates them,
    /// and it hits the contender that allocates least hardest: a caller allocating 120 B per call at 50,000 calls/s
    /// (and nothing else) measured 146-201 ns mean and 30-46 us p99.9 without this, 39-45 ns and 3.0 us with it.
    /// </summary>
    private static void WarmHeap()
    {
        object? last = null;
        for (var i = 0; i < HeapWarmUpBytes / WarmUpObjectBytes; i++)
        {
            last = new byte[WarmUpObjectBytes - 24];
        }

        GC.KeepAlive(last);
    }

    /// <summary>Leaves the warm-up's garbage and background work behind before the measured run starts.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(300);
    }
}
