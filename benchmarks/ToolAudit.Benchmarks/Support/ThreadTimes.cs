using System.Globalization;

namespace ToolAudit.Benchmarks;

/// <summary>
/// CPU time (user and system) of the process's threads by name, from <c>/proc/self/task</c> on Linux; empty elsewhere.
/// A child prints it when <c>TOOLAUDIT_BENCH_THREADS=1</c>: where a contender's time goes (callers, writer, sink, GC).
/// </summary>
internal static class ThreadTimes
{
    /// <summary>Polls every 20 ms until <paramref name="stop"/> is cancelled, keeping each thread's last reading (threads that end keep theirs).</summary>
    public static async Task<Dictionary<string, (double UserMs, double SystemMs)>> SampleAsync(CancellationToken stop)
    {
        var last = new Dictionary<string, (double UserMs, double SystemMs)>(StringComparer.Ordinal);
        while (true)
        {
            foreach (var (key, value) in ReadByThread())
            {
                last[key] = value;
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(20, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // One more reading above, then done.
            }
        }

        return SumByName(last);
    }

    public static Dictionary<string, (double UserMs, double SystemMs)> Read() => SumByName(ReadByThread());

    /// <summary>Adds up the threads of one name (the thread pool's workers share theirs).</summary>
    private static Dictionary<string, (double UserMs, double SystemMs)> SumByName(Dictionary<string, (double UserMs, double SystemMs)> byThread)
    {
        var byName = new Dictionary<string, (double UserMs, double SystemMs)>(StringComparer.Ordinal);
        foreach (var (key, value) in byThread)
        {
            var name = key[(key.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            byName[name] = byName.TryGetValue(name, out var sum) ? (sum.UserMs + value.UserMs, sum.SystemMs + value.SystemMs) : value;
        }

        return byName;
    }

    /// <summary>Keyed by "tid name".</summary>
    private static Dictionary<string, (double UserMs, double SystemMs)> ReadByThread()
    {
        var times = new Dictionary<string, (double UserMs, double SystemMs)>(StringComparer.Ordinal);
        const string Tasks = "/proc/self/task";
        if (!Directory.Exists(Tasks))
        {
            return times;
        }

        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "stat"));

                // Fields after the parenthesised name: state is field 3, utime 14, stime 15 (clock ticks of 10 ms).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var user = double.Parse(fields[11], CultureInfo.InvariantCulture) * 10;
                var system = double.Parse(fields[12], CultureInfo.InvariantCulture) * 10;
                times[Path.GetFileName(task) + " " + name] = (user, system);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return times;
    }

    public static string Difference(Dictionary<string, (double UserMs, double SystemMs)> before, Dictionary<string, (double UserMs, double SystemMs)> after) =>
        string.Join(", ", after
            .Select(kv => (kv.Key, User: kv.Value.UserMs - (before.TryGetValue(kv.Key, out var b) ? b.UserMs : 0), System: kv.Value.SystemMs - (before.TryGetValue(kv.Key, out var c) ? c.SystemMs : 0)))
            .Where(static t => t.User + t.System > 0)
            .OrderByDescending(static t => t.User + t.System)
            .Select(static t => $"{t.Key}: {t.User:F0} ms user + {t.System:F0} ms sys"));
}
