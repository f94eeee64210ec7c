using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.DependencyInjection;

public sealed class ToolAuditMetricsTests
{
    private static readonly string[] Instruments =
    [
        "toolaudit.entries.accepted",
        "toolaudit.entries.written",
        "toolaudit.entries.dropped",
        "toolaudit.entries.failed",
        "toolaudit.entries.pending",
    ];

    [Fact]
    public async Task Metrics_HostsMeterFactory_ReportEachCounterOfTheRecorderWhileCallsArePendingAndDropped()
    {
        var sink = new GatedSink();
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddToolAudit(o =>
        {
            o.QueueCapacity = 1;
            o.MaxBatchSize = 1;
            o.OverflowMode = AuditOverflowMode.DropNewest;
        }).AddSink(sink);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var collectors = Instruments.ToDictionary(name => name, name => new MetricCollector<long>(factory, ToolAuditInstrumentation.MeterName, name));
        var recorder = provider.GetRequiredService<AuditRecorder>();
        try
        {
            recorder.Record(Calls.Typical(sequence: 0));
            await sink.WaitForWriteStartedAsync();  // entry 0 is held inside the stalled sink
            recorder.Record(Calls.Typical(sequence: 1));
            recorder.WaitForEmptyQueue();           // entry 1 is the writer's next batch
            recorder.Record(Calls.Typical(sequence: 2)); // the one queue slot
            recorder.Record(Calls.Typical(sequence: 3)); // dropped
            recorder.Record(Calls.Typical(sequence: 4)); // dropped

            Observe(collectors).Should().Equal(Expected(recorder.Counters));
            recorder.Counters.Should().Be(new AuditCounters(5, 0, 2, 0, 3));
        }
        finally
        {
            sink.Open();
        }

        await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Observe(collectors).Should().Equal(Expected(new AuditCounters(5, 3, 2, 0, 0)));
    }

    [Fact]
    public async Task Metrics_SinkFails_ReportTheFailedEntries()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddToolAudit().AddSink(new ThrowingSink(everyNthBatch: 1));
        await using var provider = services.BuildServiceProvider();
        using var failed = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), ToolAuditInstrumentation.MeterName, "toolaudit.entries.failed");
        var recorder = provider.GetRequiredService<IAuditRecorder>();

        recorder.Record(Calls.Typical(sequence: 1));
        recorder.Record(Calls.Typical(sequence: 2));
        await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        failed.RecordObservableInstruments();
        failed.LastMeasurement!.Value.Should().Be(2);
    }

    [Fact]
    public async Task Metrics_TwoHosts_EachMeterReportsItsOwnRecorder()
    {
        await using var first = BuildWithMeterFactory();
        await using var second = BuildWithMeterFactory();
        using var firstWritten = new MetricCollector<long>(first.GetRequiredService<IMeterFactory>(), ToolAuditInstrumentation.MeterName, "toolaudit.entries.written");
        using var secondWritten = new MetricCollector<long>(second.GetRequiredService<IMeterFactory>(), ToolAuditInstrumentation.MeterName, "toolaudit.entries.written");
        var firstRecorder = first.GetRequiredService<IAuditRecorder>();
        var secondRecorder = second.GetRequiredService<IAuditRecorder>();

        firstRecorder.Record(Calls.Typical(sequence: 1));
        for (var i = 0; i < 3; i++)
        {
            secondRecorder.Record(Calls.Typical(sequence: i));
        }

        await firstRecorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await secondRecorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        firstWritten.RecordObservableInstruments();
        secondWritten.RecordObservableInstruments();

        firstWritten.GetMeasurementSnapshot().Select(m => m.Value).Should().Equal(1);
        secondWritten.GetMeasurementSnapshot().Select(m => m.Value).Should().Equal(3);
    }

    [Fact]
    public async Task Metrics_NoMeterFactory_TheProviderOwnsTheMeterAndDisposesItWithTheRecorder()
    {
        var services = new ServiceCollection();
        services.AddToolAudit().AddInMemory();
        var provider = services.BuildServiceProvider();
        var meter = provider.GetRequiredService<Diagnostics.ToolAuditMetrics>().Meter;
        var completed = false;
        long? written = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests' providers publish meters of this name too: listen only to this provider's.
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "toolaudit.entries.written")
            {
                l.EnableMeasurementEvents(instrument, provider);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            if (ReferenceEquals(state, provider))
            {
                written = value;
            }
        });
        listener.MeasurementsCompleted = (instrument, state) => completed |= ReferenceEquals(state, provider);

        try
        {
            var recorder = provider.GetRequiredService<IAuditRecorder>();
            meter.Name.Should().Be(ToolAuditInstrumentation.MeterName);
            meter.Scope.Should().BeNull("no meter factory is registered");
            listener.Start();
            recorder.Record(Calls.Typical(sequence: 1));
            recorder.Record(Calls.Typical(sequence: 2));
            await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            listener.RecordObservableInstruments();
            written.Should().Be(2);
        }
        finally
        {
            await provider.DisposeAsync();
        }

        completed.Should().BeTrue("the meter the provider created is disposed with it");
    }

    [Fact]
    public async Task Metrics_RecorderNotResolvedYet_ReportNothingUntilItIs()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        var store = new InMemoryAuditStore(10);
        services.AddToolAudit().AddSink(store);
        await using var provider = services.BuildServiceProvider();

        // The metrics alone (as a collector resolves them) must not create the recorder.
        _ = provider.GetRequiredService<Diagnostics.ToolAuditMetrics>();
        using var accepted = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), ToolAuditInstrumentation.MeterName, "toolaudit.entries.accepted");
        accepted.RecordObservableInstruments();

        accepted.GetMeasurementSnapshot().Should().BeEmpty();
        store.Count.Should().Be(0);

        // Once the host resolves it, the same instruments report it.
        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        accepted.RecordObservableInstruments();
        accepted.GetMeasurementSnapshot().Select(m => m.Value).Should().Equal(1);
    }

    private static ServiceProvider BuildWithMeterFactory()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddToolAudit().AddInMemory();
        return services.BuildServiceProvider();
    }

    private static long[] Observe(Dictionary<string, MetricCollector<long>> collectors)
    {
        foreach (var collector in collectors.Values)
        {
            collector.RecordObservableInstruments();
        }

        return Instruments.Select(name => collectors[name].LastMeasurement!.Value).ToArray();
    }

    private static long[] Expected(AuditCounters counters) =>
        [counters.Accepted, counters.Written, counters.Dropped, counters.Failed, counters.Pending];
}
