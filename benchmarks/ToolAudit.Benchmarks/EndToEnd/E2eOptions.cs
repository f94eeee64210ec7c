using System.Globalization;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>The harness's command line: <c>e2e [--short] [--n N] [--rounds R] [--caller-n N] [--caller-rate R] [--read-n N] [--warmup-passes P] [--contenders a,b] [--no-caller] [--sparse N] [--no-read] [--dir D]</c>.</summary>
internal sealed record E2eOptions
{
    public bool Short { get; init; }

    /// <summary>Entries per end-to-end run.</summary>
    public int Entries { get; init; } = 1_000_000;

    /// <summary>Interleaved rounds; medians are reported.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Calls per caller-cost run.</summary>
    public int CallerEntries { get; init; } = 200_000;

    /// <summary>
    /// Calls per second in the caller-cost runs: a steady rate below every contender's end-to-end throughput (Serilog's
    /// is the lowest, about 110,000/s here), so no queue fills and what is timed is the call itself.
    /// </summary>
    public int CallerRate { get; init; } = 50_000;

    /// <summary>Entries in the reading benchmark's day file.</summary>
    public int ReadEntries { get; init; } = 1_000_000;

    /// <summary>Repetitions of the slow reads (seed's read_recent, stats).</summary>
    public int ReadRepeat { get; init; } = 3;

    /// <summary>Warm-up passes of each child before its measured run (see <see cref="WriterRun.DefaultWarmupPasses"/>).</summary>
    public int WarmupPasses { get; init; } = WriterRun.DefaultWarmupPasses;

    public IReadOnlyList<string> Contenders { get; init; } = EndToEnd.Contenders.EndToEndDefault;

    public IReadOnlyList<string> CallerContenders { get; init; } = EndToEnd.Contenders.CallerDefault;

    public bool RunCaller { get; init; } = true;

    /// <summary>Calls per sparse run (each followed by a 2 ms pause, so the writer is idle at every call); 0 skips them.</summary>
    public int SparseEntries { get; init; }

    public bool RunRead { get; init; } = true;

    /// <summary>Where the outputs go (deleted after each run is verified).</summary>
    public string Directory { get; init; } = Path.Combine(Path.GetTempPath(), $"toolaudit-e2e-{Environment.ProcessId}");

    public static E2eOptions Parse(string[] args)
    {
        var options = args.Contains("--short")
            ? new E2eOptions { Short = true, Entries = 200_000, Rounds = 2, CallerEntries = 25_000, ReadEntries = 1_000_000, ReadRepeat = 1, WarmupPasses = 3 }
            : new E2eOptions();

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next().Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--short" => options,
                "--n" => options with { Entries = NextInt() },
                "--rounds" => options with { Rounds = NextInt() },
                "--caller-n" => options with { CallerEntries = NextInt() },
                "--caller-rate" => options with { CallerRate = NextInt() },
                "--read-n" => options with { ReadEntries = NextInt() },
                "--read-repeat" => options with { ReadRepeat = NextInt() },
                "--warmup-passes" => options with { WarmupPasses = NextInt() },
                "--contenders" => options with { Contenders = Split(Next()) },
                "--caller-contenders" => options with { CallerContenders = Split(Next()) },
                "--no-caller" => options with { RunCaller = false },
                "--sparse" => options with { SparseEntries = NextInt() },
                "--no-read" => options with { RunRead = false },
                "--dir" => options with { Directory = Path.GetFullPath(Next()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
