using ToolAudit.Benchmarks.EndToEnd;

namespace ToolAudit.Benchmarks;

/// <summary>The garbage collector's counters at one moment; <see cref="Apply"/> adds what happened since to a result.</summary>
internal readonly record struct GcReading(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated)
{
    public static GcReading Take() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));

    public ChildResult Apply(ChildResult result)
    {
        var now = Take();
        return result with
        {
            Gen0Collections = now.Gen0 - Gen0,
            Gen1Collections = now.Gen1 - Gen1,
            Gen2Collections = now.Gen2 - Gen2,
            GcPauseMs = (now.Pause - Pause).TotalMilliseconds,
            ProcessBytesPerEntry = result.Entries > 0 ? (double)(now.Allocated - Allocated) / result.Entries : 0,
        };
    }
}
