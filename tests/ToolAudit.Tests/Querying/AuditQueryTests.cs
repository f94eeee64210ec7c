namespace ToolAudit.Tests.Querying;

public sealed class AuditQueryTests
{
    [Fact]
    public void Limit_Negative_ThrowsArgumentOutOfRangeExceptionNamingLimit()
    {
        var build = () => new AuditQuery { Limit = -1 };

        build.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(AuditQuery.Limit));
    }

    [Fact]
    public void Offset_Negative_ThrowsArgumentOutOfRangeExceptionNamingOffset()
    {
        var build = () => new AuditQuery { Offset = -1 };

        build.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(AuditQuery.Offset));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Status_Undefined_ThrowsArgumentOutOfRangeExceptionNamingStatus(int status)
    {
        // No entry has it (Record and every store refuse it), so the query would quietly match nothing.
        var build = () => new AuditQuery { Status = (AuditStatus)status };

        build.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(AuditQuery.Status));
    }

    [Fact]
    public void SinceAfterUntil_ThrowsArgumentOutOfRangeExceptionNamingTheOneSetLast()
    {
        var noon = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        var untilLast = () => new AuditQuery { Since = noon, Until = noon.AddTicks(-1) };
        var sinceLast = () => new AuditQuery { Until = noon, Since = noon.AddHours(1) };
        var moved = () => new AuditQuery { Since = noon, Until = noon.AddHours(1) } with { Since = noon.AddHours(2) };

        untilLast.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(AuditQuery.Until));
        sinceLast.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().Contain("inverted");
        moved.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(AuditQuery.Since));
    }

    [Fact]
    public void SinceEqualToUntilOrEitherAlone_IsKept()
    {
        var noon = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        new AuditQuery { Since = noon, Until = noon }.Until.Should().Be(noon, "an empty range is a range");
        new AuditQuery { Since = noon.AddYears(1) }.Since.Should().Be(noon.AddYears(1));
        new AuditQuery { Until = noon.AddYears(-1) }.Until.Should().Be(noon.AddYears(-1));
        (new AuditQuery { Since = noon, Until = noon.AddHours(1) } with { Since = null, Until = noon.AddHours(-1) }).Since.Should().BeNull();
    }

    [Theory]
    [InlineData(AuditStatus.Ok)]
    [InlineData(AuditStatus.Error)]
    [InlineData(AuditStatus.Denied)]
    [InlineData(null)]
    public void Status_DefinedOrNone_IsKept(AuditStatus? status) =>
        new AuditQuery { Status = status }.Status.Should().Be(status);
}
