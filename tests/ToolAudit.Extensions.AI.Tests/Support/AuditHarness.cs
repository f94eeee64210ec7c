namespace ToolAudit.Extensions.AI.Tests.Support;

/// <summary>A real recorder over a real in-memory store; <see cref="EntriesAsync"/> flushes before it reads.</summary>
internal sealed class AuditHarness : IAsyncDisposable
{
    public AuditHarness()
    {
        Store = new InMemoryAuditStore(1_000);
        Recorder = new AuditRecorder(Store);
    }

    public InMemoryAuditStore Store { get; }

    public AuditRecorder Recorder { get; }

    /// <summary>Every entry recorded so far, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> EntriesAsync()
    {
        await Recorder.FlushAsync();
        return Store.Recent(Store.Capacity).Reverse().ToList();
    }

    public ValueTask DisposeAsync() => Recorder.DisposeAsync();
}
