namespace ToolAudit;

/// <summary>
/// Thrown by <see cref="IAuditRecorder.RecordDurableAsync"/> when the entry could not be written (a sink failed, or the
/// recorder could not hand the entry to its sinks), and by <c>CompositeAuditSink</c> when some of its sinks failed.
/// </summary>
public sealed class AuditWriteException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public AuditWriteException()
        : this("The audit entry could not be written.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public AuditWriteException(string message)
        : base(message)
    {
        FailedSinks = Array.Empty<string>();
    }

    /// <summary>Creates the exception with a message and the failure underneath.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The sink's exception.</param>
    public AuditWriteException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FailedSinks = Array.Empty<string>();
    }

    /// <summary>Creates the exception naming the sinks that failed.</summary>
    /// <param name="failedSinks">The names of the sinks that failed (usually their type names); copied.</param>
    /// <param name="innerException">The first failure, or an <see cref="AggregateException"/> of all.</param>
    public AuditWriteException(IReadOnlyList<string> failedSinks, Exception? innerException)
        : base(BuildMessage(failedSinks), innerException)
    {
        // A copy, read-only: one exception goes to every durable caller of a batch, and the caller's list may change.
        FailedSinks = failedSinks is null ? Array.Empty<string>() : Array.AsReadOnly(failedSinks.ToArray());
    }

    /// <summary>The names of the sinks that failed to write the entry.</summary>
    /// <value>
    /// Empty when no sink failed: the recorder itself could not hand the entry to its sinks (it shut down first, its
    /// writer stopped on an unexpected error, or the entry could not be prepared); the message and
    /// <see cref="Exception.InnerException"/> say which.
    /// </value>
    public IReadOnlyList<string> FailedSinks { get; }

    private static string BuildMessage(IReadOnlyList<string>? failedSinks) =>
        failedSinks is { Count: > 0 }
            ? $"The audit entry was not written by: {string.Join(", ", failedSinks)}."
            : "The audit entry could not be written.";
}
