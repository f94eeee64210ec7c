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

    [Theory]
    [InlineData(AuditStatus.Ok)]
    [InlineData(AuditStatus.Error)]
    [InlineData(AuditStatus.Denied)]
    [InlineData(null)]
    public void Status_DefinedOrNone_IsKept(AuditStatus? status) =>
        new AuditQuery { Status = status }.Status.Should().Be(status);
}
