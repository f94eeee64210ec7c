using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Refuses a configuration section whose <see cref="ToolAuditOptions.RedactedKeys"/> is one value rather than a list
/// (an environment variable <c>ToolAudit__RedactedKeys=ssn</c>): the binder takes nothing from it, so the key would
/// silently go unredacted. An empty value (what JSON's <c>[]</c> and <c>null</c> become) is no key and passes.
/// </summary>
internal sealed class ConfiguredRedactedKeysValidator(IConfiguration configuration) : IValidateOptions<ToolAuditOptions>
{
    public ValidateOptionsResult Validate(string? name, ToolAuditOptions options)
    {
        // AddToolAudit(configuration) binds the unnamed options only.
        if (name != Options.Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var section = configuration.GetSection(nameof(ToolAuditOptions.RedactedKeys));
        return string.IsNullOrEmpty(section.Value)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{nameof(ToolAuditOptions.RedactedKeys)} must be a list in configuration ({section.Path}:0, {section.Path}:1, ...; " +
                $"in environment variables {section.Path.Replace(":", "__", StringComparison.Ordinal)}__0), not the one value '{section.Value}', which would redact nothing.");
    }
}
