using System.Text;
using System.Text.Json;
using ToolAudit.Recording;
using ToolAudit.Redaction;
using ToolAudit.Serialization;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

/// <summary>
/// A key that says where a secret is kept (<c>password_file</c>, <c>--token-path</c>, <c>secrets_dir</c>) keeps its value
/// only when the value looks like a path: a model that gives the secret itself (<c>{"password_file": "hunter2"}</c>)
/// must not leave it in clear. Checked on every path that judges keys: arguments (the entry and the file store's line),
/// JSON inside arguments, lists of arguments, command lines, free text, and name/value pairs.
/// </summary>
public sealed class LocatorValueTests
{
    /// <summary>Each path shape a locator key keeps, beside a value close to it that is no path.</summary>
    public static TheoryData<string, string> PathShapes => new()
    {
        { "/run/secrets/db_password", "hunter2" },
        { "/", "run/secrets db" },
        { @"\\fileserver\secrets\db.txt", @"\hunter2" },
        { "~", "~hunter2" },
        { "~/.pgpass", "~hunter2/x" },
        { "./secrets/db.txt", "hunter2/db" },
        { "../secrets/db", "..hunter2" },
        { @"C:\secrets\db.txt", "C:hunter2" },
        { "C:/secrets/db.txt", "Z:hunter2" },
        { "$HOME/.pgpass", "$hunter2" },
        { "${XDG_CONFIG_HOME}/db/token", "${hunter2" },
        { @"%APPDATA%\db\token", "%hunter2%" },
        { "$CREDENTIALS_DIRECTORY", "$Hunter2" },
        { "file:///run/secrets/db", "fil:hunter2" },
        { "secret.txt", "hunter.2024" },
        { "key.pem", "hunter2.toolongext" },
        { "db.password.json", "p@ss!.txt" },
        { ".pgpass", "hunter2." },
    };

    [Theory]
    [MemberData(nameof(PathShapes))]
    public void Create_LocatorKeyGivenAPathOrNot_KeepsThePathAndRedactsTheRest(string path, string notPath)
    {
        var stored = Stored(new Dictionary<string, object?> { ["password_file"] = path, ["token_path"] = notPath, ["--secrets-dir"] = notPath });

        Text(stored["password_file"]).Should().Be(path);
        stored["token_path"].Should().Be("\"[redacted]\"", $"'{notPath}' is no path: it may be the token itself");
        stored["--secrets-dir"].Should().Be("\"[redacted]\"");
    }

    [Theory]
    [InlineData("/run/secrets/my db")]
    [InlineData("secret .txt")]
    [InlineData("/run/secrets/db\n")]
    [InlineData("\t/run/secrets/db")]
    [InlineData("/run/secrets/\u0007db")]
    [InlineData("C:\\My Secrets\\db.txt")]
    [InlineData("")]
    public void Create_LocatorKeyGivenWhiteSpaceOrAControlChar_IsRedacted(string value)
    {
        var stored = Stored(new Dictionary<string, object?> { ["POSTGRES_PASSWORD_FILE"] = value, ["config_path"] = "/etc/app.json" });

        stored["POSTGRES_PASSWORD_FILE"].Should().Be("\"[redacted]\"");
        stored["config_path"].Should().Be("\"/etc/app.json\"", "a key that names no secret keeps any value");
    }

    [Fact]
    public void Create_LocatorKeyGivenANonString_IsRedactedAndNullStaysNull()
    {
        using var number = JsonDocument.Parse("424242");
        var stored = Stored(new Dictionary<string, object?>
        {
            ["password_file"] = 424242,
            ["token_path"] = true,
            ["secrets_dir"] = new Dictionary<string, object?> { ["path"] = "/run/secrets" },
            ["api_key_file"] = new[] { "/a", "/b" },
            ["PasswordFilePath"] = number.RootElement.Clone(),
            ["auth_file"] = null,
        });

        foreach (var key in new[] { "password_file", "token_path", "secrets_dir", "api_key_file", "PasswordFilePath" })
        {
            stored[key].Should().Be("\"[redacted]\"", $"'{key}' should hold a path's text");
        }

        stored["auth_file"].Should().Be("null");
    }

    [Fact]
    public void Create_AcceptedLookalikes_AreKeptBecauseTheyLookLikePaths()
    {
        // Documented: a password that happens to look like a path is kept; the shape is all there is to judge by.
        var stored = Stored(new Dictionary<string, object?> { ["password_file"] = "hunter2.txt", ["token_file"] = "/hunter2", ["db_password_file"] = "hunter2" });

        stored["password_file"].Should().Be("\"hunter2.txt\"");
        stored["token_file"].Should().Be("\"/hunter2\"");
        stored["db_password_file"].Should().Be("\"[redacted]\"");
    }

