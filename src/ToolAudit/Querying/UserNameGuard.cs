namespace ToolAudit.Querying;

/// <summary>
/// The one check every store makes of a user name it is asked about (a query's user, a file path's user): a name with a
/// lone surrogate names no user, since as UTF-8 it would be U+FFFD, another user's name.
/// </summary>
internal static class UserNameGuard
{
    /// <summary>Throws when <paramref name="user"/> holds a lone surrogate; null, empty and well-formed names pass.</summary>
    /// <exception cref="ArgumentException"><paramref name="user"/> holds a lone surrogate.</exception>
    public static void ThrowIfLoneSurrogate(string? user, string paramName)
    {
        // Empty is the caller's to judge: a query for "" matches nothing, a file path needs a name.
        if (!string.IsNullOrEmpty(user) && !ToolCall.IsValidUser(user))
        {
            throw new ArgumentException("The user name holds a lone surrogate (it is not well-formed Unicode), so it names no user: as UTF-8 it would be another user's name.", paramName);
        }
    }
}
