using System.Text.Json;
using ToolAudit.Redaction;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

public sealed class ArgumentKeyRedactorTests
{
    private static readonly ArgumentKeyRedactor Defaults = new(ToolAuditOptions.DefaultRedactedKeys);

    [Theory]
    [InlineData("password")]
    [InlineData("PASSWORD")]
    [InlineData("db_password")]
    [InlineData("user.password")]
    [InlineData("pwd")]
    [InlineData("apiKey")]
    [InlineData("APIKey")]
    [InlineData("XApiKey")]
    [InlineData("X-Api-Key")]
    [InlineData("api-key")]
    [InlineData("apikey")]
    [InlineData("authorization")]
    [InlineData("Proxy-Authorization")]
    [InlineData("cookie")]
    [InlineData("Set-Cookie")]
    [InlineData("connection_string")]
    [InlineData("ConnectionString")]
    [InlineData("private_key")]
    [InlineData("PrivateKey")]
    [InlineData("access_token")]
    [InlineData("refreshToken")]
    [InlineData("client_secret")]
    [InlineData("aws_secret_access_key")]
    [InlineData("credentials")]
    [InlineData("AccountKey")]
    [InlineData("AZURE_STORAGE_ACCOUNT_KEY")]
    [InlineData("Ocp-Apim-Subscription-Key")]
    [InlineData("subscription_key")]
    [InlineData("sig")]
    [InlineData("X-Amz-Signature")]
    [InlineData("X-Goog-Signature")]
    [InlineData("STRIPE_KEY")]
    [InlineData("OPENAI_KEY")]
    [InlineData("DD_APP_KEY")]
    [InlineData("MAILGUN2_KEY")]
    [InlineData("passcode")]
    [InlineData("userPasscode")]
    [InlineData("creds")]
    [InlineData("aws_creds")]
    [InlineData("privkey")]
    [InlineData("ssh_privkey")]
    public void IsRedacted_DefaultKeysNamingASecret_IsTrue(string key)
    {
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Fact]
    public void IsRedacted_EnvironmentNameEndingInKey_OnlyWhileAKeyEndingInKeyIsConfigured()
    {
        new ArgumentKeyRedactor(["password"]).IsRedacted("STRIPE_KEY").Should().BeFalse("the host's own list names no *_key secret");
        new ArgumentKeyRedactor(["signing_key"]).IsRedacted("STRIPE_KEY").Should().BeTrue();
    }

