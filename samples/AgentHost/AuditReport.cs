using ToolAudit;

/// <summary>What an admin sees: this run's entries as a table, the statistics, and the recorder's counters.</summary>
internal static class AuditReport
{
    public static async Task PrintAsync(IAuditReader reader, IAuditRecorder recorder, DateTimeOffset since, int? callsAsked)
    {
        // Only this run's calls: the audit folder keeps earlier runs too.
        var thisRun = new AuditQuery { Since = since };

        var entries = new List<AuditEntry>();
        await foreach (var entry in reader.QueryAsync(thisRun))
        {
            entries.Add(entry);
        }

        entries.Reverse(); // the reader gives newest first; a story reads oldest first
        Console.WriteLine();
        Console.WriteLine($"{"time (UTC)",-12} {"user",-6} {"tool",-12} {"status",-7} {"confirmed",-9} {"trace",-8}  error");
        foreach (var e in entries)
        {
            var confirmed = e.Confirmed ? "yes" : "";
            var trace = e.TraceId?[..8] ?? "";
            Console.WriteLine($"{e.Timestamp:HH:mm:ss.fff} {e.User,-6} {e.Tool,-12} {AuditStatusNames.ToJsonWord(e.Status),-7} {confirmed,-9} {trace,-8}  {e.Error}");
        }

        var stats = await reader.GetStatsAsync(thisRun);
        var confirmedCalls = await reader.CountAsync(thisRun with { ConfirmedOnly = true });
        Console.WriteLine();
        Console.WriteLine($"This run: {stats.Total} calls, {confirmedCalls} confirmed");
        Console.WriteLine($"  by status: {string.Join(", ", stats.ByStatus.Select(p => $"{p.Key}={p.Value}"))}");
        Console.WriteLine($"  by tool:   {string.Join(", ", stats.ByTool.Select(p => $"{p.Key}={p.Value}"))}");
        Console.WriteLine($"  by user:   {string.Join(", ", stats.ByUser.Select(p => $"{p.Key}={p.Value}"))}");

        var counters = recorder.Counters;
        Console.WriteLine($"Recorder counters: {counters}");

        // One line that sums it up (CI checks it): what the script asked for, and what is on record.
        var asked = callsAsked is { } n ? $"the script asked for {n} tool calls; " : "";
        Console.WriteLine(
            $"Check: {asked}{stats.Total} on record (ok={Count(stats, "ok")}, error={Count(stats, "error")}, denied={Count(stats, "denied")}, "
            + $"confirmed={confirmedCalls}); written={counters.Written}, dropped={counters.Dropped}, failed={counters.Failed}");
    }

    private static long Count(AuditStats stats, string status) => stats.ByStatus.GetValueOrDefault(status);
}
