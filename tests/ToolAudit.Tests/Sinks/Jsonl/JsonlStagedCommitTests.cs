using System.Text.Json;
using ToolAudit.Recording;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>The recorder's two-part commit: each file gets the writer's part, then the part the sink thread took over.</summary>
public sealed class JsonlStagedCommitTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Commit_TwoParts_WritesEachFilesFirstPartThenItsSecond(bool flushToDisk)
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path, FlushToDisk = flushToDisk });
        var (staged, factory) = Staged(store);
        object? front = null;
        object? tail = null;

        staged.Prepare(Captured("alice", "1"), 1, factory, ref front);
        staged.Prepare(Captured("bob", "2"), 2, factory, ref front);
        staged.Prepare(Captured("alice", "3"), 3, factory, ref tail);
        staged.Prepare(Captured("carol", "4"), 4, factory, ref tail);
        staged.Prepare(Captured("alice", "5"), 5, factory, ref tail);
        staged.Commit(front!, tail);

        Tools(store, "alice").Should().Equal("1", "3", "5");
        Tools(store, "bob").Should().Equal("2");
        Tools(store, "carol").Should().Equal("4");
    }

    [Fact]
    public void Commit_AfterDispose_ThrowsAndWritesNothing()
    {
        using var folder = new TempFolder();
        var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var (staged, factory) = Staged(store);
        object? front = null;
        object? tail = null;
        staged.Prepare(Captured("alice", "1"), 1, factory, ref front);
        staged.Prepare(Captured("alice", "2"), 2, factory, ref tail);
        store.Dispose();

        var commit = () => staged.Commit(front!, tail);

        commit.Should().Throw<ObjectDisposedException>();
        Directory.EnumerateFiles(folder.Path, "*.jsonl", SearchOption.AllDirectories).Should().BeEmpty();
    }

    private static (IStagedAuditSink Staged, AuditEntryFactory Factory) Staged(JsonlAuditStore store) =>
        (store, new AuditEntryFactory(new ToolAuditOptions()));

    private static IReadOnlyList<string> Tools(JsonlAuditStore store, string user) =>
        AuditFiles.Lines(store.GetFilePath(user, DateOnly.FromDateTime(At.UtcDateTime)))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("tool").GetString()!)
            .ToList();

    private static CapturedCall Captured(string user, string tool) => new()
    {
        Call = new ToolCall(user, tool, null, AuditStatus.Ok, "result"),
        UtcTicks = At.UtcTicks,
    };
}
