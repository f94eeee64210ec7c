namespace ToolAudit.SemanticKernel.Tests.Support;

/// <summary>A real recorder over a real in-memory store, per test.</summary>
public sealed class AuditFixture : IAsyncDisposable
{
    public InMemoryAuditStore Store { get; } = new(10_000);

    public AuditRecorder Recorder { get; }

    public AuditFixture() => Recorder = new AuditRecorder(Store);

    /// <summary>Every entry written so far, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> EntriesAsync()
    {
        await Recorder.FlushAsync();
        return Store.Recent(int.MaxValue).Reverse().ToList();
    }

    public ValueTask DisposeAsync() => Recorder.DisposeAsync();
}
