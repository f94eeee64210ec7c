using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Sinks;

/// <summary>
/// What every <see cref="IAuditStore"/> must do with queries, counts, statistics and the reader helpers. Each store's
/// test class derives from this one; xunit builds a new instance (and so a new temp folder and store) per test.
/// Expected results are computed here with plain LINQ, never with <see cref="AuditQuery.Matches"/>.
/// </summary>
public abstract class AuditStoreContractTests : IDisposable
{
    protected static readonly DateTimeOffset Start = new(2025, 3, 3, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Users = ["alice", "bob", "carol"];
    private static readonly string[] Tools = ["read_file", "Write_File", "web_search", "shell"];
    private static readonly string[] ToolParts = ["file", "READ", "sh", "x"];

    private IAuditStore? _store;

    protected TempFolder Folder { get; } = new();

    protected IAuditStore Store => _store ??= CreateStore();

    public void Dispose()
    {
        (_store as IDisposable)?.Dispose();
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task EveryReadAndPurge_CancelledToken_ThrowsAndPurgesNothing()
    {
        var corpus = await SeedCorpusAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        await FluentActions.Awaiting(async () => await Store.QueryAsync(new AuditQuery(), token).ToListAsync()).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.CountAsync(new AuditQuery(), token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.GetStatsAsync(new AuditQuery(), token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.GetUsersAsync(token).ToListAsync()).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.PurgeAsync(DateTimeOffset.MaxValue, token)).Should().ThrowAsync<OperationCanceledException>();

        (await Store.CountAsync(new AuditQuery())).Should().Be(corpus.Count);
    }

    [Fact]
    public async Task QueryAsync_NoFilters_ReturnsEveryUserMergedNewestFirst()
    {
        var corpus = await SeedCorpusAsync();

        var result = await QueryAsync(new AuditQuery { Limit = int.MaxValue });

        result.Should().Equal(Expected(corpus, _ => true));
    }

    [Fact]
    public async Task QueryAsync_User_ReturnsOnlyThatUsersEntriesNewestFirst()
    {
        var corpus = await SeedCorpusAsync();

        var result = await QueryAsync(new AuditQuery { User = "bob", Limit = int.MaxValue });

        result.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.User == "bob"));
    }

    [Fact]
    public async Task QueryAsync_SinceAndUntil_IncludesSinceAndExcludesUntil()
    {
        var corpus = await SeedCorpusAsync();
        var since = corpus[10].Timestamp;
        var until = corpus[40].Timestamp;

        var result = await QueryAsync(new AuditQuery { Since = since, Until = until, Limit = int.MaxValue });

        result.Should().Equal(Enumerable.Range(10, 30).Reverse());
    }

    [Fact]
    public async Task QueryAsync_Tool_MatchesACaseInsensitiveSubstring()
    {
        var corpus = await SeedCorpusAsync();

        var result = await QueryAsync(new AuditQuery { Tool = "FILE", Limit = int.MaxValue });

        result.Should().Equal(Expected(corpus, e => e.Tool is "read_file" or "Write_File"));
    }

