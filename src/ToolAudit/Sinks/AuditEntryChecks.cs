namespace ToolAudit.Sinks;

/// <summary>The checks every store makes of a batch of entries before it keeps any of them.</summary>
internal static class AuditEntryChecks
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
}
