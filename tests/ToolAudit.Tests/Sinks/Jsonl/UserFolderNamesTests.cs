using ToolAudit.Sinks.Jsonl;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>Folder names that look encoded but are not what <see cref="UserFolderNames.Encode"/> gives: not a user's folder.</summary>
public sealed class UserFolderNamesTests
{
    [Theory]
    [InlineData("~if", "padding bit set (A is ~ie)")]
    [InlineData("~ig", "padding bit set (A is ~ie)")]
    [InlineData("~ih", "both padding bits set (A is ~ie)")]
    [InlineData("~iea", "a stray character that holds no whole byte")]
    [InlineData("~mfrgg", "abc, a plain name, has the folder abc")]
    [InlineData("~74", "the byte FF is not UTF-8: it would read as U+FFFD, another user's name")]
    public void Decode_NonCanonicalEncodedName_IsNotAUserFolder(string folderName, string why)
    {
        UserFolderNames.Decode(folderName, folder: null).Should().BeNull(why);
    }

    [Fact]
    public void Decode_CanonicalEncodedName_GivesItsUserBack()
    {
        UserFolderNames.Encode("A", out _).Should().Be("~ie");
        UserFolderNames.Decode("~ie", folder: null).Should().Be("A");
        UserFolderNames.Decode("abc", folder: null).Should().Be("abc", "plain names are read as they are");
    }
}
