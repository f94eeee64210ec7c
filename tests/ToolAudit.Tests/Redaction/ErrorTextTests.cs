using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

/// <summary>
/// The <c>error</c> field is host text too (exception messages quote tokens, keys and connection strings): credential
/// shapes in it are masked as in a result snippet, and a long one is cut, in every store alike.
/// </summary>
public sealed class ErrorTextTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

    [Fact]
    public void Create_ExceptionMessageQuotesABearerToken_TheTokenIsMasked()
    {
        var call = new ToolCall("alice", "fetch", null, AuditStatus.Error)
        {
            Exception = new HttpRequestException($"401 Unauthorized; sent Authorization: Bearer {Jwt} to the API"),
        };

        var error = Prepared.Entry(call).Error;

        error.Should().StartWith("System.Net.Http.HttpRequestException: 401 Unauthorized; sent Authorization: ")
            .And.Contain("[redacted]").And.EndWith(" to the API").And.NotContain(Jwt).And.NotContain("eyJ");
    }

    [Fact]
    public void Create_ErrorTextHoldsAnApiKey_TheKeyIsMasked()
    {
        var call = new ToolCall("alice", "search", null, AuditStatus.Denied) { Error = "key sk-proj-0123456789abcdefghij was revoked" };

        Prepared.Entry(call).Error.Should().Be("key [redacted] was revoked");
    }

    [Fact]
    public void Create_LongExceptionMessage_IsCutAtErrorMaxCharsWithTheFullLength()
    {
        var message = new string('x', 4_990);
        var call = new ToolCall("alice", "explode", null, AuditStatus.Error) { Exception = new InvalidOperationException(message) };
        var full = $"System.InvalidOperationException: {message}";

        var error = Prepared.Entry(call).Error!;

        error.Should().Be(full[..ToolAuditOptions.DefaultErrorMaxChars] + $" …[{full.Length} chars total]");
    }

    [Fact]
    public void Create_ErrorWithinTheLimit_IsKeptWhole()
    {
        var text = new string('e', ToolAuditOptions.DefaultErrorMaxChars);

        Prepared.Entry(new ToolCall("alice", "t", null, AuditStatus.Error) { Error = text }).Error.Should().Be(text);
        Prepared.Entry(new ToolCall("alice", "t", null, AuditStatus.Error) { Error = text }, new ToolAuditOptions { ErrorMaxChars = 10 }).Error
            .Should().Be($"eeeeeeeeee …[{text.Length} chars total]");
    }

    [Fact]
    public void Create_SecretStraddlingTheCut_LeavesNothingOfItBehind()
    {
        // The key starts just before the cut: masking runs before the cut, so its start is not left looking harmless.
        var error = "x" + " sk-live0123456789abcdefghijklmnop";
        var call = new ToolCall("alice", "t", null, AuditStatus.Error) { Error = error };

        var stored = Prepared.Entry(call, new ToolAuditOptions { ErrorMaxChars = 8 }).Error;

        stored.Should().Be($"x [redac …[{error.Length} chars total]").And.NotContain("sk-");
    }

    [Fact]
    public async Task Record_ErrorWithASecret_TheFilesAndTheMemoryStoreHoldTheSameMaskedText()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        using var files = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([files, memory]), new ToolAuditOptions(), clock))
        {
            recorder.Record(new ToolCall("alice", "fetch", null, AuditStatus.Error)
            {
                Exception = new HttpRequestException($"GET failed with Bearer {Jwt}"),
            });
        }

        var line = AuditFiles.AllLines(folder.Path).Should().ContainSingle().Subject;
        foreach (var part in Jwt.Split('.'))
        {
            line.Should().NotContain(part);
        }

        var fromFile = JsonDocument.Parse(line).RootElement.GetProperty("error").GetString();
        fromFile.Should().Be("System.Net.Http.HttpRequestException: GET failed with [redacted]");
        memory.Recent(10).Should().ContainSingle().Which.Error.Should().Be(fromFile);
    }
}
