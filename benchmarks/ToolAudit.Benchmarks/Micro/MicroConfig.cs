using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ToolAudit.Benchmarks;

/// <summary>The BenchmarkDotNet configuration of the micro-benchmarks.</summary>
/// <remarks>
/// <para>
/// In-process toolchain: BenchmarkDotNet's default toolchain builds a generated project next to the benchmark's own
/// and cannot find it when the program was built with <c>--artifacts-path</c> (which this repository's builds use, so
/// that parallel builds never share output folders): its runs end as NA. Running in-process needs no second build.
/// Every benchmark class builds and disposes its own pipelines, so nothing leaks from one class to the next.
/// </para>
/// <para>
/// The default job is 3 warm-up and 15 measured iterations. A job given on the command line (<c>--job short</c>,
/// <c>--job dry</c>) replaces it, and runs in-process too. Reports go to a temp folder, not into the work tree
/// (override with <c>--artifacts DIR</c>).
/// </para>
/// </remarks>
public static class MicroConfig
{
    public static (IConfig Config, string[] Args) Create(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "ToolAudit.Benchmarks.Artifacts"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .HideColumns(Column.Error, Column.StdDev)
            .WithOptions(ConfigOptions.JoinSummary);

        if (args.Any(static a => a is "--job" or "-j"))
        {
            if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
            {
                args = [.. args, "--inProcess"];
            }
        }
        else
        {
            config.AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3)
                .WithIterationCount(15)
                .WithId("InProcess"));
        }

        return (config, args);
    }
}
