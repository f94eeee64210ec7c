using System.Text;
using ToolAudit.Redaction;

namespace ToolAudit.Tests.Redaction;

/// <summary>
/// The name scan over generated text made of the pieces its rules look at (keys, signs, quotes and their escapes,
/// flags and the commands they belong to, YAML indentation, SQL and PowerShell words, URLs, tags): whatever the mix,
/// it never throws (a throw would fail the entry it was masking), it only ever replaces stretches of the text with
/// <c>[redacted]</c>, and <see cref="AssignedSecretMasker.ContainsSecret"/> agrees with <see cref="AssignedSecretMasker.Mask"/>.
/// </summary>
public sealed class AssignedSecretMaskerPropertyTests
{
    private static readonly string[] Pieces =
    [
        // Signs, quotes, escapes, separators.
        "=", ":", ">", "-", "--", "'", "\"", "\\", "\\\"", "\\\\\\\"", "=>", "://", "@", "/", " ", "  ", "\t", "\n", "\r\n", "\n  ",
        "\n- ", ";", ",", "&", "{", "}", "[", "]", "(", ")", "<", "</", "/>", "#", "|", "%", "$", "?", "<![CDATA[", "]]>",

        // Keys the default rules name, keys they keep, and the words beside them.
        "password", "Password", "PWD", "pass", "token", "api_key", "apiKey", "secret", "Authorization", "Bearer ", "Cookie",
        "set-cookie", "value", "Value", "name", "type", "key", "SecureString", "account_key", "sig", "max_tokens",
        "password_file", "tokens", "passwords", "_authToken", "Db:Password",

        // Words the rules after words and flags look for.
        "identified", "IDENTIFIED BY ", "with ", "by ", "PASSWORD ", "ConvertTo-SecureString", "-AsPlainText", "-Force",
        "-String", "set ", "--password", "--no-password", "--value", "-p", "-P", "-N", "-w", "-phunter2", "mysql ", "curl ",
        "-u ", "docker ", "login ", "sshpass ", "openssl ", "-passin ", "pass:", "env:", "keytool ", "-storepass",
        "ldappasswd ", "redis-cli ", "--pass", "smbclient ", "-U ", "alice%", "alice:", "machine ", "default ",

        // URLs, tags, YAML, values.
        "postgres://", "https://", "host", "<password>", "</password>", "<add key=\"ApiKey\" value=\"", "\"/>", "api_keys:",
        "password: |", "password: # c", "hunter2", "x", "0", "null", "é", "😀", "\u2028", "\uD800",
    ];

    [Fact]
    public void Mask_AnyMixOfThePiecesItsRulesLookAt_NeverThrowsAndOnlyReplacesStretches()
    {
        var masker = new AssignedSecretMasker(new ArgumentKeyRedactor(ToolAuditOptions.DefaultRedactedKeys));
        var random = new Random(20261203);
        var masked = 0;
        for (var i = 0; i < 30_000; i++)
        {
            // Mostly short texts (a few rules at a time), some long ones (many signs and keys in one stretch).
            var count = i % 10 == 0 ? random.Next(20, 200) : random.Next(1, 16);
            var text = new StringBuilder();
            for (var p = 0; p < count; p++)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var input = text.ToString();
            var output = masker.Mask(input);

            masker.ContainsSecret(input).Should().Be(!ReferenceEquals(output, input), input);
            ShouldOnlyReplaceStretches(input, output);
            masked += ReferenceEquals(output, input) ? 0 : 1;
        }

        masked.Should().BeGreaterThan(3_000, "the generated texts must give the rules secrets to mask often");
    }

    /// <summary>
    /// Whether <paramref name="output"/> is <paramref name="input"/> with some stretches, in order and apart, each
    /// replaced by <c>[redacted]</c>: what lies between the markers is found in the input in that order, the first
    /// piece at its start and the last at its end.
    /// </summary>
    private static void ShouldOnlyReplaceStretches(string input, string output)
    {
        var kept = output.Split(SecretScanner.Redacted);
        input.Should().StartWith(kept[0], "the text before the first mask is kept: {0}", input);
        var at = kept[0].Length;
        for (var i = 1; i < kept.Length - 1; i++)
        {
            var found = input.IndexOf(kept[i], at, StringComparison.Ordinal);
            found.Should().BeGreaterThanOrEqualTo(at, "the text between two masks is kept, in order: {0}", input);
            at = found + kept[i].Length;
        }

        if (kept.Length > 1)
        {
            input.Should().EndWith(kept[^1], "the text after the last mask is kept: {0}", input);
            (input.Length - kept[^1].Length).Should().BeGreaterThanOrEqualTo(at, "the masks do not overlap what they keep: {0}", input);
        }
    }
}
