namespace ToolAudit.Sinks;

/// <summary>The checks every store makes of a list of gaps before it keeps any of them.</summary>
internal static class AuditGapChecks
{
    /// <summary>
    /// Throws unless every gap can be read back: a marker under an empty name (or one with a lone surrogate) belongs to
    /// no one's folder, and a negative count would make the line corrupt for the files and the drop count wrong for
    /// the in-memory store. The list is checked whole, so nothing of a refused list is kept.
    /// </summary>
    /// <param name="gaps">The gaps to write.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="gaps"/> or one of its gaps is null.</exception>
    /// <exception cref="ArgumentException">A gap's user is empty or holds a lone surrogate, or its count is negative.</exception>
    public static void ThrowIfAnyUnreadable(IReadOnlyList<AuditGap> gaps, string paramName)
    {
        ArgumentNullException.ThrowIfNull(gaps, paramName);
        foreach (var gap in gaps)
        {
            ArgumentNullException.ThrowIfNull(gap, paramName);
            if (string.IsNullOrEmpty(gap.User) || !ToolCall.IsValidUser(gap.User))
            {
                throw new ArgumentException("A gap's user must not be empty or hold a lone surrogate.", paramName);
            }

            if (gap.Dropped < 0)
            {
                throw new ArgumentException($"A gap's count must not be negative (was {gap.Dropped}).", paramName);
            }
        }
    }
}
