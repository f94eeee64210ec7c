using System.Reflection;
using System.Text.Json;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Serialization;

/// <summary>Entries compare by what they hold, arguments included, not by the argument dictionaries' instances.</summary>
public sealed class AuditEntryEqualityTests
{
    private static readonly AuditEntry Sample = new()
    {
        Id = "019ab3c2-5e1f-7a31-9c2d-4be1f0a3d2e1",
        Timestamp = new DateTimeOffset(2026, 12, 2, 20, 45, 29, 902, TimeSpan.Zero),
        User = "alice",
        Engine = "openai",
        Model = "gpt-4o",
        Tool = "read_file",
        Args = Args("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["a","b"]},"none":null}"""),
        Status = AuditStatus.Ok,
        ResultChars = 1234,
        ResultSnippet = "# Notes",
        SessionId = "c-42",
        TaskId = "t-1",
        CallId = "call_abc",
        Confirmed = true,
        DurationMs = 12.5,
        Error = null,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };

    [Fact]
    public async Task Equals_TheSameLineReadTwiceFromAStore_IsTrueWithTheSameHash()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await store.WriteAsync([Sample], CancellationToken.None);

        var first = (await store.ReadDayAsync("alice", DateOnly.FromDateTime(Sample.Timestamp.UtcDateTime))).Single();
        var second = (await store.ReadDayAsync("alice", DateOnly.FromDateTime(Sample.Timestamp.UtcDateTime))).Single();

        first.Args.Should().NotBeSameAs(second.Args, "each read builds its own arguments");
        first.Should().Be(second);
        (first == second).Should().BeTrue();
        first.GetHashCode().Should().Be(second.GetHashCode());
        first.Should().Be(Sample, "what was written is what is read");
    }

    [Fact]
    public void Equals_ArgumentsThatSayTheSameInOtherJsonText_IsTrueWithTheSameHash()
    {
        // Escapes, property order and a number's spelling do not change what the arguments say.
        var other = Sample with { Args = Args("""{"opts":{"tags":["\u0061","b"],"deep":true},"none":null,"n":2.0,"path":"notes\u002emd"}""") };

        other.Should().Be(Sample);
        other.GetHashCode().Should().Be(Sample.GetHashCode());
    }

    [Theory]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["a","b"]}}""")]
    [InlineData("""{"path":"notes.md","n":3,"opts":{"deep":true,"tags":["a","b"]},"none":null}""")]
    [InlineData("""{"path":"Notes.md","n":2,"opts":{"deep":true,"tags":["a","b"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":false,"tags":["a","b"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["b","a"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["a","b","c"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tagz":["a","b"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":"2","opts":{"deep":true,"tags":["a","b"]},"none":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["a","b"]},"none":0}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"tags":["a","b"]},"nothing":null}""")]
    [InlineData("""{"path":"notes.md","n":2,"opts":{"deep":true,"deep":true},"none":null}""")]
    public void Equals_ArgumentsThatSayAnythingElse_IsFalse(string args)
    {
        (Sample with { Args = Args(args) }).Should().NotBe(Sample);
        (Sample with { Args = null }).Should().NotBe(Sample);
    }

    [Fact]
    public void Equals_AnyOtherPropertyDiffers_IsFalse()
    {
        // Every public property takes part, so one added later cannot be forgotten in Equals.
        foreach (var property in typeof(AuditEntry).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != nameof(AuditEntry.Args)))
        {
            var changed = Sample with { };
            var value = property.GetValue(Sample);
            object? other = value switch
            {
                string text => text + "x",
                null => "x",
                DateTimeOffset time => time.AddMilliseconds(1),
                AuditStatus => AuditStatus.Denied,
                int number => number + 1,
                bool flag => !flag,
                double duration => duration + 1,
                _ => throw new InvalidOperationException($"No other value for {property.Name} ({property.PropertyType})."),
            };
            property.SetValue(changed, other);

            changed.Should().NotBe(Sample, property.Name);
        }

        Sample.Equals(null).Should().BeFalse();
    }

    private static Dictionary<string, JsonElement> Args(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
