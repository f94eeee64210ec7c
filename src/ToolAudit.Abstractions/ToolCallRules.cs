using System.Diagnostics.CodeAnalysis;

namespace ToolAudit;

/// <summary>
/// What a call must have for the trail to hold it: a user that names one folder, a tool, a status the files have a
/// word for. Checked by the recorder for every call, and by the one-line <c>Record</c> for its own arguments.
/// </summary>
internal static class ToolCallRules
{
    /// <summary>Whether <paramref name="user"/>, <paramref name="tool"/> and <paramref name="status"/> make a call the trail can hold.</summary>
    public static bool AreValid(string? user, string? tool, AuditStatus status) =>
        ToolCall.IsValidUser(user) && !string.IsNullOrEmpty(tool) && (uint)status <= (uint)AuditStatus.Denied;

    /// <summary>Throws the <see cref="ArgumentException"/> that says which of them is wrong, naming the parameter given for it.</summary>
    /// <param name="user">The user.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="status">The status.</param>
    /// <param name="userParameter">The parameter the user came in.</param>
    /// <param name="toolParameter">The parameter the tool came in.</param>
    /// <param name="statusParameter">The parameter the status came in.</param>
    /// <exception cref="ArgumentException">Always.</exception>
    [DoesNotReturn]
    public static void Throw(string? user, string? tool, AuditStatus status, string userParameter, string toolParameter, string statusParameter)
    {
        if (!ToolCall.IsValidUser(user))
        {
            // A lone surrogate written as UTF-8 would become U+FFFD: another user's name, and that user's folder.
            throw new ArgumentException(
                string.IsNullOrEmpty(user)
                    ? "The call's user must not be null or empty."
                    : "The call's user holds a lone surrogate (it is not well-formed Unicode), so it cannot name a user.",
                userParameter);
        }

        if (string.IsNullOrEmpty(tool))
        {
            throw new ArgumentException("The call's tool must not be null or empty.", toolParameter);
        }

        // No store could keep it (the trail has no word for it): refused at the call, not lost in the writer.
        throw new ArgumentException($"The call's status must be a defined AuditStatus (was {(int)status}).", statusParameter);
    }
}
