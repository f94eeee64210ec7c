namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>What the reading child reports.</summary>
internal sealed record ReadResult
{
    public required long Entries { get; init; }

    public long FileBytes { get; init; }

    public double ReadRecentMs { get; init; }

    public double ReadRecentAllocatedBytes { get; init; }

    public int ReadRecentCount { get; init; }

    public double SeedReadRecentMs { get; init; }

    public double SeedReadRecentAllocatedBytes { get; init; }

    public int SeedReadRecentCount { get; init; }

    public double StatsMs { get; init; }

    public double StatsAllocatedBytes { get; init; }

    public long StatsTotal { get; init; }

    public double QueryMs { get; init; }

    public double QueryAllocatedBytes { get; init; }

    public int QueryCount { get; init; }

    public double CountMs { get; init; }

    public string? Problem { get; init; }

    public string ToLine() => ChildOutput.ToLine(this, ChildJson.Default.ReadResult);

    public static ReadResult? FromOutput(string output) => ChildOutput.Parse(output, ChildJson.Default.ReadResult);
}
