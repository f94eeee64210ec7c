using System.Text;
using ToolAudit.Sinks.Jsonl;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks.Jsonl;

/// <summary>
/// Seeded random user names (path characters, case, dots, tildes, device names, byte order marks, emoji, CJK, names
/// long enough to be hashed): every folder name is one safe path segment, no two names share a folder, and a folder
/// gives its user back. Names that are not well-formed Unicode (a lone surrogate) have no folder: they are refused.
/// </summary>
public sealed class UserFolderNamesPropertyTests
{
    private static readonly string[] Pieces =
    [
        "a", "z", "0", "9", "A", "Z", ".", "..", "_", "-", "~", "~~", "/", "\\", ":", "\0", " ", "\t", "\n",
        "con", "NUL", "lpt1", "com9", "tool_audit", "\uFEFF", "é", "e\u0301", "ß", "İ", "ı", "用户", "名", "🙂", "👩‍💻",
        "\uFFFD", "%2e", "$", "*", "?", "\"", "<", ">", "|",
    ];

    [Fact]
    public void Encode_RandomWellFormedNames_AreSafeSegmentsThatNeverCollideAndDecodeBack()
    {
        var random = new Random(20261202);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var hashed = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var name = RandomName(random);
            var folder = UserFolderNames.Encode(name, out var needsNameFile);

            folder.Should().NotBeEmpty().And.NotBe(".").And.NotBe("..");
            folder.IndexOfAny(['/', '\\', '\0', ':']).Should().Be(-1, $"'{Escape(name)}' must map to one path segment, got '{Escape(folder)}'");
            Encoding.UTF8.GetByteCount(folder).Should().BeLessThanOrEqualTo(255);
            folder.Should().Be(folder.ToLowerInvariant(), "folder names are lower-case, so no two differ only in case");
            if (owners.TryGetValue(folder, out var owner))
            {
                owner.Should().Be(name, $"'{Escape(name)}' and '{Escape(owner)}' must not share folder '{folder}'");
            }

            owners[folder] = name;
            if (needsNameFile)
            {
                hashed++;
                folder.Should().StartWith("~~");
            }
            else
            {
                UserFolderNames.Decode(folder, folder: null).Should().Be(name);
            }
        }

        hashed.Should().BeGreaterThan(0, "some names are long enough to be hashed");
        owners.Count.Should().BeGreaterThan(10_000, "the names are mostly distinct");
    }

    [Fact]
    public void Encode_NameWithALoneSurrogate_IsRefusedRatherThanSharingTheFolderOfItsReplacement()
    {
        // Built here, not as theory data: the test runner would turn a lone surrogate into U+FFFD on the way.
        string[] names = ["a" + (char)0xD800, (char)0xDC00 + "b", "x" + (char)0xDBFF + (char)0xDBFF + "y", "🙂"[..1]];

        foreach (var name in names)
        {
            var encode = () => UserFolderNames.Encode(name, out _);
            encode.Should().Throw<ArgumentException>().WithMessage("*surrogate*");
        }

        UserFolderNames.Encode("a\uFFFD", out _).Should().StartWith("~", "the replacement character itself is a fine name");
    }

    [Fact]
    public async Task Store_UserWithALoneSurrogate_IsRefusedByWritesAndReadsAndWritesNothing()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var at = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        await store.WriteAsync([new AuditEntry { Timestamp = at, User = "a\uFFFD", Tool = "t", Status = AuditStatus.Ok }], CancellationToken.None);

        var write = async () => await store.WriteAsync([new AuditEntry { Timestamp = at, User = "a\uD800", Tool = "t", Status = AuditStatus.Ok }], CancellationToken.None);
        var read = async () => await store.ReadRecentAsync("a\uD800", days: 1, limit: 10, timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(at));
        var path = () => store.GetFilePath("a\uD800", DateOnly.FromDateTime(at.UtcDateTime));

        await write.Should().ThrowAsync<ArgumentException>();
        await read.Should().ThrowAsync<ArgumentException>();
        path.Should().Throw<ArgumentException>();
        (await store.QueryAsync(new AuditQuery()).ToListAsync()).Should().ContainSingle().Which.User.Should().Be("a\uFFFD");
    }

    [Fact]
    public async Task Record_UserWithALoneSurrogate_ThrowsArgumentExceptionAndCountsNothing()
    {
        var sink = new CollectingSink();
        await using var recorder = new AuditRecorder(sink);

        var record = () => recorder.Record(new ToolCall("a\uD800", "t", null, AuditStatus.Ok));
        var durable = async () => await recorder.RecordDurableAsync(new ToolCall("\uDC00", "t", null, AuditStatus.Ok));

        record.Should().Throw<ArgumentException>().WithMessage("*user*");
        await durable.Should().ThrowAsync<ArgumentException>();
        recorder.Counters.Should().Be(default(AuditCounters));
    }

    private static string RandomName(Random random)
    {
        var builder = new StringBuilder();
        var pieces = random.Next(8) == 0 ? random.Next(40, 120) : random.Next(1, 6);
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
