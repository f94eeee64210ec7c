namespace ToolAudit.Tests.Recording;

/// <summary>The call record hosts build: its optional values read back as they were set.</summary>
public sealed class ToolCallTests
{
    [Fact]
    public void Duration_UnsetIsNull()
    {
        new ToolCall("alice", "tool", null, AuditStatus.Ok).Duration.Should().BeNull();
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(-5L)]
    [InlineData(15_000_000L)]
    [InlineData(long.MaxValue)]
    public void Duration_SetValue_ReadsBackAndSurvivesWithAndEquality(long ticks)
    {
        var call = new ToolCall("alice", "tool", null, AuditStatus.Ok) { Duration = TimeSpan.FromTicks(ticks) };

        call.Duration.Should().Be(TimeSpan.FromTicks(ticks));
        var copy = call with { Tool = "other" };
        copy.Duration.Should().Be(TimeSpan.FromTicks(ticks));
        (copy with { Tool = "tool" }).Should().Be(call);
        (call with { Duration = null }).Duration.Should().BeNull();
        (call with { Duration = null }).Should().NotBe(call);
    }

    [Fact]
    public void IsValidUser_RefusesMissingNamesAndLoneSurrogatesAndTakesAnyOtherText()
    {
        // Built in code: a lone surrogate in theory data would reach the test as U+FFFD.
        string?[] refused = [null, "", "a" + (char)0xD800, (char)0xDC00 + "b", "x" + (char)0xDBFF + (char)0xDBFF, "🙂"[..1]];
        string[] taken = ["alice", "Alice", " ", "..", "a/b", "\0", "🙂", "👩‍💻", "用户", "\uFFFD", new string('n', 300)];

        refused.Should().OnlyContain(user => !ToolCall.IsValidUser(user));
        taken.Should().OnlyContain(user => ToolCall.IsValidUser(user));
    }
}
