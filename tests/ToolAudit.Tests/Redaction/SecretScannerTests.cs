using ToolAudit.Redaction;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

public sealed class SecretScannerTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    private const string Pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----";

    public static TheoryData<string> SecretValues => new()
    {
        "Bearer abcdefghijklmnopqrstuvwxyz012345",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
        "curl -H 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=' https://example.com",
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
        "sk-abcdefghijklmnopqrstuvwxyz0123456789",
        "key=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        "AKIAIOSFODNN7EXAMPLE",
        "aws s3 ls --access-key AKIAIOSFODNN7EXAMPLE",
        "xoxb-123456789012-1234567890123-abcdefghij",
        Jwt,
        "token=" + Jwt,
        Pem,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXkR1IBCADJ2X8f0tE3kq9\n-----END PGP PRIVATE KEY BLOCK-----",
        "BEARER abcdefghijklmnopqrstuvwxyz012345",
        "a short sk-key first, then Bearer abcdefghijklmnopqrstuvwxyz012345",
        "a token of thanks first, then ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "Basic words, eyJ-nothing, then eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "Authorization: Bearer ya29.a0AfH6SMBx3Gq-abcdefghijklmnopqrstuv_wxyz",
        "Bearer abc.defghijklmnopqrstuvwxyz~0123",
        "Authorization: Bearer " + Jwt,
        "rk_test_51HabcdefghijklmnopqrstuvWXYZ",
        "vault token: hvs.CAESIJrQ2Rk5Zd0wYWJjZGVmZ2hpamtsbW5v",
        "GOOGLE_OAUTH_ACCESS_TOKEN ya29.a0AfH6SMBx3Gq-abcdefghijklmnopqrstuv",
        "twine upload -p pypi-AgEIcHlwaS5vcmcCJDEyMzQ1Njc4",
        "docker login -u bob --password-stdin <<< dckr_pat_2b3e36beeb386dfdaacb9b46004",
        "token: Bearer abcdefghijklmnopqrstuvwxyzABCD",
    };

    public static TheoryData<string> OrdinaryValues => new()
    {
        "hello world",
        "Bearer of bad news",
        "The sky is blue and the skyline is tall",
        "ask-me-anything-at-all-times",
        "task-manager-service-1234567890",
        "ghp_short",
        "AKIA",
        "eyJ-not-a-token",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGXkR1IBCADJ2X8f0tE3kq9\n-----END PGP PUBLIC KEY BLOCK-----",
        "max_tokens=4096",
        "/home/alice/projects/tool-audit/src/ToolAudit/Recording/AuditRecorder.cs",
        "This change adds basic internationalization support to the settings page.",
        "git commit -am 'Add bearer token_refresh_middleware and tests'",
        "# basic sanity_check_for_inputs before the loop",
        "a Token abcdefghijklmnopqrstuvwxyz of words",
    };

    [Theory]
    [MemberData(nameof(SecretValues))]
    public void Create_SecretShapedValueUnderAnyKey_IsMaskedInPlace(string value)
    {
        var entry = Prepared.Entry(new Dictionary<string, object?> { ["note"] = value, ["list"] = new[] { "ok", value } });

        var note = entry.Args!["note"].GetString()!;
        note.Should().Contain("[redacted]");
        SecretScanner.ContainsSecret(note).Should().BeFalse("no credential shape is left");
        note.Length.Should().BeLessThan(value.Length, "the secret is replaced");
        entry.Args["list"][0].GetString().Should().Be("ok");
        entry.Args["list"][1].GetString().Should().Be(note, "in a list as on its own");
    }

    [Theory]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted]")]
    [InlineData("curl -H 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=' https://example.com", "curl -H 'Authorization: [redacted]' https://example.com")]
    [InlineData("aws s3 ls --access-key AKIAIOSFODNN7EXAMPLE --region eu-west-1", "aws s3 ls --access-key [redacted] --region eu-west-1")]
    [InlineData("kubectl --token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc rollout restart deployment/api", "kubectl --token=[redacted] rollout restart deployment/api")]
    [InlineData("import os\nGH = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"\nKEY = \"unknown-shape\"\n", "[redacted]")]
    [InlineData("<value>Bearer abcdefghijklmnopqrstuvwxyz0123</value>\r\n<value>other</value>", "[redacted]")]
    public void Create_ArgumentHoldingACredentialShape_KeepsWhatRanWithTheSecretMasked(string value, string expected)
    {
        // A command that holds a token still shows what ran: the trail keeps it, the token goes. A value of several
        // lines (a file's content) that holds one is redacted whole: it may hold secrets the scan cannot tell.
        var entry = Prepared.Entry(new Dictionary<string, object?> { ["command"] = value });
        var line = Prepared.Line(new ToolCall("alice", "shell", new Dictionary<string, object?> { ["command"] = value }, AuditStatus.Ok));

        entry.Args!["command"].GetString().Should().Be(expected);
        using var written = System.Text.Json.JsonDocument.Parse(line);
        written.RootElement.GetProperty("args").GetProperty("command").GetString().Should().Be(expected, "the file writer masks alike");
    }

    [Theory]
    [MemberData(nameof(OrdinaryValues))]
    public void Create_OrdinaryValue_IsKeptAsItIs(string value)
    {
        var entry = Prepared.Entry(new Dictionary<string, object?> { ["note"] = value }, value);

        entry.Args!["note"].GetString().Should().Be(value);
        entry.ResultSnippet.Should().Be(value);
    }

    [Theory]
    [MemberData(nameof(SecretValues))]
    public void ContainsSecret_SecretShapedValue_IsTrue(string value)
    {
        SecretScanner.ContainsSecret(value).Should().BeTrue();
    }

    [Fact]
    public void Create_ResultWithSecrets_MasksOnlyTheSecretsInTheSnippet()
    {
        var result = "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345\nkey AKIAIOSFODNN7EXAMPLE done\nBody: ok";

        var entry = Prepared.Entry(null, result);

        entry.ResultSnippet.Should().Be("Authorization: [redacted]\nkey [redacted] done\nBody: ok");
        entry.ResultChars.Should().Be(result.Length, "the length is of the real result");
    }

    [Fact]
    public void Mask_DottedKey_MasksAllOfItAndKeepsAFullStop()
    {
        SecretScanner.Mask("vault gave hvs.CAESIJrQ2Rk5.Zd0wYWJjZGVmZ2hp.").Should().Be("vault gave [redacted].");
    }

    [Theory]
    [InlineData("POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX -d x", "POST https://hooks.slack.com/services/[redacted] -d x")]
    [InlineData("POST https://discordapp.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz?wait=true", "POST https://discordapp.com/api/webhooks/[redacted]?wait=true")]
    [InlineData("https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz_ABCDEFG-0123456789", "https://discord.com/api/webhooks/[redacted]")]
    [InlineData("GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getUpdates", "GET https://api.telegram.org/bot[redacted]/getUpdates")]
    [InlineData("see https://hooks.slack.com/services/ for the docs", "see https://hooks.slack.com/services/ for the docs")]
    [InlineData("https://api.telegram.org/bot/short", "https://api.telegram.org/bot/short")]
    public void Create_WebhookUrl_MasksThePathThatIsTheCredential(string text, string expected)
    {
        var entry = Prepared.Entry(new Dictionary<string, object?> { ["url"] = text }, text);

        entry.ResultSnippet.Should().Be(expected);
        entry.Args!["url"].GetString().Should().Be(expected, "a credential the name scan finds is masked in place in an argument too");
    }

    [Theory]
    [InlineData("sent Bearer ya29.a0AfH6SMBx3Gq-abcdefghijklmnop to the API", "sent [redacted] to the API")]
    [InlineData("sent Authorization: Bearer " + Jwt + " and failed", "sent Authorization: [redacted] and failed")]
    [InlineData("the token was Bearer abcdefghijklmnopqrstuvwxyz01.", "the token was [redacted].")]
    [InlineData("Bearer ya29.short leaves it", "Bearer ya29.short leaves it")]
    public void Mask_BearerTokenWithDots_MasksTheWholeTokenAndKeepsAFullStop(string text, string expected)
    {
        SecretScanner.Mask(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("machine api.example.com login alice password hunter2", "machine api.example.com login alice password [redacted]")]
    [InlineData("machine a.io\n  login alice\n  password hunter2\nmachine b.io login bob password 'p w' port 21", "machine a.io\n  login alice\n  password [redacted]\nmachine b.io login bob password '[redacted]' port 21")]
    [InlineData("default login anonymous password guest@ x", "default login anonymous password [redacted] x")]
    [InlineData("After login your password expires; reset your password here", "After login your password expires; reset your password here")]
    [InlineData("the machine's login page has a password field", "the machine's login page has a password field")]
    [InlineData("machine h loginx u password p; machine h login u passwordx p", "machine h loginx u password p; machine h login u passwordx p")]
    [InlineData("machine h password hunter2 login u", "machine h password [redacted] login u")]
    [InlineData("password hunter2 machine h login u", "password [redacted] machine h login u")]
    [InlineData("machine a.io\n  password hunter2\n  login alice\n", "machine a.io\n  password [redacted]\n  login alice\n")]
    [InlineData("login u machine h password hunter2 port 21", "login u machine h password [redacted] port 21")]
    [InlineData("password 'p w' login u machine h", "password '[redacted]' login u machine h")]
    [InlineData("your password expires after login u; the machine h password is kept", "your password expires after login u; the machine h password is kept")]
    [InlineData("machine h password is set; login u", "machine h password is set; login u")]
    [InlineData("password reset for login u", "password reset for login u")]
    public void Mask_NetrcEntry_MasksOnlyItsPassword(string text, string expected)
    {
        // A .netrc entry names its password with a keyword and a space, no = or :; all four words before it must be there.
        SecretScanner.Mask(text).Should().Be(expected.Contains("[redacted]", StringComparison.Ordinal) ? expected : text);
    }

    [Theory]
    [InlineData("password x login y ")]
    [InlineData("machine h password ")]
    [InlineData("password x machine y account z ")]
    public void Mask_LargeDenseTextOfNetrcNearMisses_IsKeptAndScannedInLinearTime(string unit)
    {
        // Each password keyword looks at a bounded stretch around it: a quadratic scan would take minutes here.
        var text = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));

        SecretScanner.Mask(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData(
        "machine api.example.com login alice password hunter2",
        "$ cat ~/.netrc\nmachine api.example.com\n  login alice\n  password hunter2\n",
        "ftp: machine ftp.example.com login bob password hunter2 rejected",
        "$ cat ~/.netrc\nmachine api.example.com\n  login alice\n  password [redacted]\n",
        "ftp: machine ftp.example.com login bob password [redacted] rejected")]
    [InlineData(
        "machine api.example.com password hunter2 login alice",
        "$ cat ~/.netrc\nmachine api.example.com\n  password hunter2\n  login alice\n",
        "ftp: password hunter2 machine ftp.example.com login bob rejected",
        "$ cat ~/.netrc\nmachine api.example.com\n  password [redacted]\n  login alice\n",
        "ftp: password [redacted] machine ftp.example.com login bob rejected")]
    public void CreateAndWriteLine_NetrcEntryInTheResultAndTheError_IsMaskedInTheEntryAndTheLine(
        string netrcLine, string result, string error, string maskedResult, string maskedError)
    {
        // The usual order, and another (the password before the login): both masked alike in every field.
        var call = new ToolCall(
            "alice",
            "shell",
            new Dictionary<string, object?> { ["command"] = $"printf '{netrcLine}\\n' >> ~/.netrc" },
            AuditStatus.Error,
            result)
        {
            Error = error,
        };

        var entry = Prepared.Entry(call);
        var line = Prepared.Line(call);

        line.Should().NotContain("hunter2");
        using var written = System.Text.Json.JsonDocument.Parse(line);
        entry.Args!["command"].GetString().Should().StartWith("printf 'machine api.example.com ").And.Contain("password [redacted]")
            .And.EndWith("' >> ~/.netrc", "a value holding a secret shape keeps its text with the secret masked");
        written.RootElement.GetProperty("args").GetProperty("command").GetString().Should().Be(entry.Args["command"].GetString());
        entry.ResultSnippet.Should().Be(maskedResult);
        written.RootElement.GetProperty("result_snippet").GetString().Should().Be(entry.ResultSnippet);
        entry.Error.Should().Be(maskedError);
        written.RootElement.GetProperty("error").GetString().Should().Be(entry.Error);
    }

    [Fact]
    public void Create_ResultWithAPemKey_MasksTheWholeBlock()
    {
        var entry = Prepared.Entry(null, "here:\n" + Pem + "\nthanks");

        entry.ResultSnippet.Should().Be("here:\n[redacted]\nthanks");
    }

    [Fact]
    public void Create_SecretCutByTheSnippetLimit_LeavesNoPartOfItInTheSnippet()
    {
        // The cut falls inside the key: what is left of it is too short to look like a key any more, yet it is the
        // first characters of a real secret.
        var result = "config loaded, key=sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 and more";
        var options = new ToolAuditOptions { SnippetMaxChars = 30 };

        var entry = Prepared.Entry(null, result, options);

        entry.ResultSnippet.Should().NotContain("ABCDEFGH");
        entry.ResultSnippet.Should().StartWith("config loaded, key=");
    }

    [Fact]
    public void FindAtWordStarts_OnShortAndLongText_AgreesWithTheMarkerSearchEverywhere()
    {
        // Short text is scanned word start by word start, long text by the marker searches: the two must find the
        // same first secret (or none) in any text, so the cut-off between them changes nothing.
        var pieces = new[]
        {
            "Bearer ", "bEaReR ", "basic ", "TOKEN ", "token=", "sk-", "sk_live_", "rk_live_", "pk_live_", "ghp_", "github_pat_",
            "glpat-", "xoxb-", "AKIA", "ASIA", "AIza", "hf_", "npm_", "eyJ", "-----BEGIN ", "PRIVATE KEY-----", "-----END ",
            "abcdefghijklmnop", "0123456789", ".", "-", "_", " ", "\n", "x", "é", "/", "=", "+", "ask", "task",
            "password ", "Password ", "machine h ", "login u ", "default ", "'",
        };
        var random = new Random(7);
        var found = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new System.Text.StringBuilder();
            var count = random.Next(1, 12);
            for (var p = 0; p < count; p++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var value = text.ToString();
            var byWords = SecretScanner.FindAtWordStarts(value, out var wordStart, out var wordLength);
            var bySearch = SecretScanner.FindBySearch(value, out var searchStart, out var searchLength);

            (byWords, wordStart, wordLength).Should().Be((bySearch, searchStart, searchLength), value);
            found += byWords ? 1 : 0;
        }

        found.Should().BeGreaterThan(1_000, "the generated texts must hold secrets often enough to compare the finds");
    }
}

