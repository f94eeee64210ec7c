namespace ToolAudit.Benchmarks;

/// <summary>
/// Parks a background writer during a measured iteration, so that what BenchmarkDotNet measures (time and
/// allocated bytes, which it counts over all threads) is the caller's work alone, and the writer does not compete
/// for the second core. The iteration's cleanup opens it and drains.
/// </summary>
internal sealed class Gate : IDisposable
{
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private int _inside;

    public bool IsIdle => Volatile.Read(ref _inside) == 0;

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    /// <summary>Runs <paramref name="action"/> once the gate is open; the writer thread waits here meanwhile.</summary>
    public void Pass(Action action)
    {
        Interlocked.Increment(ref _inside);
        try
        {
            _open.Wait();
            action();
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    public void Dispose() => _open.Dispose();
}
