using ToolAudit.Querying;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Querying;

/// <summary>The statistics accumulator on its own, for what the stores never hand it.</summary>
public sealed class AuditStatsBuilderTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_StatusNotDefined_CountsInTheTotalButInNoStatusAndDoesNotThrow()
    {
        // The stores refuse such an entry, but the builder's bound check is the last guard of its status array: one past
        // the last status (3) must not index past it.
        var builder = new AuditStatsBuilder();

        builder.Add(Entries.At(At, status: AuditStatus.Denied));
        builder.Add(Entries.At(At) with { Status = (AuditStatus)3 });
        var stats = builder.Build();

        stats.Total.Should().Be(2);
        stats.ByStatus.Should().BeEquivalentTo(new Dictionary<string, long> { ["denied"] = 1 });
        stats.ByUser.Should().BeEquivalentTo(new Dictionary<string, long> { ["alice"] = 2 });
    }

    [Fact]
    public void ToString_PrintsTheCountsMostCommonFirst()
    {
        var builder = new AuditStatsBuilder();
        builder.Add(Entries.At(At, status: AuditStatus.Denied));
        builder.Add(Entries.At(At));
        builder.Add(Entries.At(At));

        var text = builder.Build().ToString();

        text.Should().Contain("ByStatus = { ok = 2, denied = 1 }").And.Contain("ByUser = { alice = 3 }").And.NotContain("AuditBreakdown");
    }

    [Fact]
    public void ToString_ManyKeys_PrintsTenAndHowManyMore()
    {
        var builder = new AuditStatsBuilder();
        for (var i = 0; i < 12; i++)
        {
            builder.Add(Entries.At(At) with { User = "user" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) });
        }

        builder.Build().ByUser.ToString().Should().EndWith(", … (2 more) }").And.StartWith("{ user");
    }
}
