using System.Diagnostics;

namespace ToolAudit.Benchmarks;

/// <summary>Per-call timing on the caller's thread, in nanoseconds, with the timer's own cost taken out.</summary>
internal static class CallTimer
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static double ToNanoseconds(long ticks) => ticks * NanosecondsPerTick;

    /// <summary>The median cost of one pair of <see cref="Stopwatch.GetTimestamp"/> calls, which every measured call includes.</summary>
    /// <returns>Nanoseconds.</returns>
    public static double Overhead()
    {
        const int samples = 200_000;
        var deltas = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            deltas[i] = Stopwatch.GetTimestamp() - start;
        }

        Array.Sort(deltas);
        return ToNanoseconds(deltas[samples / 2]);
    }
}
