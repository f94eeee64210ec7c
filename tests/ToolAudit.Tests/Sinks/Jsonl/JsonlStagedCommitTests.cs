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
    public void Commit_OneFileFails_NamesItsCallsAndCountsItsLinesOfBothParts_AndWritesTheOthers()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var (staged, factory) = Staged(store);
        var aliceFile = store.GetFilePath("alice", DateOnly.FromDateTime(At.UtcDateTime));
        Directory.CreateDirectory(aliceFile);
        object? front = null;
        object? tail = null;
        var calls = new[] { Captured("alice", "1"), Captured("bob", "2"), Captured("alice", "3"), Captured("carol", "4"), Captured("alice", "5") };
        for (var i = 0; i < calls.Length; i++)
        {
            staged.Prepare(calls[i], i + 1, factory, ref i < 2 ? ref front : ref tail);
        }

        var commit = () => staged.Commit(front!, tail);

        // A folder where alice's day file should be: her file cannot be opened, bob's and carol's can.
        var partial = commit.Should().Throw<PartialCommitException>().Which;
        partial.NotWrittenCount.Should().Be(3);
        partial.InnerException.Should().BeOfType<IOException>();
        calls.Select(partial.NotWrittenIn(calls).Contains).Should().Equal(true, false, true, false, true);
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