    [Fact]
    public async Task QueryAsync_Status_ReturnsOnlyThatStatus()
    {
        var corpus = await SeedCorpusAsync();

        var denied = await QueryAsync(new AuditQuery { Status = AuditStatus.Denied, Limit = int.MaxValue });
        var errors = await QueryAsync(new AuditQuery { Status = AuditStatus.Error, Limit = int.MaxValue });

        denied.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.Status == AuditStatus.Denied));
        errors.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.Status == AuditStatus.Error));
    }

    [Fact]
    public async Task QueryAsync_SessionAndTask_MatchExactly()
    {
        var corpus = await SeedCorpusAsync();

        var session = await QueryAsync(new AuditQuery { SessionId = "s-odd", Limit = int.MaxValue });
        var task = await QueryAsync(new AuditQuery { TaskId = "t-2", Limit = int.MaxValue });
        var wrongCase = await QueryAsync(new AuditQuery { SessionId = "S-ODD", Limit = int.MaxValue });

        session.Should().Equal(Expected(corpus, e => e.SessionId == "s-odd"));
        task.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.TaskId == "t-2"));
        wrongCase.Should().BeEmpty();
    }

    [Fact]
    public async Task QueryAsync_EngineAndModel_MatchIgnoringCase()
    {
        var corpus = await SeedCorpusAsync();

        var engine = await QueryAsync(new AuditQuery { Engine = "OpenAI", Limit = int.MaxValue });
        var model = await QueryAsync(new AuditQuery { Model = "GPT-4O", Limit = int.MaxValue });
        var partial = await QueryAsync(new AuditQuery { Model = "gpt", Limit = int.MaxValue });

        engine.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.Engine == "openai"));
        model.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.Model == "gpt-4o"));
        partial.Should().BeEmpty("engine and model match whole names");
    }

    [Fact]
    public async Task QueryAsync_ConfirmedOnly_ReturnsOnlyApprovedCalls()
    {
        var corpus = await SeedCorpusAsync();

        var result = await QueryAsync(new AuditQuery { ConfirmedOnly = true, Limit = int.MaxValue });

        result.Should().NotBeEmpty().And.Equal(Expected(corpus, e => e.Confirmed));
    }

    [Fact]
    public async Task QueryAsync_EveryFilterAtOnce_AppliesThemAll()
    {
        var corpus = await SeedCorpusAsync();
        var query = new AuditQuery
        {
            User = "alice",
            Since = corpus[5].Timestamp,
            Until = corpus[80].Timestamp,
            Tool = "_",
            Status = AuditStatus.Ok,
            Engine = "openai",
            Limit = int.MaxValue,
        };

        var result = await QueryAsync(query);

        var expected = Expected(corpus, e => e.User == "alice" && e.Seq() is >= 5 and < 80 && e.Tool.Contains('_') && e.Status == AuditStatus.Ok && e.Engine == "openai");
        expected.Should().NotBeEmpty();
        result.Should().Equal(expected);
    }

    [Fact]
    public async Task QueryAsync_OffsetAndLimit_PageThroughNewestFirstWithoutGapsOrRepeats()
    {
        var corpus = await SeedCorpusAsync();
        var pages = new List<int>();

        for (var offset = 0; offset < corpus.Count; offset += 20)
        {
            var page = await QueryAsync(new AuditQuery { Offset = offset, Limit = 20 });
            page.Count.Should().Be(Math.Min(20, corpus.Count - offset));
            pages.AddRange(page);
        }

        pages.Should().Equal(Expected(corpus, _ => true));
        (await QueryAsync(new AuditQuery { User = "carol", Offset = 3, Limit = 4 })).Should().Equal(Expected(corpus, e => e.User == "carol").Skip(3).Take(4));
    }

    [Fact]
    public async Task QueryAsync_EntriesStoredOutOfTimeOrder_ReturnsThemNewestFirst()
    {
        // Lines reach a store in the order writers deliver them, not in time order: two processes appending to the same
        // day file, or two producers whose timestamps were taken in one order and queued in the other.
        await WriteAsync([Entries.At(Start.AddSeconds(2), sequence: 2), Entries.At(Start.AddSeconds(1), sequence: 1)]);
        await WriteAsync([Entries.At(Start.AddSeconds(4), sequence: 4), Entries.At(Start.AddSeconds(3), sequence: 3)]);

        var all = await QueryAsync(new AuditQuery());
        var newest = await QueryAsync(new AuditQuery { Limit = 1 });
        var day = await Store.ReadDayAsync("alice", DateOnly.FromDateTime(Start.UtcDateTime));

        all.Should().Equal(4, 3, 2, 1);
        newest.Should().Equal(4);
        day.Select(e => e.Seq()).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public async Task QueryAsync_LimitZero_ReturnsNothing()
    {
        await SeedCorpusAsync();

        (await QueryAsync(new AuditQuery { Limit = 0 })).Should().BeEmpty();
    }

    [Fact]
    public async Task CountAsync_Filters_CountsEveryMatchIgnoringLimitAndOffset()
    {
        var corpus = await SeedCorpusAsync();

        (await Store.CountAsync(new AuditQuery { Limit = 1, Offset = 50 })).Should().Be(corpus.Count);
        (await Store.CountAsync(new AuditQuery { User = "alice", Tool = "SHELL" })).Should().Be(corpus.Count(e => e.User == "alice" && e.Tool == "shell"));
        (await Store.CountAsync(new AuditQuery { Since = corpus[30].Timestamp, ConfirmedOnly = true })).Should().Be(corpus.Count(e => e.Seq() >= 30 && e.Confirmed));
        (await Store.CountAsync(new AuditQuery { User = "nobody" })).Should().Be(0);
    }

    [Fact]
    public async Task GetStatsAsync_MoreEntriesThanTheDefaultLimit_IsExactAndMostCommonFirst()
    {
        // 450 entries in range: alice 250, bob 150, carol 50; search 200, read 150, write 100; ok 270, error 135, denied 45.
        var inRange = Enumerable.Range(0, 450).Select(i => Entries.At(
            Start.AddMinutes(i * 5),
            user: i < 250 ? "alice" : i < 400 ? "bob" : "carol",
            tool: (i % 9) switch { < 4 => "search", < 7 => "read", _ => "write" },
            status: (i % 10) switch { < 6 => AuditStatus.Ok, < 9 => AuditStatus.Error, _ => AuditStatus.Denied },
            sequence: i)).ToList();
        var before = Enumerable.Range(0, 10).Select(i => Entries.At(Start.AddHours(-1).AddMinutes(i), user: "dave", tool: "old", sequence: 1000 + i));
        var after = Enumerable.Range(0, 10).Select(i => Entries.At(Start.AddMinutes(450 * 5).AddMinutes(i), user: "erin", tool: "new", sequence: 2000 + i));
        await WriteAsync(before.Concat(inRange).Concat(after).ToList());
        var range = new AuditQuery { Since = Start, Until = Start.AddMinutes(450 * 5) };

        var stats = await Store.GetStatsAsync(range);
        var count = await Store.CountAsync(range);
        var firstPage = await QueryAsync(range);

        stats.Total.Should().Be(450);
        count.Should().Be(450);
        Ordered(stats.ByUser).Should().Equal(Pairs(("alice", 250), ("bob", 150), ("carol", 50)));
        Ordered(stats.ByTool).Should().Equal(Pairs(("search", 200), ("read", 150), ("write", 100)));
        Ordered(stats.ByStatus).Should().Equal(Pairs(("ok", 270), ("error", 135), ("denied", 45)));
        stats.ByUser.Keys.Should().Equal("alice", "bob", "carol");
        stats.ByTool.Keys.Should().Equal("search", "read", "write");
        stats.ByStatus.Keys.Should().Equal("ok", "error", "denied");
        stats.Dropped.Should().Be(0);
        firstPage.Should().Equal(Enumerable.Range(250, 200).Reverse(), "the default limit is 200, newest first");

        var everything = await Store.GetStatsAsync(new AuditQuery { Limit = 1 });
        everything.Total.Should().Be(470);
        everything.ByUser.Keys.Should().Equal("alice", "bob", "carol", "dave", "erin");
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("alice", -1)]
    public async Task WriteGapsAsync_GapNoReaderCouldTake_ThrowsAndKeepsNothingOfTheList(string? user, long dropped)
    {
        // A marker under an empty name belongs to no one; a negative count corrupts the line, or the drop count.
        var gaps = (IAuditGapSink)Store;
        AuditGap[] refused = [new AuditGap("bob", 3, Start, Start), new AuditGap(user!, dropped, Start, Start)];

        var write = async () => await gaps.WriteGapsAsync(refused, default);
        var writeNull = async () => await gaps.WriteGapsAsync([refused[0], null!], default);

        await write.Should().ThrowAsync<ArgumentException>();
        await writeNull.Should().ThrowAsync<ArgumentNullException>();
        (await Store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(0, "nothing of a refused list is kept");
    }

    [Fact]
    public async Task WriteGapsAsync_GapWithNoDrops_IsKeptAsTheReadersTakeIt()
    {
        // Only a negative count is refused: a marker of zero drops is a line every reader takes (the boundary of the check).
        var gaps = (IAuditGapSink)Store;

        await gaps.WriteGapsAsync([new AuditGap("bob", 0, Start, Start), new AuditGap("bob", 2, Start, Start)], default);

        (await Store.GetStatsAsync(new AuditQuery())).Dropped.Should().Be(2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ReadRecentAndReadDay_UserNoCallCanHave_ThrowArgumentExceptionNamingTheUser(int which)
    {
        // Made here: xunit would carry a lone surrogate in test data as U+FFFD.
        var user = which switch { 0 => string.Empty, 1 => "\ud800", _ => "a\udc00" };

        // Empty, or a lone surrogate (no user's name: as UTF-8 it would be U+FFFD, another user's): named as the
        // parameter the caller passed, not as the query the helper builds.
        var recent = async () => await Store.ReadRecentAsync(user);
        var day = async () => await Store.ReadDayAsync(user, DateOnly.FromDateTime(Start.UtcDateTime));

        (await recent.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("user");
        (await day.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("user");
    }

    [Fact]
    public async Task Writes_NullList_ThrowArgumentNullExceptionNamingIt()
    {
        // Not a NullReferenceException from deep inside: every store names the argument, as its docs say.
        var write = async () => await Store.WriteAsync(null!, default);
        var writeGaps = async () => await ((IAuditGapSink)Store).WriteGapsAsync(null!, default);

        (await write.Should().ThrowExactlyAsync<ArgumentNullException>()).Which.ParamName.Should().Be("batch");
        (await writeGaps.Should().ThrowExactlyAsync<ArgumentNullException>()).Which.ParamName.Should().Be("gaps");
    }

    [Theory]
    [InlineData(null, "t", 0)]
    [InlineData("", "t", 0)]
    [InlineData("bob", null, 0)]
    [InlineData("bob", "", 0)]
    [InlineData("surrogate", "t", 0)]
    [InlineData("bob", "t", 3)]
    [InlineData("bob", "t", -1)]
    public async Task WriteAsync_EntryNoReaderCouldTake_ThrowsArgumentExceptionAndKeepsNothingOfTheBatch(string? user, string? tool, int status)
    {
        // Every store refuses what the files could not hold or give back (README: a lone surrogate in a user name is
        // refused "by the stores' writes and reads, JSONL and in-memory alike"), the whole batch, before keeping any.
        // The surrogate is built here: the test runner would turn it into U+FFFD on the way.
        var bad = Entries.At(Start.AddSeconds(1), sequence: 1) with
        {
            User = user == "surrogate" ? "a" + (char)0xD800 : user!,
            Tool = tool!,
            Status = (AuditStatus)status,
        };

        var write = async () => await Store.WriteAsync([Entries.At(Start, user: "bob"), bad], default);

        await write.Should().ThrowAsync<ArgumentException>();
        (await Store.CountAsync(new AuditQuery())).Should().Be(0, "nothing of a refused batch is kept");
    }

    [Fact]
    public async Task WriteAsync_TimestampFinerThanAMillisecond_IsKeptToTheMillisecondSoRangesAgree()
    {
        // The files keep ts to the millisecond (as gap markers, in every store): an entry handed to a store directly
        // with a finer time must fall in the same ranges in every store, not in a range only one of them answers.
        var exact = Start.AddTicks(5_000).ToOffset(TimeSpan.FromHours(2));
        await WriteAsync([Entries.At(exact)]);

        var stored = (await Store.QueryAsync(new AuditQuery()).ToListAsync()).Single();
        var fromExact = await Store.CountAsync(new AuditQuery { Since = exact });
        var untilExact = await Store.CountAsync(new AuditQuery { Until = exact });

        stored.Timestamp.Should().Be(Start);
        stored.Timestamp.Offset.Should().Be(TimeSpan.Zero);
        fromExact.Should().Be(0);
        untilExact.Should().Be(1);
    }

    [Fact]
    public async Task GetStatsAsync_TiedCounts_AreOrderedByKey()
    {
        await WriteAsync([
            Entries.At(Start, user: "zed", tool: "b"),
            Entries.At(Start.AddSeconds(1), user: "amy", tool: "a"),
            Entries.At(Start.AddSeconds(2), user: "amy", tool: "c"),
            Entries.At(Start.AddSeconds(3), user: "zed", tool: "c"),
        ]);

        var stats = await Store.GetStatsAsync(new AuditQuery());

        stats.ByTool.Keys.Should().Equal("c", "a", "b");
        stats.ByUser.Keys.Should().Equal("amy", "zed");
    }

    [Fact]
    public async Task GetUsersAsync_SeveralUsers_ReturnsEachOnceInOrdinalOrder()
    {
        await WriteAsync([
            Entries.At(Start, user: "bob"),
            Entries.At(Start.AddSeconds(1), user: "Zoe"),
            Entries.At(Start.AddSeconds(2), user: "alice"),
            Entries.At(Start.AddSeconds(3), user: "bob"),
        ]);

        (await Store.GetUsersAsync().ToListAsync()).Should().Equal("Zoe", "alice", "bob");
    }

    [Fact]
    public async Task ReadRecentAsync_FakeClock_ReturnsTheUsersLastDaysNewestFirst()
    {
        var clock = await SeedTenDaysAsync();

        var week = await Store.ReadRecentAsync("alice", timeProvider: clock);
        var today = await Store.ReadRecentAsync("alice", days: 1, timeProvider: clock);
        var limited = await Store.ReadRecentAsync("alice", days: 7, limit: 3, timeProvider: clock);

        week.Select(e => e.Timestamp).Should().Equal(TenDays("alice", fromDay: 4).OrderDescending());
        today.Select(e => e.Timestamp).Should().Equal(Day(10, 10), Day(10, 8));
        limited.Select(e => e.Timestamp).Should().Equal(Day(10, 10), Day(10, 8), Day(9, 10));
        week.Should().OnlyContain(e => e.User == "alice");
    }

    [Fact]
    public async Task ReadDayAsync_OneDay_ReturnsItsEntriesOldestFirst()
    {
        await SeedTenDaysAsync();

        var alice = await Store.ReadDayAsync("alice", new DateOnly(2025, 3, 5));
        var bob = await Store.ReadDayAsync("bob", new DateOnly(2025, 3, 5));
        var none = await Store.ReadDayAsync("alice", new DateOnly(2025, 2, 1));

        alice.Select(e => e.Timestamp).Should().Equal(Day(5, 8), Day(5, 10));
        bob.Select(e => e.Timestamp).Should().Equal(Day(5, 9));
        none.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadDayAsync_ZoneWhoseMidnightComesTwiceOrNever_DaysStartAtTheirFirstInstant()
    {
        // In spring 00:00 local becomes 01:00 (midnight never comes); in autumn 01:00 becomes 00:00 again, so the hour
        // after midnight comes twice and the day begins with the first.
        var zone = TestTimeZones.Azores;
        var lastOfOctober = new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero); // 00:00 local, the first time
        var lastOfMarch = new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero); // 01:00 local, right after 23:59:59
        zone.IsAmbiguousTime(lastOfOctober).Should().BeTrue("the zone puts its clocks back to midnight");
        await WriteAsync([
            Entries.At(lastOfOctober.AddMinutes(-30), sequence: 1),
            Entries.At(lastOfOctober.AddMinutes(30), sequence: 2),
            Entries.At(lastOfOctober.AddMinutes(90), sequence: 3),
            Entries.At(lastOfMarch.AddMinutes(-30), sequence: 4),
            Entries.At(lastOfMarch.AddMinutes(30), sequence: 5),
        ]);

        (await Store.ReadDayAsync("alice", new DateOnly(2026, 10, 24), zone)).Select(e => e.Seq()).Should().Equal(1);
        (await Store.ReadDayAsync("alice", new DateOnly(2026, 10, 25), zone)).Select(e => e.Seq()).Should().Equal(2, 3);
        (await Store.ReadDayAsync("alice", new DateOnly(2026, 3, 28), zone)).Select(e => e.Seq()).Should().Equal(4);
        (await Store.ReadDayAsync("alice", new DateOnly(2026, 3, 29), zone)).Select(e => e.Seq()).Should().Equal(5);
    }

    [Fact]
    public async Task ReadDayAsync_FirstAndLastDayOfTheCalendar_ReturnsTheirEntriesWithoutThrowing()
    {
        await WriteAsync([
            Entries.At(new DateTimeOffset(1, 1, 1, 12, 0, 0, TimeSpan.Zero), sequence: 1),
            Entries.At(new DateTimeOffset(9999, 12, 31, 12, 0, 0, TimeSpan.Zero), sequence: 2),
        ]);

        (await Store.ReadDayAsync("alice", DateOnly.MaxValue)).Select(e => e.Seq()).Should().Equal(2);
        (await Store.ReadDayAsync("alice", DateOnly.MinValue)).Select(e => e.Seq()).Should().Equal(1);
        (await Store.ReadDayAsync("alice", DateOnly.MinValue, TestTimeZones.PlusFive)).Select(e => e.Seq()).Should().Equal([1], "its midnight lies before the calendar's first instant, which starts the day");
        (await Store.ReadDayAsync("alice", DateOnly.MaxValue, TestTimeZones.MinusEight)).Select(e => e.Seq()).Should().Equal([2], "its end lies after the calendar's last instant");
    }

    [Fact]
    public async Task ReadRecentAsync_MoreDaysThanTheCalendarHolds_ReadsEverythingWithoutThrowing()
    {
        var clock = await SeedTenDaysAsync();

        var all = await Store.ReadRecentAsync("alice", days: int.MaxValue, limit: int.MaxValue, timeProvider: clock);
        var everyone = await Store.ReadRecentAllUsersAsync(days: int.MaxValue, limit: int.MaxValue, timeProvider: clock);

        all.Select(e => e.Timestamp).Should().Equal(TenDays("alice", fromDay: 1).OrderDescending());
        everyone.Should().HaveCount((int)await Store.CountAsync(new AuditQuery()));
    }

    [Fact]
    public async Task ReadRecentAllUsersAsync_FakeClock_MergesEveryUserNewestFirst()
    {
        var clock = await SeedTenDaysAsync();

        var two = await Store.ReadRecentAllUsersAsync(days: 2, timeProvider: clock);
        var limited = await Store.ReadRecentAllUsersAsync(days: 2, limit: 4, timeProvider: clock);

        two.Select(e => (e.User, e.Timestamp)).Should().Equal(
            ("alice", Day(10, 10)), ("bob", Day(10, 9)), ("alice", Day(10, 8)),
            ("alice", Day(9, 10)), ("bob", Day(9, 9)), ("alice", Day(9, 8)));
        limited.Select(e => e.Timestamp).Should().Equal(Day(10, 10), Day(10, 9), Day(10, 8), Day(9, 10));
    }

    [Fact]
    public async Task ReadRecentAsync_ZeroDays_ThrowsArgumentOutOfRangeException()
    {
        var read = async () => await Store.ReadRecentAsync("alice", days: 0);

        await read.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task ReadRecentAsync_NegativeLimit_ThrowsArgumentOutOfRangeExceptionNamingTheLimit()
    {
        var read = async () => await Store.ReadRecentAsync("alice", days: 1, limit: -1);
        var readAll = async () => await Store.ReadRecentAllUsersAsync(days: 1, limit: -1);

        (await read.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("limit");
        (await readAll.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("limit");
    }

    [Fact]
    public async Task Reads_UserWithALoneSurrogate_ThrowArgumentExceptionRatherThanAnsweringForNobody()
    {
        // Built here, not as theory data: the test runner would turn a lone surrogate into U+FFFD on the way. As UTF-8
        // "a\uD800" is "a\uFFFD", whose entry is stored: a store must not answer for it, nor say "nothing" either.
        var user = "a" + (char)0xD800;
        await WriteAsync([Entries.At(Start, user: "a\uFFFD")]);
        var query = new AuditQuery { User = user };

        var read = async () => await Store.QueryAsync(query).ToListAsync();
        var count = async () => await Store.CountAsync(query);
        var stats = async () => await Store.GetStatsAsync(query);
        var recent = async () => await Store.ReadRecentAsync(user, days: 1, timeProvider: new FakeTimeProvider(Start));

        (await read.Should().ThrowAsync<ArgumentException>()).WithMessage("*surrogate*");
        (await count.Should().ThrowAsync<ArgumentException>()).WithMessage("*surrogate*");
        (await stats.Should().ThrowAsync<ArgumentException>()).WithMessage("*surrogate*");
        (await recent.Should().ThrowAsync<ArgumentException>()).WithMessage("*surrogate*");
        var none = async () => await Store.QueryAsync(query with { Limit = 0 }).ToListAsync();
        (await none.Should().ThrowAsync<ArgumentException>("a query that asks for nothing still names no user")).WithMessage("*surrogate*");
        (await Store.CountAsync(new AuditQuery { User = "a\uFFFD" })).Should().Be(1, "the replacement character itself is a fine name");
    }

    [Fact]
    public async Task Queries_RandomFiltersLimitsAndOffsets_AgreeWithTheCorpusEntryForEntry()
    {
        // Seeded: 400 entries over five days (distinct milliseconds, written in time order, in batches), then 300
        // random queries; the expected answers are computed here from the corpus with plain LINQ.
        var random = new Random(20261202);
        string[] users = ["alice", "bob", "carol", "Dave"];
        string[] tools = ["read_file", "Write_File", "web_search", "shell", "FILE_list"];
        string?[] sessions = [null, "s-1", "s-2", "S-1"];
        string?[] engines = [null, "openai", "OpenAI", "anthropic"];
        var moments = Enumerable.Range(0, 400).Select(_ => random.NextInt64(0, TimeSpan.FromDays(5).Ticks / TimeSpan.TicksPerMillisecond)).Distinct().Order().ToList();
        var corpus = moments.Select((ms, i) => Entries.At(
            Start.AddMilliseconds(ms),
            user: users[random.Next(users.Length)],
            tool: tools[random.Next(tools.Length)],
            status: (AuditStatus)random.Next(3),
            sequence: i) with
        {
            SessionId = sessions[random.Next(sessions.Length)],
            TaskId = random.Next(2) == 0 ? null : $"t-{random.Next(3)}",
            Engine = engines[random.Next(engines.Length)],
            Model = random.Next(2) == 0 ? "gpt-4o" : "GPT-4O",
            Confirmed = random.Next(3) == 0,
        }).ToList();
        foreach (var chunk in corpus.Chunk(37))
        {
            await WriteAsync(chunk);
        }

        for (var q = 0; q < 300; q++)
        {
            DateTimeOffset? since = random.Next(3) == 0 ? null : Start.AddMinutes(random.Next(-60, 7_300));
            DateTimeOffset? until = random.Next(3) == 0 ? null : Start.AddMinutes(random.Next(-60, 7_300));
            var query = new AuditQuery
            {
                User = random.Next(3) == 0 ? null : random.Next(8) == 0 ? "nobody" : users[random.Next(users.Length)],
                Since = since,
                Until = until,
                Tool = random.Next(3) == 0 ? ToolParts[random.Next(ToolParts.Length)] : null,
                Status = random.Next(3) == 0 ? (AuditStatus)random.Next(3) : null,
                SessionId = random.Next(4) == 0 ? sessions[random.Next(1, sessions.Length)] : null,
                TaskId = random.Next(5) == 0 ? $"t-{random.Next(3)}" : null,
                Engine = random.Next(4) == 0 ? "OPENAI" : null,
                Model = random.Next(6) == 0 ? "gpt-4o" : null,
                ConfirmedOnly = random.Next(5) == 0,
                Limit = random.Next(4) == 0 ? int.MaxValue : random.Next(0, 60),
                Offset = random.Next(3) == 0 ? random.Next(0, 40) : 0,
            };
            var matching = corpus.Where(e =>
                    (query.User is null || e.User == query.User)
                    && (since is null || e.Timestamp >= since)
                    && (until is null || e.Timestamp < until)
                    && (query.Tool is null || e.Tool.ToUpperInvariant().Contains(query.Tool.ToUpperInvariant(), StringComparison.Ordinal))
                    && (query.Status is null || e.Status == query.Status)
                    && (query.SessionId is null || e.SessionId == query.SessionId)
                    && (query.TaskId is null || e.TaskId == query.TaskId)
                    && (query.Engine is null || string.Equals(e.Engine, query.Engine, StringComparison.OrdinalIgnoreCase))
                    && (query.Model is null || string.Equals(e.Model, query.Model, StringComparison.OrdinalIgnoreCase))
                    && (!query.ConfirmedOnly || e.Confirmed))
                .OrderByDescending(e => e.Timestamp)
                .ToList();

            var page = await QueryAsync(query);
            var count = await Store.CountAsync(query);
            var stats = await Store.GetStatsAsync(query);

            page.Should().Equal(matching.Skip(query.Offset).Take(query.Limit).Select(e => e.Seq()), $"query {q}: {query}");
            count.Should().Be(matching.Count, $"query {q}");
            stats.Total.Should().Be(matching.Count, $"query {q}");
            Ordered(stats.ByTool).Should().Equal(Breakdown(matching, e => e.Tool), $"query {q}");
            Ordered(stats.ByUser).Should().Equal(Breakdown(matching, e => e.User), $"query {q}");
            Ordered(stats.ByStatus).Should().Equal(Breakdown(matching, e => AuditStatusNames.ToJsonWord(e.Status)), $"query {q}");
        }

        static List<(string Key, long Count)> Breakdown(List<AuditEntry> entries, Func<AuditEntry, string> key) =>
            entries.GroupBy(key).Select(g => (g.Key, (long)g.Count())).OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task QueryAsync_EntriesWrittenUpToASecondOutOfTimeOrder_ComeBackExactlyNewestFirst()
    {
        // Seeded: distinct times a few milliseconds apart, written in the order of time plus up to 900 ms of jitter
        // (as concurrent callers and two processes appending can leave them), in batches of random size.
        var random = new Random(20261202);
        var time = Start;
        var corpus = Enumerable.Range(0, 600).Select(i =>
        {
            time = time.AddMilliseconds(random.Next(1, 40));
            return Entries.At(time, user: Users[random.Next(Users.Length)], sequence: i);
        }).ToList();
        var writeOrder = corpus.OrderBy(e => e.Timestamp.AddMilliseconds(random.Next(0, 900))).ToList();
        for (var written = 0; written < writeOrder.Count;)
        {
            var size = Math.Min(random.Next(1, 50), writeOrder.Count - written);
            await WriteAsync(writeOrder.GetRange(written, size));
            written += size;
        }

        var all = await QueryAsync(new AuditQuery { Limit = int.MaxValue });
        var bob = await QueryAsync(new AuditQuery { User = "bob", Limit = int.MaxValue });
        var page = await QueryAsync(new AuditQuery { Limit = 50, Offset = 100 });

        all.Should().Equal(Expected(corpus, _ => true));
        bob.Should().Equal(Expected(corpus, e => e.User == "bob"));
        page.Should().Equal(Expected(corpus, _ => true).Skip(100).Take(50));
    }

    protected abstract IAuditStore CreateStore();

    protected Task WriteAsync(IReadOnlyList<AuditEntry> entries) => Store.WriteAsync(entries, default).AsTask();

    protected async Task<List<int>> QueryAsync(AuditQuery query) =>
        (await Store.QueryAsync(query).ToListAsync()).Select(e => e.Seq()).ToList();

    protected static DateTimeOffset Day(int dayOfMarch, int hour) => new(2025, 3, dayOfMarch, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Ninety entries over three days, varying every field a query can filter on.</summary>
    protected async Task<IReadOnlyList<AuditEntry>> SeedCorpusAsync()
    {
        var corpus = Enumerable.Range(0, 90).Select(i => Entries.At(
            Start.AddMinutes(i * 47),
            user: Users[i % 3],
            tool: Tools[i % 4],
            status: i % 5 == 0 ? AuditStatus.Error : i % 7 == 0 ? AuditStatus.Denied : AuditStatus.Ok,
            sequence: i) with
        {
            SessionId = i % 2 == 0 ? "s-even" : "s-odd",
            TaskId = $"t-{i % 5}",
            Engine = i % 2 == 0 ? "openai" : "anthropic",
            Model = i % 3 == 0 ? "gpt-4o" : "claude",
            Confirmed = i % 4 == 1,
        }).ToList();

        // Several batches, as a recorder would hand them over.
        foreach (var chunk in corpus.Chunk(16))
        {
            await WriteAsync(chunk);
        }

        return corpus;
    }

    /// <summary>Alice at 08:00 and 10:00 and Bob at 09:00, every day from March 1st to 10th; the clock says March 10th, noon.</summary>
    protected async Task<FakeTimeProvider> SeedTenDaysAsync()
    {
        var entries = new List<AuditEntry>();
        for (var day = 1; day <= 10; day++)
        {
            entries.Add(Entries.At(Day(day, 8), user: "alice", sequence: (day * 10) + 8));
            entries.Add(Entries.At(Day(day, 9), user: "bob", sequence: (day * 10) + 9));
            entries.Add(Entries.At(Day(day, 10), user: "alice", sequence: (day * 10) + 10));
        }

        await WriteAsync(entries);
        return new FakeTimeProvider(Day(10, 12));
    }

    private static IEnumerable<DateTimeOffset> TenDays(string user, int fromDay) =>
        Enumerable.Range(fromDay, 11 - fromDay).SelectMany(d => user == "alice" ? new[] { Day(d, 8), Day(d, 10) } : new[] { Day(d, 9) });

    private static List<int> Expected(IEnumerable<AuditEntry> corpus, Func<AuditEntry, bool> predicate) =>
        corpus.Where(predicate).OrderByDescending(e => e.Timestamp).Select(e => e.Seq()).ToList();

    private static (string Key, long Count)[] Pairs(params (string Key, long Count)[] pairs) => pairs;

    /// <summary>A breakdown as it enumerates: the order is part of the contract.</summary>
    private static List<(string Key, long Count)> Ordered(IReadOnlyDictionary<string, long> breakdown) =>
        breakdown.Select(p => (p.Key, p.Value)).ToList();
}
