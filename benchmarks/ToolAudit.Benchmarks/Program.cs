using BenchmarkDotNet.Running;
using ToolAudit.Benchmarks;
using ToolAudit.Benchmarks.EndToEnd;

// One program, three roles:
//   (no verb or BenchmarkDotNet options)  the micro-benchmarks, e.g. `-- --filter '*Record*'`
//   e2e [--short]                         the end-to-end harness: runs the verbs below as child processes
//   e2e-one / e2e-read                    one child run (used by the harness)
return args.FirstOrDefault() switch
{
    "e2e" => await E2eCommand.RunAsync(args[1..]),
    "e2e-one" => await WriterRun.RunAsync(args[1..]),
    "e2e-read" => await ReadRun.RunAsync(args[1..]),
    _ => RunMicro(args),
};

static int RunMicro(string[] args)
{
    var (config, switcherArgs) = MicroConfig.Create(args);
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroConfig).Assembly).Run(switcherArgs, config);
    return summaries.Any(static s => s.HasCriticalValidationErrors || s.Reports.Any(static r => !r.Success)) ? 1 : 0;
}
