namespace ToolAudit.Recording;

/// <summary>
/// Thrown by <see cref="IStagedAuditSink.Commit"/> when some of a batch's entries could not be written while others
/// were (one file failed, the others did not): says how many and which calls' entries are not on record, so that the
/// recorder counts each entry, and answers each durable caller, by that entry's own outcome.
/// </summary>
internal sealed class PartialCommitException : Exception
{
    private readonly Func<CapturedCall, bool> _isNotWritten;

    /// <summary>Creates the exception.</summary>
    /// <param name="notWrittenCount">How many of the batch's prepared entries are not written.</param>
    /// <param name="isNotWritten">Whether a call's entry is among them.</param>
    /// <param name="innerException">Why they are not.</param>
    public PartialCommitException(int notWrittenCount, Func<CapturedCall, bool> isNotWritten, Exception innerException)
        : base($"{notWrittenCount} entries of the batch could not be written; the others were.", innerException)
    {
        NotWrittenCount = notWrittenCount;
        _isNotWritten = isNotWritten;
    }

    /// <summary>How many of the batch's prepared entries are not written.</summary>
    public int NotWrittenCount { get; }

    /// <summary>Whether <paramref name="call"/>'s entry is among those not written.</summary>
    /// <param name="call">A call of the batch.</param>
    /// <returns>True when it is not on record.</returns>
    public bool IsNotWritten(CapturedCall call) => _isNotWritten(call);
}
