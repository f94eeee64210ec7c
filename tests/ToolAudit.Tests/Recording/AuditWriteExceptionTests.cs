namespace ToolAudit.Tests.Recording;

public sealed class AuditWriteExceptionTests
{
    [Fact]
    public void FailedSinks_ListChangedAfterwards_StillNamesTheSinksThatFailedAndCannotBeChanged()
    {
        // One exception is handed to every durable caller of a batch: what it says failed must not change under them.
        var names = new List<string> { "JsonlAuditStore" };
        var error = new AuditWriteException(names, new IOException("disk full"));

        names[0] = "InMemoryAuditStore";
        names.Add("CollectingSink");

        error.FailedSinks.Should().Equal("JsonlAuditStore");
        error.Message.Should().Contain("JsonlAuditStore");
        (error.FailedSinks is IList<string> { IsReadOnly: false }).Should().BeFalse("the list handed out is read-only");
    }
}
