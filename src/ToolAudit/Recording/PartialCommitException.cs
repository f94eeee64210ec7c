namespace ToolAudit.Recording;

/// <summary>
/// Thrown by <see cref="IStagedAuditSink.Commit"/> when some of a batch's entries could not be written while others
/// were (one file failed, the others did not; a full disk cut a file's write short after some of its lines): says how
/// many and which calls' entries are not on record, so that the recorder counts each entry, and answers each durable
/// caller, by that entry's own outcome.
/// </summary>
internal sealed class PartialCommitException : Exception
{
    private readonly Func<IReadOnlyList<CapturedCall>, IReadOnlySet<CapturedCall>> _notWrittenIn;

    /// <summary>Creates the exception.</summary>
    /// <param name="notWrittenCount">How many of the batch's prepared entries are not written.</param>
    /// <param name="notWrittenIn">Given the batch's calls in the order they were prepared, those whose entries are among them.</param>
    /// <param name="innerException">Why they are not.</param>
    public PartialCommitException(int notWrittenCount, Func<IReadOnlyList<CapturedCall>, IReadOnlySet<CapturedCall>> notWrittenIn, Exception innerException)
        : base($"{notWrittenCount} entries of the batch could not be written; the others were.", innerException)
    {
        NotWrittenCount = notWrittenCount;
        _notWrittenIn = notWrittenIn;
    }

    /// <summary>How many of the batch's prepared entries are not written.</summary>
    public int NotWrittenCount { get; }

    /// <summary>The calls of <paramref name="batch"/> whose entries are not on record.</summary>
    /// <param name="batch">Every call of the committed batch (those the sink could not prepare too), in the order they were prepared.</param>
    /// <returns>The calls whose entries are not written; <see cref="NotWrittenCount"/> of them.</returns>
    public IReadOnlySet<CapturedCall> NotWrittenIn(IReadOnlyList<CapturedCall> batch) => _notWrittenIn(batch);
}
