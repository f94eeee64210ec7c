using System.Diagnostics;
using System.Globalization;
using ToolAudit.Benchmarks.Peers;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>
/// The child side of the reading benchmark (<c>e2e-read &lt;N&gt; &lt;dir&gt; [--repeat R]</c>): writes one user's
/// day file of N entries with ToolAudit, then times <c>ReadRecentAsync(user, limit: 200)</c>, the seed's
/// <c>read_recent</c> on the same file, <c>GetStatsAsync</c> over it, and a filtered <c>QueryAsync</c> and <c>CountAsync</c> that read all of it.
/// </summary>
/// <remarks>
/// The file is in the OS page cache (it was just written), as a day file being read by an admin page usually is.
/// Allocated bytes are counted over all threads of the process during one call.
/// </remarks>
internal static class ReadRun
{
    public const string User = "alice";

    /// <summary>The tool of the filtered query (with status <c>denied</c>: about one entry in 400).</summary>
    private const string FilteredTool = "send_email";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: e2e-read <N> <dir> [--repeat R]");
            return 2;
        }

        var count = int.Parse(args[0], CultureInfo.InvariantCulture);
        var dir = args[1];
        var repeat = args.Length >= 4 && args[2] == "--repeat" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

        var entries = EntryGenerator.Generate(count, singleUser: User);
        await WriteDayFileAsync(entries, dir).ConfigureAwait(false);
        var fileBytes = Directory.EnumerateFiles(dir, "*.jsonl", SearchOption.AllDirectories).Sum(static f => new FileInfo(f).Length);

        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = dir });
        var problems = new List<string>();

        // ToolAudit: one warm-up, then the median of 5 (it is meant to take milliseconds).
        IReadOnlyList<AuditEntry> recent = await store.ReadRecentAsync(User, limit: 200).ConfigureAwait(false);
        var (recentMs, recentBytes) = await MeasureAsync(5, async () => recent = await store.ReadRecentAsync(User, limit: 200).ConfigureAwait(false)).ConfigureAwait(false);
        if (recent.Count != 200 || recent[0].Args?["seq"].GetInt64() != count - 1)
        {
            problems.Add($"ReadRecentAsync returned {recent.Count} entries, newest seq {recent.FirstOrDefault()?.Args?["seq"]}, expected 200 and {count - 1}");
        }

        var seed = new SeedAuditLog(dir);
        var seedCount = 0;
        var (seedMs, seedBytes) = await MeasureAsync(repeat, () =>
        {
            var newest = seed.ReadRecent(User, days: 7, limit: 200);
            seedCount = newest.Count;
            newest.ForEach(static d => d.Dispose());
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        if (seedCount != 200)
        {
            problems.Add($"seed read_recent returned {seedCount} entries");
        }

        AuditStats? stats = null;
        var (statsMs, statsBytes) = await MeasureAsync(repeat, async () => stats = await store.GetStatsAsync(new AuditQuery()).ConfigureAwait(false)).ConfigureAwait(false);
        if (stats?.Total != count)
        {
            problems.Add($"GetStatsAsync counted {stats?.Total} entries, expected {count}");
        }

        // A filtered query that must read the whole file: the denied calls of one tool, fewer than its limit. Checked
        // against the generated entries.
        var filter = new AuditQuery { User = User, Tool = FilteredTool, Status = AuditStatus.Denied, Limit = 100_000 };
        var expected = entries.Count(static e => e.Tool == FilteredTool && e.Status == AuditStatus.Denied);
        var queried = 0;
        var (queryMs, queryBytes) = await MeasureAsync(repeat, async () =>
        {
            queried = 0;
            await foreach (var entry in store.QueryAsync(filter).ConfigureAwait(false))
            {
                queried++;
            }
        }).ConfigureAwait(false);
        if (queried != expected)
        {
            problems.Add($"QueryAsync returned {queried} entries, expected {expected}");
        }

        long counted = 0;
        var (countMs, _) = await MeasureAsync(repeat, async () => counted = await store.CountAsync(filter).ConfigureAwait(false)).ConfigureAwait(false);
        if (counted != expected)
        {
            problems.Add($"CountAsync counted {counted} entries, expected {expected}");
        }

        await Disposal.DisposeAsync(store).ConfigureAwait(false);
        Console.WriteLine(new ReadResult
        {
            Entries = count,
            FileBytes = fileBytes,
            ReadRecentMs = recentMs,
            ReadRecentAllocatedBytes = recentBytes,
            ReadRecentCount = recent.Count,
            SeedReadRecentMs = seedMs,
            SeedReadRecentAllocatedBytes = seedBytes,
            SeedReadRecentCount = seedCount,
            StatsMs = statsMs,
            StatsAllocatedBytes = statsBytes,
            StatsTotal = stats?.Total ?? -1,
            QueryMs = queryMs,
            QueryAllocatedBytes = queryBytes,
            QueryCount = queried,
            CountMs = countMs,
            Problem = problems.Count == 0 ? null : string.Join("; ", problems),
        }.ToLine());
        return 0;
    }

    /// <summary>The median time of <paramref name="times"/> runs, and the bytes the first of them allocated.</summary>
    private static async Task<(double Ms, double Bytes)> MeasureAsync(int times, Func<Task> action)
    {
        var samples = new List<double>(times);
        double bytes = 0;
        for (var i = 0; i < times; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            await action().ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (i == 0)
            {
                bytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            }
        }

        return (Stats.Median(samples), bytes);
    }

    private static async Task WriteDayFileAsync(TypicalEntry[] entries, string dir)
    {
        var count = entries.Length;
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = dir });
        var recorder = new AuditRecorder(store);
        ToolAuditContext.Set(EntryGenerator.Engine, EntryGenerator.Model);
        foreach (var entry in entries)
        {
            recorder.Record(new ToolCall(entry.User, entry.Tool, entry.Args, entry.Status, entry.Result));
        }

        await recorder.DisposeAsync().ConfigureAwait(false);
        await Disposal.DisposeAsync(store).ConfigureAwait(false);
        var problem = Contenders.ToolAuditCheck(recorder.Counters, count);
        if (problem is not null)
        {
            throw new InvalidOperationException("Writing the day file failed: " + problem);
        }
    }
}
