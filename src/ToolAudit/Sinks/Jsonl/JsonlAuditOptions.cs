namespace ToolAudit;

/// <summary>
/// Options of <see cref="JsonlAuditStore"/>: where the files go and how days and timestamps are reckoned.
/// </summary>
/// <remarks>
/// Layout: <c>{Root}/{user}/tool_audit/{yyyy-MM-dd}.jsonl</c>, one UTF-8 line per entry. User names that are not
/// plain lower-case names are encoded so that they can never leave <see cref="Root"/> or collide (see the README).
/// </remarks>
public sealed class JsonlAuditOptions
{
    /// <summary>The default <see cref="Root"/>: <c>audit</c> under the current directory.</summary>
    public const string DefaultRoot = "audit";

    /// <summary>The default <see cref="MaxOpenFiles"/>: 256.</summary>
    public const int DefaultMaxOpenFiles = 256;

    /// <summary>The folder that holds one sub-folder per user.</summary>
    /// <value>The default is <c>audit</c>, resolved against the current directory when the store is created.</value>
    public string Root { get; set; } = DefaultRoot;

    /// <summary>The time zone whose midnight starts a new day file.</summary>
    /// <value>
    /// The default is <see cref="TimeZoneInfo.Utc"/>. From configuration, a zone id: <c>"Europe/Berlin"</c>, <c>"UTC"</c>
    /// or <c>"Local"</c>; an unknown id fails when the options are built, naming its key.
    /// </value>
    public TimeZoneInfo DayTimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The time zone of timestamps written without an offset (the Python orchestrator wrote its local time).</summary>
    /// <value>
    /// The default is <see cref="TimeZoneInfo.Local"/>: the reader's machine is assumed to be the writer's. From
    /// configuration, a zone id, as for <see cref="DayTimeZone"/>.
    /// </value>
    public TimeZoneInfo LegacyTimestampTimeZone { get; set; } = TimeZoneInfo.Local;

    /// <summary>Whether each batch is also forced to the disk (fsync) before the write completes.</summary>
    /// <value>The default is <see langword="false"/>: each batch is handed to the operating system, which survives a process crash but not a power loss.</value>
    public bool FlushToDisk { get; set; }

    /// <summary>How many day files the store keeps open at once; the least recently written are closed first.</summary>
    /// <value>The default is 256. Any value from 1 up.</value>
    /// <remarks>
    /// A newest-first read of every user (a query without a user) holds at most this many day files open besides, and
    /// never more than 64: it sets the least recently read aside and reopens it where it stood.
    /// </remarks>
    public int MaxOpenFiles { get; set; } = DefaultMaxOpenFiles;

    /// <summary>Checks every value and returns what is wrong, or an empty list.</summary>
    /// <returns>One message per bad value.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Root))
        {
            errors.Add($"{nameof(Root)} must name a folder.");
        }
        else if (Root.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{nameof(Root)} must not contain NUL characters.");
        }

        if (DayTimeZone is null)
        {
            errors.Add($"{nameof(DayTimeZone)} must not be null.");
        }

        if (LegacyTimestampTimeZone is null)
        {
            errors.Add($"{nameof(LegacyTimestampTimeZone)} must not be null.");
        }

        if (MaxOpenFiles < 1)
        {
            errors.Add($"{nameof(MaxOpenFiles)} must be 1 or more (was {MaxOpenFiles}).");
        }

        return errors;
    }
}
