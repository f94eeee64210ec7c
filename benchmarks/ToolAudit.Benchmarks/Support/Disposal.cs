namespace ToolAudit.Benchmarks;

/// <summary>Disposes whatever a store offers: async disposal first, else plain disposal, else nothing.</summary>
internal static class Disposal
{
    public static ValueTask DisposeAsync(object? value)
    {
        switch (value)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }
}
