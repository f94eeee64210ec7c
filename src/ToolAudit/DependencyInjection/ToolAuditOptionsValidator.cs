using Microsoft.Extensions.Options;
using ToolAudit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="ToolAuditOptions"/> at start, with a message per bad value.</summary>
internal sealed class ToolAuditOptionsValidator : IValidateOptions<ToolAuditOptions>
{
    public ValidateOptionsResult Validate(string? name, ToolAuditOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