    [Theory]
    [InlineData("passwordfile")]
    [InlineData("PASSWORDFILE")]
    [InlineData("db_passwordfile")]
    [InlineData("tokenpath")]
    [InlineData("secretsdir")]
    [InlineData("SSHPASSFILE")]
    [InlineData("credentialsfilename")]
    public void Create_OneWordLocatorKey_KeepsAPathAndRedactsTheRest(string key)
    {
        // A secret's name and a locator word run together (an all-lower or all-caps run is one word) say where a
        // secret is kept just as password_file does.
        Stored(new Dictionary<string, object?> { [key] = "hunter2" })[key].Should().Be("\"[redacted]\"");
        Stored(new Dictionary<string, object?> { [key] = "/run/secrets/db" })[key].Should().Be("\"/run/secrets/db\"");
        Masker().Mask(key + "=hunter2 " + key + "=~/.secret").Should().Be(key + "=[redacted] " + key + "=~/.secret");
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("keyfile")]
    [InlineData("PGPASSFILE")]
    [InlineData("workdir")]
    [InlineData("xpath")]
    public void Create_OneWordEndingInALocatorWordWithoutASecretsName_KeepsAnyValue(string key)
    {
        var stored = Stored(new Dictionary<string, object?> { [key] = "hunter 2", ["password_file"] = "hunter2" });

        stored[key].Should().Be("\"hunter 2\"", "no secret's name is run together with its locator word");
        stored["password_file"].Should().Be("\"[redacted]\"");
    }

    [Fact]
    public void Create_LocatorKeysInsideJsonArguments_KeepPathsAndRedactTheRest()
    {
        using var json = JsonDocument.Parse("""{"db": {"password_file": "hunter2", "token_path": "/run/secrets/token", "secrets_dir": 7, "token_file": null}}""");
        var stored = Stored(new Dictionary<string, object?>
        {
            ["settings"] = json.RootElement.Clone(),
            ["poco"] = new { PasswordFile = "hunter2", TokenPath = "~/.token" },
            ["config"] = """{"password_file": "hunter2", "token_path": "/run/secrets/token"}""",
            ["escaped"] = """{\"password_file\":\"hunter2\",\"token_path\":\"./token\"}""",
        });

        stored["settings"].Should().Be("""{"db":{"password_file":"[redacted]","token_path":"/run/secrets/token","secrets_dir":"[redacted]","token_file":null}}""");
        stored["poco"].Should().Be("""{"PasswordFile":"[redacted]","TokenPath":"~/.token"}""");
        Text(stored["config"]).Should().Be("""{"password_file": "[redacted]", "token_path": "/run/secrets/token"}""");
        Text(stored["escaped"]).Should().Be("""{\"password_file\":\"[redacted]\",\"token_path\":\"./token\"}""");
    }

    [Fact]
    public void Create_LocatorFlagsInListsOfArguments_KeepPathsAndRedactTheRest()
    {
        using var argv = JsonDocument.Parse("""["pg_dump", "--password-file", "hunter2", "--token-path", "/run/secrets/token", "--secrets-dir", 42, "--token-file", "--verbose"]""");
        var stored = Stored(new Dictionary<string, object?>
        {
            ["argv"] = argv.RootElement.Clone(),
            ["args"] = new[] { "deploy", "--password-file", "hunter2", "--token-file", "$HOME/.token" },
            ["text"] = """["deploy", "--password-file", "hunter2", "--token-file", "~/.token"]""",
        });

        stored["argv"].Should().Be("""["pg_dump","--password-file","[redacted]","--token-path","/run/secrets/token","--secrets-dir","[redacted]","--token-file","--verbose"]""");
        stored["args"].Should().Be("""["deploy","--password-file","[redacted]","--token-file","$HOME/.token"]""");
        Text(stored["text"]).Should().Be("""["deploy", "--password-file", "[redacted]", "--token-file", "~/.token"]""");
    }

    [Theory]
    [InlineData("pg_dump --password-file hunter2 -h db --token-file /run/secrets/db", "pg_dump --password-file [redacted] -h db --token-file /run/secrets/db")]
    [InlineData("app --token-path=hunter2 --token-path=~/.token", "app --token-path=[redacted] --token-path=~/.token")]
    [InlineData("app --secrets-dir 'hunter 2' --secrets-dir \"$HOME/secrets\"", "app --secrets-dir '[redacted]' --secrets-dir \"$HOME/secrets\"")]
    public void Mask_LocatorFlagOnACommandLine_KeepsAPathAndMasksTheRest(string text, string expected)
    {
        Masker().Mask(text).Should().Be(expected);
        Text(Stored(new Dictionary<string, object?> { ["command"] = text })["command"]).Should().Be(expected);
    }