    [Theory]
    [InlineData("password2")]
    [InlineData("PASSWORD1")]
    [InlineData("pwd1")]
    [InlineData("token2")]
    [InlineData("oauth2Token")]
    [InlineData("s3Secret")]
    [InlineData("S3SecretKey")]
    [InlineData("apiKey2")]
    [InlineData("v2ApiKey")]
    [InlineData("secrets3")]
    public void IsRedacted_SecretWordNextToDigits_IsTrue(string key)
    {
        // Digits are not letters of a word: password2 is the word password, as password_2 is.
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Theory]
    [InlineData("max_tokens2")]
    [InlineData("gpt4Tokens")]
    [InlineData("key2")]
    [InlineData("sha256")]
    [InlineData("passwordless2")]
    public void IsRedacted_OtherWordsNextToDigits_IsFalse(string key)
    {
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("max_tokens")]
    [InlineData("maxTokens")]
    [InlineData("total_tokens")]
    [InlineData("prompt_tokens")]
    [InlineData("tokens")]
    [InlineData("tokenizer")]
    [InlineData("passwordless")]
    [InlineData("secretary")]
    [InlineData("author")]
    [InlineData("cookbook")]
    [InlineData("keyboard")]
    [InlineData("key")]
    [InlineData("KEY")]
    [InlineData("sort_key")]
    [InlineData("cacheKey")]
    [InlineData("Sort_Key")]
    [InlineData("RSA_KEY_SIZE")]
    [InlineData("_KEY")]
    [InlineData("api_version")]
    [InlineData("private")]
    [InlineData("connection")]
    [InlineData("path")]
    [InlineData("signal")]
    [InlineData("signature")]
    [InlineData("account_id")]
    [InlineData("subscription_id")]
    [InlineData("")]
    public void IsRedacted_KeysThatOnlyResembleASecretWord_IsFalse(string key)
    {
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("PGPASSWORD")]
    [InlineData("dbpassword")]
    [InlineData("adminpassword")]
    [InlineData("ADMINPASSWORDS")]
    [InlineData("rootpasswd")]
    [InlineData("clientsecret")]
    [InlineData("CLIENTSECRET_ID")]
    [InlineData("myapikey")]
    [InlineData("dbcredentials")]
    [InlineData("keypassphrase")]
    [InlineData("SSHPASS")]
    [InlineData("sshpass")]
    [InlineData("requirepass")]
    [InlineData("MASTERAUTH")]
    [InlineData("redis_masterauth")]
    public void IsRedacted_OneWordEndingInASecretWordOfSixLettersOrMore_IsTrue(string key)
    {
        // An all-caps or all-lower run is one word: the configured word is looked for at its end too.
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Theory]
    [InlineData("maxtoken")]
    [InlineData("MAXTOKENS")]
    [InlineData("oauth")]
    [InlineData("OLDPWD")]
    [InlineData("passwordless")]
    [InlineData("secretary")]
    [InlineData("bypass")]
    [InlineData("PGPASSWORD_FILE")]
    public void IsRedacted_OneWordEndingInAShortSecretWordOrALocator_IsFalse(string key)
    {
        // token, auth and pwd (under six letters) are not looked for at a word's end; a locator word still wins.
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("passphrase")]
    [InlineData("ssh_passphrase")]
    [InlineData("auth")]
    [InlineData("Auth")]
    [InlineData("basic_auth")]
    [InlineData("X-Auth")]
    [InlineData("proxyAuth")]
    [InlineData("openAuth")]
    [InlineData("signing_key")]
    [InlineData("SigningKey")]
    [InlineData("encryption_key")]
    [InlineData("ENCRYPTION_KEY")]
    [InlineData("master_key")]
    [InlineData("session_key")]
    [InlineData("sessionKey")]
    [InlineData("secret_key")]
    [InlineData("client_secret")]
    [InlineData("password_file_contents")]
    [InlineData("LDAP_BIND_PW")]
    [InlineData("admin_pw")]
    [InlineData("authtoken")]
    [InlineData("TS_AUTHKEY")]
    [InlineData("apitoken")]
    [InlineData("identitytoken")]
    [InlineData("secretkey")]
    [InlineData("privatekey")]
    public void IsRedacted_SecretWordsAReviewerExpects_IsTrue(string key)
    {
        // auth is a whole word: X-Auth, basic_auth and proxyAuth are redacted.
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Theory]
    [InlineData("author")]
    [InlineData("authority")]
    [InlineData("authenticated")]
    [InlineData("oauth")]
    [InlineData("oauth_provider")]
    [InlineData("OAuthProvider")]
    [InlineData("getOAuthConfig")]
    [InlineData("session_id")]
    [InlineData("master")]
    [InlineData("signing_algorithm")]
    [InlineData("creditor")]
    [InlineData("privacy_policy")]
    public void IsRedacted_WordsThatOnlyContainASecretWordsLetters_IsFalse(string key)
    {
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("password_file")]
    [InlineData("--password-file")]
    [InlineData("passwordfile")]
    [InlineData("--token-file")]
    [InlineData("POSTGRES_PASSWORD_FILE")]
    [InlineData("PasswordFilePath")]
    [InlineData("private_key_filename")]
    [InlineData("token_path")]
    [InlineData("secrets_dir")]
    public void IsRedacted_KeyNamingWhereASecretIsKept_IsFalse(string key)
    {
        // Not redacted whatever its value: the value is kept when it looks like a path, and redacted when it does not
        // (a model that gave the secret itself: LocatorValueTests).
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("DB_PASS")]
    [InlineData("smtp_pass")]
    [InlineData("dbPass")]
    [InlineData("RCLONE_CONFIG_PASS")]
    [InlineData("--db-pass")]
    [InlineData("DB_PASS2")]
    [InlineData("render_pass")]
    [InlineData("boarding_pass")]
    public void IsRedacted_KeyOfSeveralWordsEndingInTheWordPass_IsTrue(string key)
    {
        // pass as the last word after another is read as password (DB_PASS, smtp_pass). render_pass and boarding_pass
        // are the accepted false positives of that rule.
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Theory]
    [InlineData("pass")]
    [InlineData("PASS")]
    [InlineData("--pass")]
    [InlineData("pass2")]
    [InlineData("pass_through")]
    [InlineData("DB_PASS_FILE")]
    [InlineData("bypass")]
    [InlineData("compass")]
    [InlineData("passive")]
    public void IsRedacted_PassAloneOrNotTheLastWord_IsFalse(string key)
    {
        // pass alone is a verb or a flag (--pass), too common to be read as password; a locator word still wins.
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("--password-stdin")]
    [InlineData("password_stdin")]
    [InlineData("--token-stdin")]
    public void Judge_KeySayingTheSecretIsReadFromStandardInput_KeepsItsValue(string key)
    {
        // docker login --password-stdin registry.io: the flag takes no value, and the registry after it is no secret.
        Defaults.Judge(key).Should().Be(KeyJudgement.Kept);
        Defaults.IsRedacted(key.Replace("stdin", "std", StringComparison.Ordinal)).Should().BeTrue("only the word stdin keeps it");
    }

