namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>What one child run reports to the harness, as one JSON line on its standard output.</summary>
internal sealed record ChildResult
{
    public required string Contender { get; init; }

    public required long Entries { get; init; }

    /// <summary>First call until everything is in the files and the writer is disposed.</summary>
    public double WallSeconds { get; init; }

    public double EntriesPerSecond => WallSeconds > 0 ? Entries / WallSeconds : 0;

    /// <summary>Time spent in the calls only (the caller's share of the wall time).</summary>
    public double CallsSeconds { get; init; }

    /// <summary>Mean time of one call on the caller (for durable: one round trip), timer cost subtracted.</summary>
    public double CallerMeanNs { get; init; }

    public double CallerP50Ns { get; init; }

    public double CallerP99Ns { get; init; }

    public double CallerP999Ns { get; init; }

    public double CallerMaxNs { get; init; }

    /// <summary>Bytes allocated per call on the calling thread (durable: all threads of the process, per entry).</summary>
    public double CallerBytesPerCall { get; init; }

    public double TimerOverheadNs { get; init; }

    /// <summary>Garbage collections of each generation during the measured run (warm-up excluded).</summary>
    public int Gen0Collections { get; init; }

    public int Gen1Collections { get; init; }

    public int Gen2Collections { get; init; }

    /// <summary>Total time the runtime paused threads for collections during the measured run.</summary>
    public double GcPauseMs { get; init; }

    /// <summary>Bytes allocated by every thread of the process during the measured run, per entry (callers and writers).</summary>
    public double ProcessBytesPerEntry { get; init; }

    /// <summary>What the writer itself reported as wrong (drops, failures), or null.</summary>
    public string? Problem { get; init; }

    public string ToLine() => ChildOutput.ToLine(this, ChildJson.Default.ChildResult);

    public static ChildResult? FromOutput(string output) => ChildOutput.Parse(output, ChildJson.Default.ChildResult);
}
