using ToolAudit.Sinks;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks;

/// <summary>
/// The refusals every store shares: each names the caller's argument and says which rule the entry or gap broke, so a
/// sink author who hands a store a bad batch reads what to fix rather than a bare "value does not fall within the range".
/// </summary>
public sealed class StoreWriteChecksTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("", "t", 0, "*user and tool must not be empty*")]
    [InlineData("bob", "", 0, "*user and tool must not be empty*")]
    [InlineData("surrogate", "t", 0, "*user holds a lone surrogate*")]
    [InlineData("bob", "t", 3, "*must be a defined AuditStatus (was 3)*")]
    public void ThrowIfAnyUnwritable_EntryBreakingARule_SaysWhichAndNamesTheArgument(string user, string tool, int status, string message)
    {
        var bad = Entries.At(At) with { User = user == "surrogate" ? "a" + (char)0xD800 : user, Tool = tool, Status = (AuditStatus)status };

        var check = () => StoreWriteChecks.ThrowIfAnyUnwritable([Entries.At(At), bad], "batch");

        check.Should().ThrowExactly<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be("batch");
    }

    [Theory]
    [InlineData("", 1, "*user must not be empty or hold a lone surrogate*")]
    [InlineData("bob", -5, "*count must not be negative (was -5)*")]
    public void ThrowIfAnyUnreadable_GapBreakingARule_SaysWhichAndNamesTheArgument(string user, long dropped, string message)
    {
        var check = () => StoreWriteChecks.ThrowIfAnyUnreadable([new AuditGap("bob", 1, At, At), new AuditGap(user, dropped, At, At)], "gaps");

        check.Should().ThrowExactly<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be("gaps");
    }

    [Fact]
    public void Checks_NullList_ThrowArgumentNullExceptionNamingTheArgument()
    {
        var entries = () => StoreWriteChecks.ThrowIfAnyUnwritable(null!, "batch");
        var gaps = () => StoreWriteChecks.ThrowIfAnyUnreadable(null!, "gaps");

        entries.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("batch");
        gaps.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("gaps");
    }
}
