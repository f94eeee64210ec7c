using Microsoft.Extensions.Hosting;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Starts the recorder with the host and drains it when the host stops.</summary>
internal sealed class ToolAuditHostedService(IAuditRecorder recorder) : IHostedService
{
    // Resolving the recorder in the constructor already started its writer; nothing more to do here.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (recorder is IAsyncDisposable disposable)
        {
            // Drains within ToolAuditOptions.ShutdownTimeout; a hung sink cannot hold the host longer.
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
