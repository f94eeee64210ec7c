namespace ToolAudit;

/// <summary>
/// Converts <see cref="AuditStatus"/> to and from the JSON words the trail uses.
/// </summary>
public static class AuditStatusNames
{
    /// <summary>The word for <see cref="AuditStatus.Ok"/>: <c>"ok"</c>.</summary>
    public const string Ok = "ok";

    /// <summary>The word for <see cref="AuditStatus.Error"/>: <c>"error"</c>.</summary>
    public const string Error = "error";

    /// <summary>The word for <see cref="AuditStatus.Denied"/>: <c>"denied"</c>.</summary>
    public const string Denied = "denied";

    /// <summary>Returns the JSON word for <paramref name="status"/>.</summary>
    /// <param name="status">The status.</param>
    /// <returns><c>"ok"</c>, <c>"error"</c> or <c>"denied"</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not a defined value.</exception>
    public static string ToJsonWord(AuditStatus status) => status switch
    {
        AuditStatus.Ok => Ok,
        AuditStatus.Error => Error,
        AuditStatus.Denied => Denied,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a defined audit status."),
    };

    /// <summary>Parses a JSON word (case-insensitive) into a status.</summary>
    /// <param name="word">The word, such as <c>"ok"</c>.</param>
    /// <param name="status">The status, when the word is known.</param>
    /// <returns><see langword="true"/> when <paramref name="word"/> names a status.</returns>
    public static bool TryParse(string? word, out AuditStatus status)
    {
        if (string.Equals(word, Ok, StringComparison.OrdinalIgnoreCase))
        {
            status = AuditStatus.Ok;
            return true;
        }

        if (string.Equals(word, Error, StringComparison.OrdinalIgnoreCase))
        {
            status = AuditStatus.Error;
            return true;
        }

        if (string.Equals(word, Denied, StringComparison.OrdinalIgnoreCase))
        {
            status = AuditStatus.Denied;
            return true;
        }

        status = default;
        return false;
    }
}
