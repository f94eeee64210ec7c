using Microsoft.Extensions.Hosting;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Starts the recorder with the host and drains it once every hosted service has stopped.</summary>
/// <remarks>
/// The drain runs in <see cref="StoppedAsync"/>, after the <see cref="IHostedService.StopAsync"/> of every hosted
/// service, not in this one's own <see cref="StopAsync"/>: hosted services stop in the reverse order of their
/// registration, so an agent registered before <c>AddToolAudit()</c> would otherwise still be making (and recording)
/// its last tool calls after the recorder had shut down, and those calls would be refused. Each stage runs in that
/// reverse order too, <see cref="StoppedAsync"/> included, so <c>AddToolAudit()</c> registers this service first among
/// the hosted services: its drain then comes after every other service's <see cref="StoppedAsync"/>.
/// </remarks>
internal sealed class ToolAuditHostedService(IAuditRecorder recorder) : IHostedLifecycleService
{
    // Resolving the recorder in the constructor already started its writer; nothing more to do here.
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The other hosted services may still record while they stop: see StoppedAsync.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (recorder is AuditRecorder ours)
        {
            // Drains within ToolAuditOptions.ShutdownTimeout, and within the host's own shutdown budget (its token): a
            // hung sink cannot hold the host longer than either; what is left is counted failed and logged.
            await ours.ShutDownAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (recorder is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
