namespace ToolAudit.Sinks;

/// <summary>The checks every store makes of a batch of entries, or a list of gaps, before it keeps any of them.</summary>
internal static class StoreWriteChecks
{
    /// <summary>
    /// Throws unless every entry can be kept and read back: an entry without a user or tool, or with a user that holds
    /// a lone surrogate, has no folder (as UTF-8 the name would be U+FFFD, another user's), and a status that is not
    /// defined has no JSON word. The batch is checked whole, so nothing of a refused batch is kept, in any store.
    /// </summary>
    /// <param name="batch">The entries to write.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> or one of its entries is null.</exception>
    /// <exception cref="ArgumentException">An entry's user or tool is null or empty, its user holds a lone surrogate, or its status is not defined.</exception>
    public static void ThrowIfAnyUnwritable(IReadOnlyList<AuditEntry> batch, string paramName)
    {
        ArgumentNullException.ThrowIfNull(batch, paramName);
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            ArgumentNullException.ThrowIfNull(entry, paramName);
            if (string.IsNullOrEmpty(entry.User) || string.IsNullOrEmpty(entry.Tool))
            {
                throw new ArgumentException("An entry's user and tool must not be empty.", paramName);
            }

            if (!ToolCall.IsValidUser(entry.User))
            {
                throw new ArgumentException("An entry's user holds a lone surrogate (it is not well-formed Unicode), so it has no folder.", paramName);
            }

            if ((uint)entry.Status > (uint)AuditStatus.Denied)
            {
                throw new ArgumentException($"An entry's status must be a defined AuditStatus (was {(int)entry.Status}).", paramName);
            }
        }
    }

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
            if (!ToolCall.IsValidUser(gap.User))
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