    [Theory]
    [InlineData("password_file=hunter2 token_path=/run/secrets/token", "password_file=[redacted] token_path=/run/secrets/token")]
    [InlineData("POSTGRES_PASSWORD_FILE=${HOME}/.pgpass DB_PASSWORD_PATH=hunter2", "POSTGRES_PASSWORD_FILE=${HOME}/.pgpass DB_PASSWORD_PATH=[redacted]")]
    [InlineData("{\"password_file\": \"hunter2\", \"token_path\": \"C:\\\\secrets\\\\token.txt\"}", "{\"password_file\": \"[redacted]\", \"token_path\": \"C:\\\\secrets\\\\token.txt\"}")]
    [InlineData("password_file: 'hunter 2'\ntoken_path: ./token", "password_file: '[redacted]'\ntoken_path: ./token")]
    [InlineData("<password_file>hunter2</password_file><token_path>/run/token</token_path>", "<password_file>[redacted]</password_file><token_path>/run/token</token_path>")]
    [InlineData("secrets_dir=%APPDATA%\\secrets key_file=key.pem api_key_file=42", "secrets_dir=%APPDATA%\\secrets key_file=key.pem api_key_file=[redacted]")]
    public void Mask_LocatorKeyInFreeText_KeepsAPathAndMasksTheRest(string text, string expected)
    {
        Masker().Mask(text).Should().Be(expected);

        // The same in a result snippet and in the error text, in the entry and in the file store's line.
        var call = new ToolCall("alice", "tool", null, AuditStatus.Error, text) { Error = text };
        var entry = Prepared.Entry(call);
        using var line = JsonDocument.Parse(Prepared.Line(call));
        entry.ResultSnippet.Should().Be(expected);
        entry.Error.Should().Be(expected);
        line.RootElement.GetProperty("result_snippet").GetString().Should().Be(expected);
        line.RootElement.GetProperty("error").GetString().Should().Be(expected);
    }

    [Theory]
    [InlineData(
        "[{\"name\": \"password_file\", \"value\": \"hunter2\"}, {\"name\": \"password_file\", \"value\": \"/run/secrets/db\"}]",
        "[{\"name\": \"password_file\", \"value\": \"[redacted]\"}, {\"name\": \"password_file\", \"value\": \"/run/secrets/db\"}]")]
    [InlineData(
        "[{\"value\": \"hunter2\", \"name\": \"DB_PASSWORD_FILE\"}, {\"value\": \"~/.pgpass\", \"name\": \"DB_PASSWORD_FILE\"}]",
        "[{\"value\": \"[redacted]\", \"name\": \"DB_PASSWORD_FILE\"}, {\"value\": \"~/.pgpass\", \"name\": \"DB_PASSWORD_FILE\"}]")]
    [InlineData("<add key=\"TokenPath\" value=\"hunter2\"/><add key=\"TokenPath\" value=\"token.json\"/>", "<add key=\"TokenPath\" value=\"[redacted]\"/><add key=\"TokenPath\" value=\"token.json\"/>")]
    [InlineData("env:\n- name: PASSWORD_FILE\n  value: hunter2\n- name: TOKEN_FILE\n  value: /run/token", "env:\n- name: PASSWORD_FILE\n  value: [redacted]\n- name: TOKEN_FILE\n  value: /run/token")]
    public void Mask_NameValuePairNamingASecretsPlace_KeepsAPathAndMasksTheRest(string text, string expected)
    {
        Masker().Mask(text).Should().Be(expected);
        Text(Stored(new Dictionary<string, object?> { ["text"] = text })["text"]).Should().Be(expected);
    }

    [Fact]
    public void Create_NameValueArgumentsNamingASecretsPlace_KeepAPathAndRedactTheRest()
    {
        using var env = JsonDocument.Parse("""[{"name": "DB_PASSWORD_FILE", "value": "hunter2"}, {"name": "TOKEN_PATH", "value": "/run/token"}, {"name": "TOKEN_FILE", "value": 7}]""");

        Stored(new Dictionary<string, object?> { ["name"] = "DB_PASSWORD_FILE", ["value"] = "hunter2" })["value"].Should().Be("\"[redacted]\"");
        Stored(new Dictionary<string, object?> { ["name"] = "DB_PASSWORD_FILE", ["value"] = 1234 })["value"].Should().Be("\"[redacted]\"");
        Stored(new Dictionary<string, object?> { ["name"] = "DB_PASSWORD_FILE", ["value"] = "/run/secrets/db" })["value"].Should().Be("\"/run/secrets/db\"");
        Stored(new Dictionary<string, object?> { ["key"] = "DB_PASSWORD_FILE", ["name"] = "DB_PASSWORD", ["value"] = "/run/secrets/db" })["value"]
            .Should().Be("\"[redacted]\"", "a name that names the secret itself is the stricter");
        Stored(new Dictionary<string, object?> { ["env"] = env.RootElement.Clone() })["env"]
            .Should().Be("""[{"name":"DB_PASSWORD_FILE","value":"[redacted]"},{"name":"TOKEN_PATH","value":"/run/token"},{"name":"TOKEN_FILE","value":"[redacted]"}]""");
    }

