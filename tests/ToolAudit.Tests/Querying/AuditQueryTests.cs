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
}