    [Fact]
    public void IsRedacted_KeyEndingInTheWordPass_FollowsTheConfiguredPasswordKeys()
    {
        // pass stands for password: it is redacted where password would be, and only there.
        new ArgumentKeyRedactor(["ssn"]).IsRedacted("DB_PASS").Should().BeFalse();
        new ArgumentKeyRedactor(["db_password"]).IsRedacted("DB_PASS").Should().BeTrue();
        new ArgumentKeyRedactor(["db_password"]).IsRedacted("smtp_pass").Should().BeFalse();
    }

    [Fact]
    public void IsRedacted_ConfiguredKeyEndingInALocatorWord_StillMatches()
    {
        var redactor = new ArgumentKeyRedactor(["ssh_key_file", "password"]);

        redactor.IsRedacted("ssh_key_file").Should().BeTrue();
        redactor.IsRedacted("password_file").Should().BeFalse();
    }

    [Theory]
    [InlineData("token_count")]
    [InlineData("promptTokenCount")]
    [InlineData("token_limit")]
    [InlineData("MinimumPasswordLength")]
    [InlineData("MaxPasswordAge")]
    [InlineData("PasswordReusePrevention")]
    [InlineData("PasswordLastUsed")]
    [InlineData("token_expires_at")]
    [InlineData("expires_in")]
    [InlineData("token_ttl")]
    [InlineData("token_type")]
    [InlineData("auth_type")]
    [InlineData("password_policy")]
    [InlineData("secretName")]
    [InlineData("SecretArn")]
    [InlineData("SharedAccessKeyName")]
    [InlineData("token_endpoint")]
    [InlineData("max_token")]
    [InlineData("max_tokens")]
    public void IsRedacted_KeyNamingSomethingAboutASecret_IsFalse(string key)
    {
        // A count, a limit, a time, a type, a policy, a name or where a token is asked for: not the secret. The word
        // rule alone would redact token_count (it holds the word token), and an AI agent's trail is full of them.
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("secret_id")]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("token_hint")]
    [InlineData("count_token")]
    [InlineData("token_in")]
    [InlineData("password_at")]
    [InlineData("token_used")]
    [InlineData("token_ref")]
    [InlineData("secret_version")]
    [InlineData("token_url")]
    public void IsRedacted_SecretKeyEndingInAnIdOrAnotherWord_IsTrue(string key)
    {
        // An id is no word about a secret (Vault's secret_id is one), nor is a hint (it may give the password away).
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Fact]
    public void IsRedacted_AboutWordThatAConfiguredKeyHolds_IsTheConfiguredKeys()
    {
        new ArgumentKeyRedactor(["session_name"]).IsRedacted("session_name").Should().BeTrue();
        new ArgumentKeyRedactor(["token"]).IsRedacted("token_name").Should().BeFalse();
    }

    [Theory]
    [InlineData("passwords")]
    [InlineData("secrets")]
    [InlineData("cookies")]
    [InlineData("api_keys")]
    [InlineData("private_keys")]
    public void IsRedacted_PluralOfASecretWord_IsTrue(string key)
    {
        // A key that names several secrets holds secrets: {"passwords": ["hunter2", ...]} must not be written.
        Defaults.IsRedacted(key).Should().BeTrue();
    }

    [Fact]
    public void IsRedacted_ConfiguredKeys_ReplaceTheDefaults()
    {
        var redactor = new ArgumentKeyRedactor(["ssn", "pin_code", "apikey"]);

        redactor.IsRedacted("ssn").Should().BeTrue();
        redactor.IsRedacted("user_ssn").Should().BeTrue();
        redactor.IsRedacted("PinCode").Should().BeTrue();
        redactor.IsRedacted("api_key").Should().BeTrue("a one-word key also matches its two-word spelling");
        redactor.IsRedacted("password").Should().BeFalse();
        new ArgumentKeyRedactor([]).IsRedacted("password").Should().BeFalse();
    }

    [Theory]
    [InlineData("-")]
    [InlineData("--")]
    [InlineData("_")]
    [InlineData(" ")]
    [InlineData("...")]
    public void IsRedacted_KeyWithNoWord_IsFalseWithoutThrowing(string key)
    {
        // A key of punctuation alone splits into no words: it has no last word to look at, and names no secret.
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("passwordx")]
    [InlineData("cookiee")]
    [InlineData("secretss")]
    public void IsRedacted_SecretWordWithAnotherLetterThanAPluralS_IsFalse(string key)
    {
        Defaults.IsRedacted(key).Should().BeFalse();
    }

    [Theory]
    [InlineData("XApiKey", "x api key")]
    [InlineData("APIKey", "api key")]
    [InlineData("HTTPServer2Url", "http server 2 url")]
    [InlineData("oauth2Token", "oauth 2 token")]
    [InlineData("OAuthProvider", "oauth provider")]
    [InlineData("getOAuthConfig", "get oauth config")]
    [InlineData("OAuth", "oauth")]
    [InlineData("aAuth", "a auth")]
    [InlineData("oAuthor", "oauthor")]
    [InlineData("orgAuthToken", "org auth token")]
    [InlineData("ID", "id")]
    [InlineData("--db.password__", "db password")]
    public void SplitWords_Key_GivesItsLowerCaseWords(string key, string words)
    {
        ArgumentKeyRedactor.SplitWords(key).Should().Equal(words.Split(' '));
    }

    [Fact]
    public void Patterns_SameKeyConfiguredTwiceOrWithoutWords_AreListedOnceAndEmptyOnesDropped()
    {
        // The secret scanner builds its triggers from these: each configured key once, none without a word.
        var redactor = new ArgumentKeyRedactor(["api_key", "ApiKey", "--", "", "token"]);

        redactor.Patterns.Select(words => string.Join(' ', words)).Should().Equal("api key", "token");
    }

    [Fact]
    public void Create_SecretKeys_AreWrittenAsRedactedAndOtherKeysAreKept()
    {
        var args = new Dictionary<string, object?>
        {
            ["password"] = "hunter2",
            ["db_password"] = 123456,
            ["apiKey"] = "k-1",
            ["X-Api-Key"] = "k-2",
            ["authorization"] = "let-me-in",
            ["cookie"] = "session=abc",
            ["connection_string"] = "Server=db;Password=pw",
            ["ConnectionString"] = "Server=db;Password=pw2",
            ["private_key"] = "MIIEv",
            ["access_token"] = "tok",
            ["secret"] = null,
            ["max_tokens"] = 100,
            ["path"] = "/docs/readme.md",
            ["headers"] = new Dictionary<string, string> { ["Authorization"] = "Basic dXNlcg", ["Accept"] = "text/plain" },
        };

        var entry = Prepared.Entry(args);

        foreach (var key in new[] { "password", "db_password", "apiKey", "X-Api-Key", "authorization", "cookie", "connection_string", "ConnectionString", "private_key", "access_token" })
        {
            entry.Args![key].GetString().Should().Be("[redacted]", $"'{key}' names a secret");
        }

        entry.Args!["secret"].ValueKind.Should().Be(JsonValueKind.Null, "there is nothing to hide in a null");
        entry.Args["max_tokens"].GetInt32().Should().Be(100);
        entry.Args["path"].GetString().Should().Be("/docs/readme.md");
        entry.Args["headers"].GetProperty("Authorization").GetString().Should().Be("[redacted]");
        entry.Args["headers"].GetProperty("Accept").GetString().Should().Be("text/plain");
    }

    [Fact]
    public void Create_ConfiguredRedactedKeys_AreUsedInsteadOfTheDefaults()
    {
        var options = new ToolAuditOptions { RedactedKeys = ["ssn"] };

        var entry = Prepared.Entry(new Dictionary<string, object?> { ["ssn"] = "078-05-1120", ["password"] = "hunter2" }, options: options);

        entry.Args!["ssn"].GetString().Should().Be("[redacted]");
        entry.Args["password"].GetString().Should().Be("hunter2", "the configured list replaced the defaults");
    }

    [Fact]
    public async Task Record_SecretKeys_NeverReachTheFile()
    {
        using var folder = new TempFolder();
        using var store = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        await using var recorder = new AuditRecorder(store);

        recorder.Record("alice", "login", new Dictionary<string, object?> { ["user"] = "alice", ["password"] = "hunter2", ["nested"] = new { ApiKey = "zebra-42" } }, AuditStatus.Ok, "welcome");
        await recorder.FlushAsync();

        var line = AuditFiles.AllLines(folder.Path).Single();
        line.Should().NotContain("hunter2").And.NotContain("zebra-42");
        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("args").GetProperty("password").GetString().Should().Be("[redacted]");
        json.RootElement.GetProperty("args").GetProperty("nested").GetProperty("ApiKey").GetString().Should().Be("[redacted]");
        json.RootElement.GetProperty("args").GetProperty("user").GetString().Should().Be("alice");
    }
}
