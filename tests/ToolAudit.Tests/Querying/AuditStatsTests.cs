using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Querying;

/// <summary>Statistics compare by their counts, as a record's reader expects, not by the dictionaries' instances.</summary>
public sealed class AuditStatsTests
{
    [Fact]
    public void Equals_SameCountsInOtherDictionaries_IsTrueWithTheSameHash()
    {
        var first = Stats(("read", 3), ("write", 1));
        var second = Stats(("write", 1), ("read", 3));

        first.Should().Be(second);
        (first == second).Should().BeTrue();
        first.GetHashCode().Should().Be(second.GetHashCode());
    }

    [Theory]
    [InlineData("read", 2, "write", 1)]
    [InlineData("read", 3, "delete", 1)]
    public void Equals_ACountOrAKeyDiffers_IsFalse(string tool, long count, string otherTool, long otherCount)
    {
        var first = Stats(("read", 3), ("write", 1));
        var second = Stats((tool, count), (otherTool, otherCount));

        first.Should().NotBe(second);
        (first != second).Should().BeTrue();
    }

    [Fact]
    public void Equals_TotalsDiffer_IsFalse()
    {
        var first = Stats(("read", 3));

        first.Should().NotBe(first with { SkippedLines = 1 });
        first.Should().NotBe(first with { Dropped = 1 });
        first.Should().NotBe(first with { Total = 4 });
        first.Equals(null).Should().BeFalse();
    }

    [Fact]
    public async Task GetStatsAsync_TwoStoresHoldingTheSameEntries_GiveEqualStats()
    {
        using var folder = new TempFolder();
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(100);
        var at = new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
        AuditEntry[] entries = [Entries.At(at, "alice", "read", sequence: 0), Entries.At(at.AddMinutes(1), "bob", "write", AuditStatus.Error, 1)];
        await files.WriteAsync(entries, default);
        await memory.WriteAsync(entries, default);

        var fromFiles = await files.GetStatsAsync(new AuditQuery());
        var fromMemory = await memory.GetStatsAsync(new AuditQuery());

        fromFiles.Should().Be(fromMemory);
    }

    private static AuditStats Stats(params (string Tool, long Count)[] byTool) => new()
    {
        Total = byTool.Sum(static t => t.Count),
        ByTool = byTool.ToDictionary(static t => t.Tool, static t => t.Count),
        ByStatus = new Dictionary<string, long> { ["ok"] = byTool.Sum(static t => t.Count) },
        ByUser = new Dictionary<string, long> { ["alice"] = byTool.Sum(static t => t.Count) },
    };
}
