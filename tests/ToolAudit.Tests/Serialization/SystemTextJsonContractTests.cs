using System.Diagnostics;
using System.Text.Json;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Serialization;

/// <summary>
/// The public data types as a host's own endpoint or cache would hand them to System.Text.Json: an entry serializes to
/// the trail's own field names and values and reads back unchanged; statuses are the trail's words; statistics keep
/// their most-common-first order.
/// </summary>
public sealed class SystemTextJsonContractTests
{
    public static TheoryData<string, JsonSerializerOptions> Options => new()
    {
        { "default", JsonSerializerOptions.Default },
        { "web", JsonSerializerOptions.Web },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public async Task Serialize_EntryReadFromTheFiles_HasTheLineFieldsAndValuesAndReadsBackUnchanged(string name, JsonSerializerOptions options)
    {
        _ = name;
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using (var recorder = new AuditRecorder(store))
        {
            using var activity = new Activity("call").SetIdFormat(ActivityIdFormat.W3C).Start();
            using var scope = ToolAuditContext.Begin(engine: "openai", model: "gpt-4o", sessionId: "s-1", taskId: "t-9");
            recorder.Record(new ToolCall(
                "alice",
                "write_file",
                new Dictionary<string, object?> { ["path"] = "/tmp/a \"b\"", ["n"] = 3, ["flags"] = new[] { "x", "y" }, ["none"] = null },
                AuditStatus.Error,
                "partial\nresult")
            {
                CallId = "call_1",
                Confirmed = true,
                Duration = TimeSpan.FromMilliseconds(12.5),
                Error = "IOException: disk full",
            });
        }

        var line = AuditFiles.AllLines(folder.Path).Single();
        var entry = (await store.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Single();

        var json = JsonSerializer.Serialize(entry, options);

        using var fromFile = JsonDocument.Parse(line);
        using var fromSerializer = JsonDocument.Parse(json);
        var serialized = fromSerializer.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        foreach (var field in fromFile.RootElement.EnumerateObject())
        {
            serialized.Should().ContainKey(field.Name);
            if (field.Name == "ts")
            {
                serialized["ts"].GetDateTimeOffset().Should().Be(field.Value.GetDateTimeOffset());
            }
            else
            {
                JsonElement.DeepEquals(serialized[field.Name], field.Value).Should().BeTrue($"{field.Name} is {field.Value} in the file and {serialized[field.Name]} when serialized");
            }
        }

        serialized.Keys.Should().BeEquivalentTo(fromFile.RootElement.EnumerateObject().Select(p => p.Name), "no field beyond the line's");

        var back = JsonSerializer.Deserialize<AuditEntry>(json, options)!;
        back.Should().BeEquivalentTo(entry, o => o.Excluding(e => e.Args));
        back.Args!.Keys.Should().Equal(entry.Args!.Keys);
        foreach (var (key, value) in entry.Args)
        {
            JsonElement.DeepEquals(back.Args[key], value).Should().BeTrue(key);
        }

        back.Status.Should().Be(AuditStatus.Error);
        back.TraceId.Should().HaveLength(32);
    }

    [Theory]
    [InlineData(AuditStatus.Ok, "ok")]
    [InlineData(AuditStatus.Error, "error")]
    [InlineData(AuditStatus.Denied, "denied")]
    public void AuditStatus_IsWrittenAsTheTrailsWordAndReadInAnyCase(AuditStatus status, string word)
    {
        JsonSerializer.Serialize(status).Should().Be($"\"{word}\"");
        AuditStatusNames.ToJsonWord(status).Should().Be(word);
        JsonSerializer.Deserialize<AuditStatus>($"\"{word.ToUpperInvariant()}\"").Should().Be(status);
        AuditStatusNames.TryParse(word, out var parsed).Should().BeTrue();
        parsed.Should().Be(status);
    }

    [Theory]
    [InlineData("\"maybe\"", "maybe")]
    [InlineData("\"\"", "''")]
    [InlineData("1", "Number")]
    [InlineData("null", "Null")]
    public void AuditStatus_UnknownWordOrNotAString_FailsWithAJsonExceptionSayingWhat(string json, string named)
    {
        var read = () => JsonSerializer.Deserialize<AuditStatus>(json);

        read.Should().Throw<JsonException>().Which.Message.Should().Contain(named);
        AuditStatusNames.TryParse(json.Trim('"'), out _).Should().BeFalse();
    }

    [Fact]
    public void AuditStatus_UndefinedValue_IsNotWrittenAsAWord()
    {
        var write = () => JsonSerializer.Serialize((AuditStatus)42);

        write.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("status");
    }

    [Fact]
    public async Task Serialize_Stats_KeepsEachBreakdownMostCommonFirstAndReadsBack()
    {
        var store = new InMemoryAuditStore(capacity: 100);
        var at = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var calls = new (string User, string Tool, AuditStatus Status)[]
        {
            ("bob", "read", AuditStatus.Ok), ("alice", "write", AuditStatus.Denied), ("bob", "search", AuditStatus.Ok),
            ("carol", "search", AuditStatus.Error), ("bob", "search", AuditStatus.Ok), ("alice", "read", AuditStatus.Ok),
        };
        await store.WriteAsync(calls.Select((c, i) => new AuditEntry { Timestamp = at.AddSeconds(i), User = c.User, Tool = c.Tool, Status = c.Status }).ToList(), CancellationToken.None);
        var stats = await store.GetStatsAsync(new AuditQuery());

        var json = JsonSerializer.Serialize(stats);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("Total").GetInt64().Should().Be(6);
        root.GetProperty("ByTool").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())).Should().Equal(("search", 3L), ("read", 2L), ("write", 1L));
        root.GetProperty("ByStatus").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())).Should().Equal(("ok", 4L), ("denied", 1L), ("error", 1L));
        root.GetProperty("ByUser").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())).Should().Equal(("bob", 3L), ("alice", 2L), ("carol", 1L));
        var back = JsonSerializer.Deserialize<AuditStats>(json)!;
        back.Total.Should().Be(6);
        back.ByTool.Should().Equal(stats.ByTool);
        back.ByStatus.Should().Equal(stats.ByStatus);
        back.ByUser.Should().Equal(stats.ByUser);
    }
}
