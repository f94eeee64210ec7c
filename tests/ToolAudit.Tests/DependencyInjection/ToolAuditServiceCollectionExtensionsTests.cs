using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.DependencyInjection;

public sealed class ToolAuditServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddJsonl_Resolved_RegistersTheRecorderAndTheStoreAsReader()
    {
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        services.AddToolAudit().AddJsonl(o => o.Root = folder.Path);
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        var reader = provider.GetRequiredService<IAuditReader>();

        recorder.Should().BeOfType<AuditRecorder>().And.BeSameAs(provider.GetRequiredService<AuditRecorder>());
        reader.Should().BeOfType<JsonlAuditStore>().And.BeSameAs(provider.GetRequiredService<JsonlAuditStore>());
        ((JsonlAuditStore)reader).Root.Should().Be(folder.Path);

        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();
        (await reader.CountAsync(new AuditQuery())).Should().Be(1);
    }

    [Fact]
    public async Task AddJsonl_DayFileDeletedWhileHeldOpen_TheStoreWarnsThroughTheHostsLogger()
    {
        using var folder = new TempFolder();
        using var logs = new FakeLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs));
        services.AddToolAudit().AddJsonl(o => o.Root = folder.Path);
        await using var provider = services.BuildServiceProvider();
        var clock = new FakeTimeProvider();
        provider.GetRequiredService<JsonlAuditStore>().HeldFileClock = clock;
        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical(user: "alice"));
        await recorder.FlushAsync();

        File.Delete(AuditFiles.All(folder.Path).Should().ContainSingle().Subject);
        clock.Advance(TimeSpan.FromSeconds(1)); // past the held file's next check
        recorder.Record(Calls.Typical(user: "alice"));
        await recorder.FlushAsync();

        var warning = logs.Collector.GetSnapshot().Should().ContainSingle(r => r.Category == typeof(JsonlAuditStore).FullName).Subject;
        (warning.Level, warning.Id.Id).Should().Be((LogLevel.Warning, 12));
        (await provider.GetRequiredService<IAuditReader>().CountAsync(new AuditQuery())).Should().Be(1, "the second entry is in the file opened again");
    }

    [Fact]
    public async Task AddInMemory_AddedBeforeJsonl_IsTheReaderAndResolvableByItsTypeAndBothGetEveryEntry()
    {
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        services.AddToolAudit().AddInMemory(capacity: 10).AddJsonl(o => o.Root = folder.Path);
        await using var provider = services.BuildServiceProvider();

        var memory = provider.GetRequiredService<InMemoryAuditStore>();
        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical(sequence: 1));
        recorder.Record(Calls.Typical(sequence: 2));
        await recorder.FlushAsync();

        provider.GetRequiredService<IAuditReader>().Should().BeSameAs(memory);
        provider.GetRequiredService<IAuditStore>().Should().BeSameAs(memory, "the reader is resolvable as the store it is, to purge it");
        memory.Capacity.Should().Be(10);
        memory.Count.Should().Be(2);
        AuditFiles.AllLines(folder.Path).Should().HaveCount(2);
    }

    [Fact]
    public async Task AddSink_StoreInstanceAfterAPlainSink_IsTheReaderAndBothGetEveryEntry()
    {
        var plain = new CollectingSink();
        var store = new InMemoryAuditStore(10);
        var services = new ServiceCollection();
        services.AddToolAudit().AddSink(plain).AddSink(store);
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();

        provider.GetRequiredService<IAuditReader>().Should().BeSameAs(store);
        provider.GetRequiredService<IAuditStore>().Should().BeSameAs(store);
        plain.Entries.Should().ContainSingle();
        store.Count.Should().Be(1);
    }

    [Fact]
    public async Task AddSink_SameInstanceTwice_RegistersItOnceSoItGetsEachEntryOnce()
    {
        var sink = new CollectingSink();
        var other = new CollectingSink();
        var services = new ServiceCollection();
        services.AddToolAudit().AddSink(sink).AddSink(sink).AddSink(other);
        services.AddToolAudit().AddSink(sink);
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();

        sink.Entries.Should().ContainSingle("adding the same instance again changes nothing");
        other.Entries.Should().ContainSingle("another instance of the same type is another sink");
    }

    [Fact]
    public async Task AddInMemory_AfterAnInstanceOfTheSameType_TheContainersStoreIsASinkToo()
    {
        // The instance is one sink, the container's store (the one resolvable as InMemoryAuditStore) another: the
        // instance must not stand for it, or the store a host reads would never receive anything.
        var mine = new InMemoryAuditStore(10);
        var services = new ServiceCollection();
        services.AddToolAudit().AddSink(mine).AddInMemory(capacity: 10).AddSink<CollectingSink>();
        services.AddToolAudit().AddSink(new CollectingSink());
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();

        mine.Count.Should().Be(1);
        provider.GetRequiredService<InMemoryAuditStore>().Should().NotBeSameAs(mine).And.Match<InMemoryAuditStore>(s => s.Count == 1);
        provider.GetRequiredService<CollectingSink>().Entries.Should().ContainSingle();
    }

    [Fact]
    public async Task AddInMemory_WhenTheContainersStoreIsTheInstanceAddedToo_ItIsWrittenOnce()
    {
        // The host registered its own store as the container's InMemoryAuditStore and added that instance too: both
        // registrations resolve to one object, which must be one sink, not receive every entry twice.
        var store = new InMemoryAuditStore(10);
        var sink = new CollectingSink();
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddSingleton(sink);
        services.AddToolAudit().AddInMemory().AddSink(store).AddSink(sink).AddSink<CollectingSink>();
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        store.Count.Should().Be(1);
        sink.Entries.Should().ContainSingle();
    }

    [Fact]
    public async Task AddSinkOfT_StoreType_IsBuiltByTheContainerAndIsTheReader()
    {
        var services = new ServiceCollection();
        services.AddToolAudit().AddSink<CollectingSink>().AddSink<CollectingStore>();
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();

        var store = provider.GetRequiredService<CollectingStore>();
        provider.GetRequiredService<IAuditReader>().Should().BeSameAs(store);
        store.Count.Should().Be(1);
        provider.GetRequiredService<CollectingSink>().Entries.Should().ContainSingle();
    }

    [Fact]
    public async Task AddToolAudit_CalledTwice_RegistersOnceAndAppliesBothConfigurations()
    {
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        services.AddToolAudit(o => o.ArgMaxChars = 10).AddJsonl(o => o.Root = folder.Path);
        services.AddToolAudit(o => o.SnippetMaxChars = 3).AddJsonl();
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record("alice", "t", new Dictionary<string, object?> { ["text"] = new string('a', 20) }, AuditStatus.Ok, "result");
        await recorder.FlushAsync();

        provider.GetServices<IAuditRecorder>().Should().ContainSingle();
        provider.GetServices<IHostedService>().Should().ContainSingle();
        var options = provider.GetRequiredService<IOptions<ToolAuditOptions>>().Value;
        options.ArgMaxChars.Should().Be(10);
        options.SnippetMaxChars.Should().Be(3);
        var entry = (await provider.GetRequiredService<IAuditReader>().QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle("each entry is written once").Subject;
        entry.Args!["text"].GetString().Should().Be(new string('a', 10) + " …[20 chars total]");
        entry.ResultSnippet.Should().Be("res");
        AuditFiles.AllLines(folder.Path).Should().ContainSingle();
    }

    [Fact]
    public async Task AddToolAudit_Configuration_BindsTheOptions()
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ToolAudit:QueueCapacity"] = "7",
            ["ToolAudit:MaxBatchSize"] = "3",
            ["ToolAudit:OverflowMode"] = "DropNewest",
            ["ToolAudit:OverflowWaitTimeout"] = "00:00:01",
            ["ToolAudit:ArgMaxChars"] = "12",
            ["ToolAudit:SnippetMaxChars"] = "4",
            ["ToolAudit:ShutdownTimeout"] = "00:00:05",
            ["ToolAudit:RedactedKeys:0"] = "ssn",
        }).Build();
        var services = new ServiceCollection();
        services.AddToolAudit(configuration.GetSection("ToolAudit")).AddJsonl(o => o.Root = folder.Path);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ToolAuditOptions>>().Value;
        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record("alice", "t", new Dictionary<string, object?> { ["text"] = new string('b', 30), ["ssn"] = "078-05-1120" }, AuditStatus.Ok, "result");
        await recorder.FlushAsync();

        options.QueueCapacity.Should().Be(7);
        options.MaxBatchSize.Should().Be(3);
        options.OverflowMode.Should().Be(AuditOverflowMode.DropNewest);
        options.OverflowWaitTimeout.Should().Be(TimeSpan.FromSeconds(1));
        options.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.RedactedKeys.Should().Contain("ssn");
        var entry = (await provider.GetRequiredService<IAuditReader>().QueryAsync(new AuditQuery()).ToListAsync()).Single();
        entry.Args!["text"].GetString().Should().Be(new string('b', 12) + " …[30 chars total]");
        entry.Args["ssn"].GetString().Should().Be("[redacted]");
        entry.ResultSnippet.Should().Be("resu");
    }

    [Fact]
    public async Task AddToolAudit_ConfiguredRedactedKeys_AreAddedToTheDefaultsWhichStay()
    {
        // Configuration can add keys to redact but never un-redact a default one such as "password".
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ToolAudit:RedactedKeys:0"] = "ssn",
            ["ToolAudit:RedactedKeys:1"] = "iban",
        }).Build();
        var store = new InMemoryAuditStore(10);
        var services = new ServiceCollection();
        services.AddToolAudit(configuration.GetSection("ToolAudit")).AddSink(store);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ToolAuditOptions>>().Value;
        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record("alice", "t", new Dictionary<string, object?> { ["ssn"] = "078-05-1120", ["iban"] = "DE89", ["password"] = "hunter2", ["path"] = "/x" }, AuditStatus.Ok);
        await recorder.FlushAsync();

        options.RedactedKeys.Should().Equal([.. ToolAuditOptions.DefaultRedactedKeys, "ssn", "iban"]);
        var args = store.Recent(1).Single().Args!;
        args["ssn"].GetString().Should().Be("[redacted]");
        args["iban"].GetString().Should().Be("[redacted]");
        args["password"].GetString().Should().Be("[redacted]", "the defaults stay");
        args["path"].GetString().Should().Be("/x");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task AddToolAudit_ConfiguredRedactedKeysEmpty_KeepsTheDefaults(string? value)
    {
        // What a JSON "RedactedKeys": [] or null becomes: it clears nothing.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ToolAudit:RedactedKeys"] = value }).Build();
        var services = new ServiceCollection();
        services.AddToolAudit(configuration.GetSection("ToolAudit")).AddInMemory();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<ToolAuditOptions>>().Value.RedactedKeys.Should().Equal(ToolAuditOptions.DefaultRedactedKeys);
    }

    [Fact]
    public async Task StartAsync_ConfiguredRedactedKeysAsOneValueNotAList_ThrowsOptionsValidationExceptionNamingIt()
    {
        // What an environment variable ToolAudit__RedactedKeys=ssn gives: the binder takes no list from it, so "ssn"
        // would silently go unredacted. Refused at start instead, naming the option and the list form.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ToolAudit:RedactedKeys"] = "ssn" }).Build();
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddToolAudit(configuration.GetSection("ToolAudit")).AddInMemory())
            .Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().ContainSingle().Which.Should().Contain("RedactedKeys").And.Contain("ssn").And.Contain("RedactedKeys:0");
    }

    [Theory]
    [InlineData(nameof(ToolAuditOptions.OverflowWaitTimeout), "2", "00:00:02")]
    [InlineData(nameof(ToolAuditOptions.ShutdownTimeout), " 3 ", "00:00:03")]
    public async Task StartAsync_ConfiguredTimeoutAsABareNumber_ThrowsOptionsValidationExceptionShowingTheSecondsForm(string option, string value, string seconds)
    {
        // TimeSpan reads a bare number as days: "OverflowWaitTimeout": "2" meant to wait two seconds would let a call
        // wait two days. Refused at start, naming the option, the days it would mean and the form that says seconds.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"ToolAudit:{option}"] = value }).Build();
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddToolAudit(configuration.GetSection("ToolAudit")).AddInMemory())
            .Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().ContainSingle().Which.Should().Contain(option).And.Contain($"'{value}'").And.Contain("days").And.Contain(seconds);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("00:00:02", 2)]
    [InlineData("2.00:00:00", 172_800)]
    [InlineData("00:00:00.5", 0.5)]
    public async Task AddToolAudit_ConfiguredTimeoutWithItsUnitsSpelledOutOrZero_IsTaken(string value, double expectedSeconds)
    {
        // Days written as days (2.00:00:00) stay possible; zero is zero in any unit.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ToolAudit:OverflowWaitTimeout"] = value,
            ["ToolAudit:ShutdownTimeout"] = value,
        }).Build();
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddToolAudit(configuration.GetSection("ToolAudit")).AddInMemory())
            .Build();

        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<ToolAuditOptions>>().Value;
        options.OverflowWaitTimeout.Should().Be(TimeSpan.FromSeconds(expectedSeconds));
        options.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(expectedSeconds));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(nameof(ToolAuditOptions.QueueCapacity), 0)]
    [InlineData(nameof(ToolAuditOptions.MaxBatchSize), 0)]
    [InlineData(nameof(ToolAuditOptions.ArgMaxChars), -1)]
    [InlineData(nameof(ToolAuditOptions.SnippetMaxChars), -1)]
    [InlineData(nameof(ToolAuditOptions.ErrorMaxChars), 0)]
    public async Task StartAsync_InvalidOption_ThrowsOptionsValidationExceptionNamingIt(string option, int value)
    {
        using var folder = new TempFolder();
        using var host = new HostBuilder()
            .ConfigureServices(services => services
                .AddToolAudit(o => typeof(ToolAuditOptions).GetProperty(option)!.SetValue(o, value))
                .AddJsonl(o => o.Root = folder.Path))
            .Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Message.Should().Contain(option);
        error.Failures.Should().ContainSingle().Which.Should().Contain(option).And.Contain(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(nameof(ToolAuditOptions.OverflowWaitTimeout))]
    [InlineData(nameof(ToolAuditOptions.ShutdownTimeout))]
    public void Validate_TimeoutLongerThanATimerTakes_IsRefusedAndInfiniteAndTheLongestAreNot(string option)
    {
        var property = typeof(ToolAuditOptions).GetProperty(option)!;
        var options = new ToolAuditOptions();

        property.SetValue(options, TimeSpan.FromDays(60));
        options.Validate().Should().ContainSingle().Which.Should().Contain(option).And.Contain("24.");
        var construct = () => new AuditRecorder(new CollectingSink(), options);
        construct.Should().Throw<ArgumentException>().WithMessage($"*{option}*");

        foreach (var fine in new[] { Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(int.MaxValue), TimeSpan.Zero })
        {
            property.SetValue(options, fine);
            options.Validate().Should().BeEmpty();
        }
    }

    [Fact]
    public async Task AddJsonl_OptionsBoundFromConfiguration_BindTheTimeZonesByTheirIds()
    {
        // README: JsonlAuditOptions bind with services.Configure<JsonlAuditOptions>(section). The zones were silently
        // left at their defaults (the binder cannot make a TimeZoneInfo from text), so day files rolled at UTC midnight.
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jsonl:Root"] = folder.Path,
            ["Jsonl:DayTimeZone"] = "Etc/GMT-5",
            ["Jsonl:LegacyTimestampTimeZone"] = "UTC",
            ["Jsonl:MaxOpenFiles"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<JsonlAuditOptions>(configuration.GetSection("Jsonl"));
        services.AddToolAudit().AddJsonl();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JsonlAuditOptions>>().Value;
        var store = provider.GetRequiredService<JsonlAuditStore>();
        await store.WriteAsync([Entries.At(new DateTimeOffset(2025, 3, 3, 20, 0, 0, TimeSpan.Zero))], default);

        options.DayTimeZone.BaseUtcOffset.Should().Be(TimeSpan.FromHours(5));
        options.LegacyTimestampTimeZone.Should().BeSameAs(TimeZoneInfo.Utc);
        options.MaxOpenFiles.Should().Be(3);
        File.Exists(store.GetFilePath("alice", new DateOnly(2025, 3, 4))).Should().BeTrue("20:00 UTC is the next day at UTC+5");
    }

    [Fact]
    public async Task AddJsonlFromConfiguration_BindsEveryOptionAndCodeAfterItWins()
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ToolAudit:Jsonl:Root"] = Path.Combine(folder.Path, "from-configuration"),
            ["ToolAudit:Jsonl:DayTimeZone"] = "Etc/GMT-5",
            ["ToolAudit:Jsonl:FlushToDisk"] = "true",
            ["ToolAudit:Jsonl:MaxOpenFiles"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.AddToolAudit().AddJsonl(configuration.GetSection("ToolAudit:Jsonl")).AddJsonl(o => o.MaxOpenFiles = 7);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JsonlAuditOptions>>().Value;

        options.Root.Should().Be(Path.Combine(folder.Path, "from-configuration"));
        options.DayTimeZone.BaseUtcOffset.Should().Be(TimeSpan.FromHours(5));
        options.FlushToDisk.Should().BeTrue();
        options.MaxOpenFiles.Should().Be(7, "code configured after the section wins");
        provider.GetRequiredService<IAuditReader>().Should().BeOfType<JsonlAuditStore>();
    }

    [Fact]
    public async Task AddJsonlFromConfiguration_KeyThatNamesNoOption_ThrowsNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jsonl:Roots"] = "/var/lib/audit",
        }).Build();
        var services = new ServiceCollection();
        services.AddToolAudit().AddJsonl(configuration.GetSection("Jsonl"));
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<JsonlAuditOptions>>().Value;

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*Roots*");
    }

    [Fact]
    public async Task AddJsonl_UnknownTimeZoneIdInConfiguration_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jsonl:DayTimeZone"] = "Nowhere/Atlantis",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<JsonlAuditOptions>(configuration.GetSection("Jsonl"));
        services.AddToolAudit().AddJsonl();
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<JsonlAuditOptions>>().Value;

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*Jsonl:DayTimeZone*");
    }

    [Fact]
    public async Task StartAsync_InvalidJsonlOption_ThrowsOptionsValidationExceptionNamingIt()
    {
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddToolAudit().AddJsonl(o => o.MaxOpenFiles = 0))
            .Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("MaxOpenFiles");
    }

    [Fact]
    public async Task StopAsync_AfterRecording_EveryEntryIsOnDisk()
    {
        using var folder = new TempFolder();
        const int count = 5_000;
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddToolAudit(o => o.QueueCapacity = 64).AddJsonl(o => o.Root = folder.Path))
            .Build();
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<IAuditRecorder>();

        for (var i = 0; i < count; i++)
        {
            recorder.Record(Calls.Typical(user: $"user{i % 4}", sequence: i));
        }

        await host.StopAsync();

        recorder.Counters.Should().Be(new AuditCounters(count, count, 0, 0, 0));
        OnDisk(folder.Path).Should().Equal(Enumerable.Range(0, count));
    }

    [Fact]
    public async Task StopAsync_SinkHangsAndTheHostsShutdownBudgetRunsOut_GivesUpThenNotAtShutdownTimeout()
    {
        // The host's budget (HostOptions.ShutdownTimeout, or the token given to StopAsync) is the host's: a drain that
        // ignored it would hold the host for ToolAudit's own ShutdownTimeout (here a minute) after it ran out.
        var sink = new GatedSink();
        using var logs = new FakeLoggerProvider();
        using var host = new HostBuilder()
            .ConfigureLogging(logging => logging.AddProvider(logs))
            .ConfigureServices(services => services.AddToolAudit(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1)).AddSink(sink))
            .Build();
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical(sequence: 0));
        await sink.WaitForWriteStartedAsync();
        recorder.Record(Calls.Typical(sequence: 1));
        using var budget = new CancellationTokenSource();

        var stop = host.StopAsync(budget.Token);
        await budget.CancelAsync();

        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        recorder.Counters.Should().Be(new AuditCounters(Accepted: 2, Written: 0, Dropped: 0, Failed: 2, Pending: 0));
        logs.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 3 && r.Level == LogLevel.Error)
            .Which.Message.Should().Contain("2 entries were not written");
    }

    [Fact]
    public async Task StopAsync_AgentRegisteredBeforeToolAuditRecordsWhileItStops_ItsLastCallIsWritten()
    {
        // Hosted services stop in the reverse order of their registration: this agent stops after ToolAudit's own
        // hosted service, and records its last call while it stops.
        using var host = new HostBuilder()
            .ConfigureServices(services => services
                .AddHostedService<AgentThatRecordsWhileItStops>()
                .AddToolAudit()
                .AddInMemory())
            .Build();
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical(sequence: 0));

        await host.StopAsync();

        recorder.Counters.Should().Be(new AuditCounters(2, 2, 0, 0, 0), "the agent's last call came before the host had stopped");
        host.Services.GetRequiredService<InMemoryAuditStore>().Recent(10).Select(e => e.Tool).Should().Contain("last_call");
    }

    [Fact]
    public async Task StopAsync_AgentRegisteredBeforeToolAuditRecordsInItsStoppedAsync_ItsLastCallIsWritten()
    {
        // The agent's StoppedAsync would run after ToolAudit's drain (each stage runs in the reverse order of
        // registration), were ToolAudit's hosted service registered where AddToolAudit() is called.
        using var host = new HostBuilder()
            .ConfigureServices(services => services
                .AddHostedService<AgentThatRecordsWhenStopped>()
                .AddToolAudit()
                .AddInMemory())
            .Build();
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<IAuditRecorder>();

        await host.StopAsync();

        recorder.Counters.Should().Be(new AuditCounters(1, 1, 0, 0, 0), "the agent's last call came before the host had stopped");
        host.Services.GetRequiredService<InMemoryAuditStore>().Recent(10).Select(e => e.Tool).Should().Equal("stopped_call");
    }

    [Fact]
    public void AddToolAudit_AKeyedHostedServiceRegisteredBefore_IsNoTrouble()
    {
        // A keyed descriptor may throw when asked for its implementation type (8.0 did): the look for ToolAudit's own passes it by.
        var services = new ServiceCollection();
        services.AddKeyedSingleton<IHostedService, AgentThatRecordsWhenStopped>("agent");

        services.AddToolAudit().AddInMemory();
        services.AddToolAudit();

        services.Count(d => d.ServiceType == typeof(IHostedService) && !d.IsKeyedService).Should().Be(1);
        services[0].ServiceType.Should().Be(typeof(IHostedService), "ToolAudit's hosted service comes first");
    }

    private sealed class AgentThatRecordsWhenStopped(IAuditRecorder recorder) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken)
        {
            recorder.Record(new ToolCall("alice", "stopped_call", null, AuditStatus.Ok));
            return Task.CompletedTask;
        }
    }

    private sealed class AgentThatRecordsWhileItStops(IAuditRecorder recorder) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            recorder.Record(new ToolCall("alice", "last_call", null, AuditStatus.Ok));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task DisposeAsync_ServiceProviderAfterRecording_EveryEntryIsOnDisk()
    {
        using var folder = new TempFolder();
        const int count = 5_000;
        var services = new ServiceCollection();
        services.AddToolAudit(o => o.QueueCapacity = 64).AddJsonl(o => o.Root = folder.Path);
        var provider = services.BuildServiceProvider();
        var recorder = provider.GetRequiredService<IAuditRecorder>();

        for (var i = 0; i < count; i++)
        {
            recorder.Record(Calls.Typical(user: $"user{i % 4}", sequence: i));
        }

        await provider.DisposeAsync();

        recorder.Counters.Should().Be(new AuditCounters(count, count, 0, 0, 0));
        OnDisk(folder.Path).Should().Equal(Enumerable.Range(0, count));
    }

    [Fact]
    public void Dispose_ServiceProviderAfterRecording_EveryEntryIsOnDisk()
    {
        using var folder = new TempFolder();
        const int count = 2_000;
        var services = new ServiceCollection();
        services.AddToolAudit(o => o.QueueCapacity = 64).AddJsonl(o => o.Root = folder.Path);
        var provider = services.BuildServiceProvider();
        var recorder = provider.GetRequiredService<IAuditRecorder>();

        for (var i = 0; i < count; i++)
        {
            recorder.Record(Calls.Typical(sequence: i));
        }

        provider.Dispose();

        OnDisk(folder.Path).Should().Equal(Enumerable.Range(0, count));
    }

    [Fact]
    public async Task GetRequiredService_NoSinkAdded_ThrowsAClearInvalidOperationException()
    {
        var services = new ServiceCollection();
        services.AddToolAudit();
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IAuditRecorder>();

        resolve.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("no sink").And.Contain("AddJsonl");
    }

    [Fact]
    public async Task GetRequiredService_ReaderWithoutAnyStore_ThrowsAClearInvalidOperationException()
    {
        var services = new ServiceCollection();
        services.AddToolAudit().AddSink(new CollectingSink());
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IAuditReader>();

        resolve.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("IAuditStore");
        provider.GetRequiredService<IAuditRecorder>().Should().NotBeNull("recording works without a reader");
    }

    [Fact]
    public async Task AddToolAudit_TimeProviderInTheContainer_StampsEntriesWithIt()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 10, 11, 12, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddToolAudit().AddInMemory();
        await using var provider = services.BuildServiceProvider();

        var recorder = provider.GetRequiredService<IAuditRecorder>();
        recorder.Record(Calls.Typical());
        await recorder.FlushAsync();

        provider.GetRequiredService<InMemoryAuditStore>().Recent(1).Single().Timestamp.Should().Be(clock.GetUtcNow());
    }

    [Fact]
    public void AddInMemory_CapacityBelowOne_ThrowsArgumentOutOfRangeException()
    {
        var add = () => new ServiceCollection().AddToolAudit().AddInMemory(0);

        add.Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>The sequence numbers of every entry line under <paramref name="root"/>, sorted, read as plain JSON.</summary>
    private static List<int> OnDisk(string root) =>
        AuditFiles.AllLines(root)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("args").GetProperty("seq").GetInt32())
            .Order()
            .ToList();
}
