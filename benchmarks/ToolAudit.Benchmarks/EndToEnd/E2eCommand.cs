using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end harness (<c>e2e [--short]</c>): every contender writes the same generated entries in a child
/// process of its own, in interleaved rounds (A B C D, A B C D, ...); every output is verified line by line; medians
/// are printed with the ratios ToolAudit/peer. Then the caller-cost runs (calls at a steady rate every writer keeps
/// up with, so the queue is never full) and the reading benchmark.
/// </summary>
internal static class E2eCommand
{
    private const int SparsePauseMs = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = E2eOptions.Parse(args);
        var clock = Stopwatch.StartNew();
        System.IO.Directory.CreateDirectory(options.Directory);
        Console.WriteLine($"ToolAudit end-to-end harness{(options.Short ? " (short)" : string.Empty)}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; commit: {await CommitAsync().ConfigureAwait(false)}; load average at start: {LoadAverage()}");
        Console.WriteLine($"outputs under {options.Directory} (deleted after verification)");
        Console.WriteLine();

        var failed = false;
        var e2e = new Dictionary<string, List<ChildResult>>();
        var caller = new Dictionary<string, List<ChildResult>>();
        var sparse = new Dictionary<string, List<ChildResult>>();
        double? meanLineBytes = null;
        try
        {
            Console.WriteLine($"End to end: {options.Entries:N0} entries per run, {options.Rounds} rounds of {string.Join(" ", options.Contenders)}");
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var contender in options.Contenders)
                {
                    var (result, report) = await RunChildAsync(options, "e2e", contender, round, options.Entries, queueCapacity: null).ConfigureAwait(false);
                    failed |= result is null || result.Problem is not null || !report.Ok;
                    if (result is not null)
                    {
                        Add(e2e, contender, result);
                        if (contender == Contenders.ToolAudit && report.Lines > 0)
                        {
                            meanLineBytes ??= (double)report.Bytes / report.Lines;
                        }
                    }
                }
            }

            if (options.RunCaller)
            {
                Console.WriteLine();
                Console.WriteLine($"Caller cost, queue not full: {options.CallerEntries:N0} calls per run at {options.CallerRate:N0} calls/s, {options.Rounds} rounds of {string.Join(" ", options.CallerContenders)}");
                for (var round = 1; round <= options.Rounds; round++)
                {
                    foreach (var contender in options.CallerContenders)
                    {
                        var (result, report) = await RunChildAsync(options, "caller", contender, round, options.CallerEntries, queueCapacity: null, rate: options.CallerRate).ConfigureAwait(false);
                        failed |= result is null || result.Problem is not null || !report.Ok;
                        if (result is not null)
                        {
                            Add(caller, contender, result);
                        }
                    }
                }
            }

            if (options.SparseEntries > 0)
            {
                Console.WriteLine();
                Console.WriteLine($"Sparse calls (writer idle at every call): {options.SparseEntries:N0} calls per run, 2 ms apart, {options.Rounds} rounds of {string.Join(" ", options.CallerContenders)}");
                for (var round = 1; round <= options.Rounds; round++)
                {
                    foreach (var contender in options.CallerContenders)
                    {
                        var (result, report) = await RunChildAsync(options, "sparse", contender, round, options.SparseEntries, queueCapacity: null, pauseMs: SparsePauseMs).ConfigureAwait(false);
                        failed |= result is null || result.Problem is not null || !report.Ok;
                        if (result is not null)
                        {
                            Add(sparse, contender, result);
                        }
                    }
                }
            }

            ReadResult? read = null;
            if (options.RunRead)
            {
                Console.WriteLine();
                Console.WriteLine($"Reading: one user's day file of {options.ReadEntries:N0} entries");
                var dir = Path.Combine(options.Directory, "read");
                var (exit, output, error) = await ChildProcess.RunAsync("e2e-read", options.ReadEntries.ToString(CultureInfo.InvariantCulture), dir, "--repeat", options.ReadRepeat.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                read = exit == 0 ? ReadResult.FromOutput(output) : null;
                if (read is null)
                {
                    failed = true;
                    Console.WriteLine($"  reading child failed (exit {exit}): {Tail(error)}");
                }
                else if (read.Problem is not null)
                {
                    failed = true;
                    Console.WriteLine($"  reading check FAILED: {read.Problem}");
                }

                DeleteQuietly(dir);
            }

            Console.WriteLine();
            Console.WriteLine(Report(options, e2e, caller, sparse, read, meanLineBytes));
            Console.WriteLine($"harness took {clock.Elapsed.TotalSeconds:F0} s; load average at end: {LoadAverage()}; {(failed ? "SOME RUNS FAILED (see above)" : "every output verified")}");
            return failed ? 1 : 0;
        }
        finally
        {
            DeleteQuietly(options.Directory);
        }
    }

    private static async Task<(ChildResult? Result, OutputVerifier.Report Report)> RunChildAsync(E2eOptions options, string phase, string contender, int round, int entries, int? queueCapacity, int pauseMs = 0, int rate = 0)
    {
        var dir = Path.Combine(options.Directory, $"{phase}-{contender}-{round}");
        var args = new List<string> { "e2e-one", contender, entries.ToString(CultureInfo.InvariantCulture), dir, "--warmup-passes", options.WarmupPasses.ToString(CultureInfo.InvariantCulture) };
        if (queueCapacity is { } capacity)
        {
            args.Add("--queue-capacity");
            args.Add(capacity.ToString(CultureInfo.InvariantCulture));
        }

        if (pauseMs > 0)
        {
            args.Add("--pause-ms");
            args.Add(pauseMs.ToString(CultureInfo.InvariantCulture));
        }

        if (rate > 0)
        {
            args.Add("--rate");
            args.Add(rate.ToString(CultureInfo.InvariantCulture));
        }

        var (exit, output, error) = await ChildProcess.RunAsync([.. args]).ConfigureAwait(false);
        var result = exit == 0 ? ChildResult.FromOutput(output) : null;
        var report = OutputVerifier.Verify(dir, entries);
        DeleteQuietly(dir);

        var line = new StringBuilder($"  round {round} {contender,-18}");
        if (result is null)
        {
            line.Append(CultureInfo.InvariantCulture, $" child failed (exit {exit}): {Tail(error)}");
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $" {result.EntriesPerSecond,12:N0} entries/s  caller {result.CallerMeanNs,8:N0} ns {result.CallerBytesPerCall,7:N0} B");
            if (result.Problem is not null)
            {
                line.Append(CultureInfo.InvariantCulture, $"  WRITER REPORTED: {result.Problem}");
            }
        }

        line.Append("  verify ").Append(report);
        Console.WriteLine(line);
        return (result, report);
    }

    private static string Report(
        E2eOptions options,
        Dictionary<string, List<ChildResult>> e2e,
        Dictionary<string, List<ChildResult>> caller,
        Dictionary<string, List<ChildResult>> sparse,
        ReadResult? read,
        double? meanLineBytes)
    {
        var text = new StringBuilder();
        if (e2e.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## End to end: {options.Entries:N0} typical entries{(meanLineBytes is { } b ? $" (ToolAudit lines average {b:N0} bytes)" : string.Empty)}, 8 users, lossless modes, median of {options.Rounds} interleaved rounds");
            text.AppendLine();
            text.AppendLine("| contender | entries/s | wall s | caller ns/call (mean) | caller p50 ns | caller p99.9 ns | caller B/call | process B/entry | GCs (gen1) | GC pauses ms |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, runs) in e2e)
            {
                var mark = name == Contenders.ToolAuditDurable ? " *" : string.Empty;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name}{mark} | {M(runs, r => r.EntriesPerSecond):N0} | {M(runs, r => r.WallSeconds):F2} | {M(runs, r => r.CallerMeanNs):N0} | {M(runs, r => r.CallerP50Ns):N0} | {M(runs, r => r.CallerP999Ns):N0} | {M(runs, r => r.CallerBytesPerCall):N0} | {M(runs, r => r.ProcessBytesPerEntry):N0} | {M(runs, r => r.Gen0Collections):N0} ({M(runs, r => r.Gen1Collections):N0}) | {M(runs, r => r.GcPauseMs):N0} |");
            }

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Caller columns: time inside a call on the one calling thread (waits for room in a full queue included; one call in {WriterRun.BurstTimedEvery} timed), timer cost subtracted; bytes allocated on that thread per call. Process and GC columns: all threads during the measured run.");
            if (e2e.ContainsKey(Contenders.ToolAuditDurable))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"* toolaudit-durable: {WriterRun.DurableCallers} concurrent callers awaiting RecordDurableAsync; caller columns are the round trip of one call; bytes are all threads' allocations per entry.");
            }

            if (e2e.TryGetValue(Contenders.ToolAudit, out var toolAudit))
            {
                text.AppendLine();
                text.AppendLine("| ToolAudit / peer | throughput | caller time (peer ÷ ToolAudit) | caller bytes (peer ÷ ToolAudit) |");
                text.AppendLine("|---|---:|---:|---:|");
                foreach (var (name, runs) in e2e)
                {
                    if (name is Contenders.ToolAudit or Contenders.ToolAuditDurable)
                    {
                        continue;
                    }

                    text.AppendLine(CultureInfo.InvariantCulture, $"| vs {name} | {Ratio(M(toolAudit, r => r.EntriesPerSecond), M(runs, r => r.EntriesPerSecond))} | {Ratio(M(runs, r => r.CallerMeanNs), M(toolAudit, r => r.CallerMeanNs))} | {Ratio(M(runs, r => r.CallerBytesPerCall), M(toolAudit, r => r.CallerBytesPerCall))} |");
                }
            }

            text.AppendLine();
        }

        if (caller.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## Caller cost, queue not full: {options.CallerEntries:N0} calls per run at a steady {options.CallerRate:N0} calls/s (each library's default queue; every writer keeps up), median of {options.Rounds} rounds");
            text.AppendLine();
            text.AppendLine("| contender | mean ns | p50 ns | p99 ns | p99.9 ns | B/call |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, runs) in caller)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {M(runs, r => r.CallerMeanNs):N0} | {M(runs, r => r.CallerP50Ns):N0} | {M(runs, r => r.CallerP99Ns):N0} | {M(runs, r => r.CallerP999Ns):N0} | {M(runs, r => r.CallerBytesPerCall):N0} |");
            }

            if (caller.TryGetValue(Contenders.ToolAudit, out var toolAudit))
            {
                text.AppendLine();
                text.AppendLine("| peer ÷ ToolAudit | mean time | p50 time | bytes |");
                text.AppendLine("|---|---:|---:|---:|");
                foreach (var (name, runs) in caller)
                {
                    if (name == Contenders.ToolAudit)
                    {
                        continue;
                    }

                    text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ratio(M(runs, r => r.CallerMeanNs), M(toolAudit, r => r.CallerMeanNs))} | {Ratio(M(runs, r => r.CallerP50Ns), M(toolAudit, r => r.CallerP50Ns))} | {Ratio(M(runs, r => r.CallerBytesPerCall), M(toolAudit, r => r.CallerBytesPerCall))} |");
                }
            }

            text.AppendLine();
        }

        if (sparse.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## Caller cost, sparse calls: {options.SparseEntries:N0} calls {SparsePauseMs} ms apart (the writer is idle at every call), median of {options.Rounds} rounds");
            text.AppendLine();
            text.AppendLine("| contender | mean ns | p50 ns | p99 ns | B/call |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var (name, runs) in sparse)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {M(runs, r => r.CallerMeanNs):N0} | {M(runs, r => r.CallerP50Ns):N0} | {M(runs, r => r.CallerP99Ns):N0} | {M(runs, r => r.CallerBytesPerCall):N0} |");
            }

            text.AppendLine();
        }

        if (read is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## Reading: one day file of {read.Entries:N0} entries ({read.FileBytes / 1e6:N0} MB, in the page cache)");
            text.AppendLine();
            text.AppendLine("| operation | time ms | allocated |");
            text.AppendLine("|---|---:|---:|");
            text.AppendLine(CultureInfo.InvariantCulture, $"| ToolAudit ReadRecentAsync(user, limit: 200) | {read.ReadRecentMs:N2} | {Bytes(read.ReadRecentAllocatedBytes)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| seed read_recent(user, limit=200) | {read.SeedReadRecentMs:N0} | {Bytes(read.SeedReadRecentAllocatedBytes)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| ToolAudit GetStatsAsync (all {read.StatsTotal:N0}) | {read.StatsMs:N0} | {Bytes(read.StatsAllocatedBytes)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| ToolAudit QueryAsync(tool, status: the {read.QueryCount:N0} denied calls of one tool, the whole file read) | {read.QueryMs:N0} | {Bytes(read.QueryAllocatedBytes)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| ToolAudit CountAsync(the same filters) | {read.CountMs:N0} | |");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"ReadRecentAsync is {Ratio(read.SeedReadRecentMs, read.ReadRecentMs)} faster than the seed's read_recent.");
            text.AppendLine();
        }

        text.Append(Goals(e2e, caller, read));
        return text.ToString();
    }

    /// <summary>Issue 3's goals, each with what this run measured.</summary>
    private static string Goals(Dictionary<string, List<ChildResult>> e2e, Dictionary<string, List<ChildResult>> caller, ReadResult? read)
    {
        var lines = new List<string>();
        void Goal(string what, double measured, bool met, string unit) =>
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"| {what} | {measured:N2}{unit} | {(met ? "met" : "NOT MET")} |"));
        double Of(Dictionary<string, List<ChildResult>> runs, string name, Func<ChildResult, double> metric) =>
            runs.TryGetValue(name, out var list) ? M(list, metric) : double.NaN;

        var ta = Of(e2e, Contenders.ToolAudit, r => r.EntriesPerSecond);
        if (!double.IsNaN(ta))
        {
            Goal("end to end ≥ 1,500,000 entries/s", ta, ta >= 1_500_000, " /s");
            foreach (var (peer, factor) in new[] { (Contenders.NLog, 4.0), (Contenders.Serilog, 8.0), (Contenders.Seed, 15.0) })
            {
                var other = Of(e2e, peer, r => r.EntriesPerSecond);
                if (!double.IsNaN(other))
                {
                    Goal($"end to end ≥ {factor}x {peer}", ta / other, ta / other >= factor, "x");
                }
            }
        }

        var p50 = Of(caller, Contenders.ToolAudit, r => r.CallerP50Ns);
        if (!double.IsNaN(p50))
        {
            var bytes = Of(caller, Contenders.ToolAudit, r => r.CallerBytesPerCall);
            var p999 = Of(caller, Contenders.ToolAudit, r => r.CallerP999Ns);
            var mean = Of(caller, Contenders.ToolAudit, r => r.CallerMeanNs);
            Goal("Record median ≤ 200 ns", p50, p50 <= 200, " ns");
            Goal("Record ≤ 512 B per call", bytes, bytes <= 512, " B");
            Goal("Record p99.9 ≤ 2 µs", p999, p999 <= 2000, " ns");
            foreach (var peer in new[] { Contenders.Serilog, Contenders.NLog })
            {
                var peerMean = Of(caller, peer, r => r.CallerMeanNs);
                var peerBytes = Of(caller, peer, r => r.CallerBytesPerCall);
                if (!double.IsNaN(peerMean))
                {
                    Goal($"Record ≥ 8x cheaper than {peer} in time (mean)", peerMean / mean, peerMean / mean >= 8, "x");
                    Goal($"Record ≥ 8x cheaper than {peer} in bytes", peerBytes / bytes, peerBytes / bytes >= 8, "x");
                }
            }
        }

        var durable = Of(e2e, Contenders.ToolAuditDurable, r => r.EntriesPerSecond);
        if (!double.IsNaN(durable))
        {
            Goal($"RecordDurableAsync ≥ 100,000/s with {WriterRun.DurableCallers} callers", durable, durable >= 100_000, " /s");
        }

        if (read is not null)
        {
            Goal("ReadRecentAsync(limit 200) ≤ 10 ms", read.ReadRecentMs, read.ReadRecentMs <= 10, " ms");
            Goal("ReadRecentAsync ≥ 100x faster than seed read_recent", read.SeedReadRecentMs / read.ReadRecentMs, read.SeedReadRecentMs / read.ReadRecentMs >= 100, "x");
            Goal("GetStatsAsync over 1,000,000 ≤ 1.5 s", read.StatsMs, read.StatsMs <= 1500 && read.Entries >= 1_000_000, " ms");
        }

        if (lines.Count == 0)
        {
            return string.Empty;
        }

        return "## Goals of issue 3 (this run)\n\n| goal | measured | |\n|---|---:|---|\n" + string.Join('\n', lines) + "\n";
    }

    private static void Add(Dictionary<string, List<ChildResult>> results, string name, ChildResult result)
    {
        if (!results.TryGetValue(name, out var list))
        {
            results[name] = list = [];
        }

        list.Add(result);
    }

    private static double M(List<ChildResult> runs, Func<ChildResult, double> metric) => Stats.Median(runs.Select(metric));

    private static string Ratio(double numerator, double denominator) =>
        denominator > 0 && double.IsFinite(numerator / denominator) ? (numerator / denominator).ToString("0.0", CultureInfo.InvariantCulture) + "x" : "n/a";

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1e3 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 2000 ? text : "..." + text[^2000..];
    }

    /// <summary>The work tree's commit, marked when it has uncommitted changes; "unknown" outside a git work tree.</summary>
    private static async Task<string> CommitAsync()
    {
        try
        {
            var head = await GitAsync("rev-parse", "--short", "HEAD").ConfigureAwait(false);
            var status = await GitAsync("status", "--porcelain", "--untracked-files=no").ConfigureAwait(false);
            return head is null ? "unknown" : head + (string.IsNullOrWhiteSpace(status) ? string.Empty : " (with uncommitted changes)");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static async Task<string?> GitAsync(params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start);
        if (git is null)
        {
            return null;
        }

        var output = await git.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await git.WaitForExitAsync().ConfigureAwait(false);
        return git.ExitCode == 0 ? output.Trim() : null;
    }

    /// <summary>The 1-minute load average (Linux), so a reader can tell a busy machine's run from a quiet one's.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static void DeleteQuietly(string dir)
    {
        try
        {
            if (System.IO.Directory.Exists(dir))
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a benchmark over.
        }
    }
}