    [Fact]
    public void Create_PassBeforeALocatorWord_IsALocatorKeyToo()
    {
        // DB_PASS is read as DB_PASSWORD; DB_PASS_FILE says where it is kept, as DB_PASSWORD_FILE does.
        new ArgumentKeyRedactor(ToolAuditOptions.DefaultRedactedKeys).Judge("DB_PASS_FILE").Should().Be(KeyJudgement.KeptIfPath);
        var stored = Stored(new Dictionary<string, object?> { ["DB_PASS_FILE"] = "hunter2", ["SMTP_PASS_PATH"] = "/run/secrets/smtp", ["DB_PASS"] = "/run/x" });

        stored["DB_PASS_FILE"].Should().Be("\"[redacted]\"");
        stored["SMTP_PASS_PATH"].Should().Be("\"/run/secrets/smtp\"");
        stored["DB_PASS"].Should().Be("\"[redacted]\"", "the secret's own name redacts whatever the value");
        Masker().Mask("export DB_PASS_FILE=hunter2 DB_PASS_FILE=/run/s").Should().Be("export DB_PASS_FILE=[redacted] DB_PASS_FILE=/run/s");
    }

    [Fact]
    public void Create_LocatorFlagsBesideASecureStringValueInOneList_AreEachJudgedByTheirOwnRule()
    {
        // The list's --value is a secret (SecureString is in the list), its --token-file a path or not.
        var stored = Stored(new Dictionary<string, object?>
        {
            ["argv"] = new[] { "aws", "ssm", "put-parameter", "--token-file", "hunter2", "--type", "SecureString", "--value", "s3cr3t", "--cli-input-path", "./in.json", "--token-path", "./token.txt" },
        });

        stored["argv"].Should().Be("""["aws","ssm","put-parameter","--token-file","[redacted]","--type","SecureString","--value","[redacted]","--cli-input-path","./in.json","--token-path","./token.txt"]""");
    }

    [Fact]
    public void WriteLine_LocatorKeysOnEveryPath_WritesTheEntrysLineByteForByte()
    {
        // The file store writes its line from the captured arguments without making the entry: it must judge each
        // locator key's value as the entry does.
        using var json = JsonDocument.Parse("""{"password_file": "hunter2", "token_path": "/run/token", "argv": ["--token-file", "hunter2", "--token-file", "./key.pem"], "env": [{"name": "PASSWORD_FILE", "value": "hunter2"}]}""");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["password_file"] = "hunter2",
                ["token_path"] = "/run/secrets/token",
                ["secrets_dir"] = 3,
                ["json"] = json.RootElement.Clone(),
                ["command"] = "pg_dump --password-file hunter2 --token-file ~/.token",
                ["name"] = "DB_PASSWORD_FILE",
                ["value"] = "hunter2",
            },
            AuditStatus.Ok,
            "password_file=hunter2 token_path=/run/token");

        var options = new ToolAuditOptions();
        var captured = new CapturedCall { Call = call, UtcTicks = Prepared.At.UtcTicks, Args = ArgumentCapture.Capture(call.Args, out _) };
        var viaEntry = new AuditJsonWriter(256);
        viaEntry.WriteLine(new AuditEntryFactory(options).Create(captured));
        var direct = Prepared.Line(call, options);

        var entryLine = Encoding.UTF8.GetString(viaEntry.WrittenSpan);
        WithoutId(direct).Should().Be(WithoutId(entryLine));
        direct.Should().NotContain("hunter2");
        direct.Should().Contain("/run/secrets/token").And.Contain("./key.pem").And.Contain("~/.token");
    }

    private static AssignedSecretMasker Masker() => new(new ArgumentKeyRedactor(ToolAuditOptions.DefaultRedactedKeys));

    /// <summary>The text of a stored JSON string.</summary>
    private static string? Text(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetString();
    }

    private static string WithoutId(string line) => line.Remove(7, AuditIdGenerator.FormattedLength);

    /// <summary>
    /// Each argument's stored JSON, as the entry holds it; the file store's line (written without the entry) must hold
    /// the same.
    /// </summary>
    private static Dictionary<string, string> Stored(Dictionary<string, object?> args)
    {
        var call = new ToolCall("alice", "tool", args, AuditStatus.Ok);
        var entry = Prepared.Entry(call).Args!.ToDictionary(a => a.Key, a => a.Value.GetRawText());
        using var line = JsonDocument.Parse(Prepared.Line(call));
        var written = line.RootElement.GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        written.Should().Equal(entry, "the file store's line and the entry agree");
        return entry;
    }
}
