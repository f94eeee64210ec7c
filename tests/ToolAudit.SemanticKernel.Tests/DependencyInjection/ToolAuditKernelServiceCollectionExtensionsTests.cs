using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using ToolAudit.SemanticKernel.Tests.Support;

namespace ToolAudit.SemanticKernel.Tests.DependencyInjection;

public sealed class ToolAuditKernelServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddToolAuditFunctionFilter_KernelFromContainer_RecordsCalls()
    {
        await using var audit = new AuditFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(audit.Recorder);
        services.AddToolAuditFunctionFilter(options => options.UnknownUser = "service-account");
        services.AddKernel().Plugins.AddFromObject(new FilesPlugin(), "Files");
        await using var provider = services.BuildServiceProvider();
        var kernel = provider.GetRequiredService<Kernel>();

        await kernel.InvokeAsync("Files", "read", new KernelArguments { ["path"] = "a.txt" });

        kernel.FunctionInvocationFilters.Should().ContainSingle().Which.Should().BeOfType<ToolAuditFunctionFilter>();
        kernel.AutoFunctionInvocationFilters.Should().ContainSingle().Which.Should().BeSameAs(kernel.FunctionInvocationFilters[0]);
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Tool.Should().Be("Files-read");
        entry.User.Should().Be("service-account");
    }

    [Fact]
    public async Task AddToolAuditFunctionFilter_CalledTwice_RegistersOnce()
    {
        await using var audit = new AuditFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(audit.Recorder);
        services.AddToolAuditFunctionFilter().AddToolAuditFunctionFilter();
        await using var provider = services.BuildServiceProvider();

        provider.GetServices<IFunctionInvocationFilter>().Should().ContainSingle();
        provider.GetServices<IAutoFunctionInvocationFilter>().Should().ContainSingle();
    }

    [Fact]
    public async Task AddToolAuditFunctionFilter_NoRecorder_ThrowsWhenResolved()
    {
        var services = new ServiceCollection();
        services.AddToolAuditFunctionFilter();
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetServices<IFunctionInvocationFilter>().ToList();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*IAuditRecorder*");
    }

    [Fact]
    public async Task AddToolAuditFunctionFilter_EmptyUnknownUser_FailsValidation()
    {
        await using var audit = new AuditFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(audit.Recorder);
        services.AddToolAuditFunctionFilter(options => options.UnknownUser = "");
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetServices<IFunctionInvocationFilter>().ToList();

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*UnknownUser*");
    }

    [Fact]
    public async Task AddToolAuditFunctionFilter_ContainerFilterSkipsTheFunction_RecordsDenied()
    {
        await using var audit = new AuditFixture();
        var files = new FilesPlugin();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(audit.Recorder);
        services.AddToolAuditFunctionFilter();
        services.AddSingleton<IFunctionInvocationFilter>(new BlockDeletesFunctionFilter(answer: null));
        services.AddKernel().Plugins.AddFromObject(files, "Files");
        await using var provider = services.BuildServiceProvider();
        var kernel = provider.GetRequiredService<Kernel>();

        await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        files.Deletes.Should().Be(0);
        (await audit.EntriesAsync()).Should().ContainSingle().Which.Status.Should().Be(AuditStatus.Denied);
    }

    [Fact]
    public async Task AddToolAuditFilter_OnAKernelFromTheContainer_AddsTheProbeSoAnAnswerIsRecordedDenied()
    {
        await using var audit = new AuditFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditRecorder>(audit.Recorder);
        services.AddToolAuditFunctionFilter();
        services.AddSingleton<IFunctionInvocationFilter>(new BlockDeletesFunctionFilter(BlockDeletesFunctionFilter.Answer));
        services.AddKernel().Plugins.AddFromObject(new FilesPlugin(), "Files");
        await using var provider = services.BuildServiceProvider();
        var kernel = provider.GetRequiredService<Kernel>().AddToolAuditFilter(audit.Recorder);

        await kernel.InvokeAsync("Files", "delete", new KernelArguments { ["path"] = "a.txt" });

        kernel.FunctionInvocationFilters.OfType<ToolAuditFunctionFilter>().Should().ContainSingle();
        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Denied);
        entry.Error.Should().Be(BlockDeletesFunctionFilter.Answer);
    }
}
