using ToolAudit.Sinks.Jsonl;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// The exact folder of a user (the layout on disk, which existing trails depend on), and folder names that look encoded
/// but are not what <see cref="UserFolderNames.Encode"/> gives: not a user's folder.
/// </summary>
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

    [Theory]
    [InlineData("Foobar", "~izxw6ytboi")]
    [InlineData("Ab", "~ifra")]
    [InlineData("Abc", "~ifrgg")]
    [InlineData("Abcd", "~ifrggza")]
    [InlineData("Abcde", "~ifrggzdf")]
    [InlineData("a b", "~meqge")]
    [InlineData("..", "~fyxa")]
    [InlineData("用户", "~46kkrzuiw4")]
    public void Encode_NameThatIsNotPlain_IsTildeAndLowerCaseBase32OfItsUtf8(string user, string expected)
    {
        // RFC 4648 base32 without padding, lower-cased: every length of the last group (1 to 5 bytes) is pinned, since
        // a folder written under another spelling would no longer be found by the readers.
        UserFolderNames.Encode(user, out var needsNameFile).Should().Be(expected);
        needsNameFile.Should().BeFalse();
        UserFolderNames.Decode(expected, folder: null).Should().Be(user);
    }

    [Fact]
    public void Encode_PlainNameUpToSixtyFourCharacters_IsItsOwnFolderAndALongerOneIsEncoded()
    {
        var longest = new string('p', 64);
        var tooLong = new string('p', 65);

        UserFolderNames.Encode(longest, out _).Should().Be(longest, "the Python orchestrator's layout is kept up to 64 characters");
        UserFolderNames.Encode(tooLong, out var needsNameFile).Should().StartWith("~").And.NotStartWith("~~");
        needsNameFile.Should().BeFalse();
    }

    [Fact]
    public void Encode_UpTo120Utf8Bytes_IsBase32AndLongerIsTheHashWithANameFile()
    {
        var longest = new string('Q', 120);
        var tooLong = new string('Q', 121);

        var base32 = UserFolderNames.Encode(longest, out var base32NeedsNameFile);
        var hashed = UserFolderNames.Encode(tooLong, out var hashedNeedsNameFile);

        base32.Should().HaveLength(1 + 192).And.StartWith("~").And.NotStartWith("~~");
        base32NeedsNameFile.Should().BeFalse();
        hashed.Should().Be("~~71e62dbf4f9356ac3be3dd96ceadb22b2c7a336f3f86bb4c702684e3bc7c9e5f", "~~ and the lower-case hex SHA-256 of the UTF-8 name");
        hashedNeedsNameFile.Should().BeTrue();
        UserFolderNames.Decode(hashed, folder: null).Should().BeNull("without its .user file a hashed folder is no one's");
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("a.b_c-d9", true)]
    [InlineData("0", true)]
    [InlineData("console", true)]
    [InlineData("con.d", false)]
    [InlineData("con", false)]
    [InlineData("nul.txt", false)]
    [InlineData("lpt9", false)]
    [InlineData("clock$", false)]
    [InlineData("name.", false)]
    [InlineData(".hidden", false)]
    [InlineData("_x", false)]
    [InlineData("-x", false)]
    [InlineData("Alice", false)]
    [InlineData("a b", false)]
    [InlineData("a~", false)]
    [InlineData("", false)]
    public void IsPlain_Name_IsTrueOnlyForLowerCaseNamesThatAreSafeOnEverySystem(string user, bool expected)
    {
        // A name starting with a dot would hide its folder; one ending in a dot, or a device name, is not a folder on Windows.
        UserFolderNames.IsPlain(user).Should().Be(expected);
    }

    [Theory]
    [InlineData("Alice", "Alice")]
    [InlineData("a b", "a b")]
    [InlineData("alice", null)]
    [InlineData(".", null)]
    [InlineData("..", null)]
    [InlineData("~x", null)]
    [InlineData("a/b", null)]
    [InlineData("../x", null)]
    [InlineData("a\\b", null)]
    [InlineData("a:b", null)]
    public void LegacyFolder_Name_IsTheLiteralNameOnlyWhenItIsOneSafeSegmentUnderTheRoot(string user, string? expected)
    {
        // Readers also look in a folder another writer named after the user as it was: that must never be a path that
        // leaves the root (.., a separator, a drive), a folder of the store's own (~), or the encoded folder again.
        UserFolderNames.LegacyFolder(user, UserFolderNames.Encode(user, out _)).Should().Be(expected);
    }

    [Fact]
    public void LegacyFolder_NameWithANulOrOfMoreThan255Utf8Bytes_IsNone()
    {
        // Built here, not as theory data: a NUL in a test's name does not survive the runner.
        UserFolderNames.LegacyFolder("a\0b", UserFolderNames.Encode("a\0b", out _)).Should().BeNull();

        var longest = new string('X', 255);
        var tooLong = new string('X', 256);

        UserFolderNames.LegacyFolder(longest, UserFolderNames.Encode(longest, out _)).Should().Be(longest);
        UserFolderNames.LegacyFolder(tooLong, UserFolderNames.Encode(tooLong, out _)).Should().BeNull("no file system takes a longer segment");
    }
}
