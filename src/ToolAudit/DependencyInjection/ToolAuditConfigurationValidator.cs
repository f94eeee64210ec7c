using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Refuses what the configuration binder takes without complaint but not as the host meant it, reading the section's
/// raw values:
/// <list type="bullet">
/// <item><see cref="ToolAuditOptions.RedactedKeys"/> as one value rather than a list (an environment variable
/// <c>ToolAudit__RedactedKeys=ssn</c>): the binder takes nothing from it, so the key would silently go unredacted. An
/// empty value (what JSON's <c>[]</c> and <c>null</c> become) is no key and passes.</item>
/// <item>A timeout written as a bare number (<c>"OverflowWaitTimeout": "2"</c>): <see cref="TimeSpan"/> reads it as
/// days, so a call meant to wait two seconds for room would wait two days. Zero passes (it is zero in any unit), and
/// days written as days (<c>2.00:00:00</c>) pass.</item>
/// </list>
/// </summary>
internal sealed class ToolAuditConfigurationValidator(IConfiguration configuration) : IValidateOptions<ToolAuditOptions>
{
    public ValidateOptionsResult Validate(string? name, ToolAuditOptions options)
    {
        // AddToolAudit(configuration) binds the unnamed options only.
        if (name != Options.Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var keys = configuration.GetSection(nameof(ToolAuditOptions.RedactedKeys));
        if (!string.IsNullOrEmpty(keys.Value))
        {
            failures.Add(
                $"{nameof(ToolAuditOptions.RedactedKeys)} must be a list in configuration ({keys.Path}:0, {keys.Path}:1, ...; " +
                $"in environment variables {keys.Path.Replace(":", "__", StringComparison.Ordinal)}__0), not the one value '{keys.Value}', which would redact nothing.");
        }

        AddIfBareNumber(failures, nameof(ToolAuditOptions.OverflowWaitTimeout));
        AddIfBareNumber(failures, nameof(ToolAuditOptions.ShutdownTimeout));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void AddIfBareNumber(List<string> failures, string option)
    {
        var value = configuration[option];
        if (value is not null
            && long.TryParse(value, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var days)
            && days > 0)
        {
            // Any number TimeSpan takes as days (up to 10,675,199) is a valid number of seconds.
            var asSeconds = TimeSpan.FromSeconds(days).ToString("c", CultureInfo.InvariantCulture);
            failures.Add(
                $"{option} is the bare number '{value}', which a TimeSpan reads as {days} days. Write the units out: " +
                $"{asSeconds} for {days} seconds, or {days}.00:00:00 if days are meant.");
        }
    }
}
