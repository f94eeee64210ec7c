namespace ToolAudit;

/// <summary>
/// Filters for reading the trail. Every filter that is set must match; unset filters match everything.
/// </summary>
public sealed record AuditQuery
{
    /// <summary>The default <see cref="Limit"/>: 200.</summary>
    public const int DefaultLimit = 200;

    private readonly int _limit = DefaultLimit;
    private readonly int _offset;
    private readonly AuditStatus? _status;

    /// <summary>Only this user's entries (exact, case-sensitive).</summary>
    public string? User { get; init; }

    /// <summary>Only entries recorded at or after this instant (inclusive).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only entries recorded before this instant (exclusive).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only tools whose name contains this text, compared case-insensitively.</summary>
    public string? Tool { get; init; }

    /// <summary>Only entries with this status.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="AuditStatus"/> (no entry could have it).</exception>
    public AuditStatus? Status
    {
        get => _status;
        init
        {
            if (value is { } status && (uint)status > (uint)AuditStatus.Denied)
            {
                throw new ArgumentOutOfRangeException(nameof(Status), status, "The status must be a defined AuditStatus: no entry has any other, so the query would match nothing.");
            }

            _status = value;
        }
    }

    /// <summary>Only entries of this session (exact).</summary>
    public string? SessionId { get; init; }

    /// <summary>Only entries of this task (exact).</summary>
    public string? TaskId { get; init; }

    /// <summary>Only entries of this engine (exact, case-insensitive).</summary>
    public string? Engine { get; init; }

    /// <summary>Only entries of this model (exact, case-insensitive).</summary>
    public string? Model { get; init; }

    /// <summary>Only calls a person approved.</summary>
    public bool ConfirmedOnly { get; init; }

    /// <summary>At most this many entries from <see cref="IAuditReader.QueryAsync"/>.</summary>
    /// <value>The default is 200. Ignored by counts and statistics.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int Limit
    {
        get => _limit;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Limit));
            _limit = value;
        }
    }

    /// <summary>Skip this many matching entries (newest first) before returning any.</summary>
    /// <value>The default is 0. Ignored by counts and statistics.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int Offset
    {
        get => _offset;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Offset));
            _offset = value;
        }
    }

    /// <summary>Tells whether <paramref name="entry"/> passes every filter of this query.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is null.</exception>
    public bool Matches(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (User is null || string.Equals(entry.User, User, StringComparison.Ordinal))
            && (Since is null || entry.Timestamp >= Since.Value)
            && (Until is null || entry.Timestamp < Until.Value)
            && (Tool is null || entry.Tool.Contains(Tool, StringComparison.OrdinalIgnoreCase))
            && (Status is null || entry.Status == Status.Value)
            && (SessionId is null || string.Equals(entry.SessionId, SessionId, StringComparison.Ordinal))
            && (TaskId is null || string.Equals(entry.TaskId, TaskId, StringComparison.Ordinal))
            && (Engine is null || string.Equals(entry.Engine, Engine, StringComparison.OrdinalIgnoreCase))
            && (Model is null || string.Equals(entry.Model, Model, StringComparison.OrdinalIgnoreCase))
            && (!ConfirmedOnly || entry.Confirmed);
    }
}
