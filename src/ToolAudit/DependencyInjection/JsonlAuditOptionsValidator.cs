using Microsoft.Extensions.Options;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="JsonlAuditOptions"/> at start, with a message per bad value.</summary>
internal sealed class JsonlAuditOptionsValidator : IValidateOptions<JsonlAuditOptions>
{
    public ValidateOptionsResult Validate(string? name, JsonlAuditOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
