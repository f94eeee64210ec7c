namespace ToolAudit;

/// <summary>
/// The Python orchestrator's read helpers over any <see cref="IAuditReader"/>.
/// </summary>
public static class AuditReaderExtensions
{
    /// <summary>
    /// One user's entries of the last <paramref name="days"/> days, newest first, at most <paramref name="limit"/>.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <param name="user">The user.</param>
    /// <param name="days">How many days back, counting today as the first (UTC days); more than the calendar holds reads everything.</param>
    /// <param name="limit">At most this many entries.</param>
    /// <param name="timeProvider">The clock that says what today is; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The entries, newest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty, or not well-formed Unicode (see <see cref="ToolCall.IsValidUser"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is less than 1 or <paramref name="limit"/> is negative.</exception>
    public static async ValueTask<IReadOnlyList<AuditEntry>> ReadRecentAsync(
        this IAuditReader reader,
        string user,
        int days = 7,
        int limit = 200,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ThrowUnlessValidUser(user);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var query = new AuditQuery { User = user, Since = StartOfRange(days, timeProvider), Limit = limit };
        return await ToListAsync(reader.QueryAsync(query, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One user's entries of one day (UTC unless <paramref name="timeZone"/> says otherwise), oldest first.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="user">The user.</param>
    /// <param name="day">The day.</param>
    /// <param name="timeZone">The time zone the day is in; UTC when null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>Every entry of the day, oldest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty, or not well-formed Unicode (see <see cref="ToolCall.IsValidUser"/>).</exception>
    public static async ValueTask<IReadOnlyList<AuditEntry>> ReadDayAsync(
        this IAuditReader reader,
        string user,
        DateOnly day,
        TimeZoneInfo? timeZone = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ThrowUnlessValidUser(user);
        var zone = timeZone ?? TimeZoneInfo.Utc;
        var query = new AuditQuery
        {
            User = user,
            Since = StartOfDay(day.DayNumber, zone),
            Until = day == DateOnly.MaxValue ? null : StartOfDay(day.DayNumber + 1, zone), // the calendar's last day runs to its end
            Limit = int.MaxValue,
        };
        var entries = await ToListAsync(reader.QueryAsync(query, cancellationToken), cancellationToken).ConfigureAwait(false);
        entries.Reverse();
        return entries;
    }

    /// <summary>
    /// Every user's entries of the last <paramref name="days"/> days, merged newest first, at most <paramref name="limit"/>.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <param name="days">How many days back, counting today as the first (UTC days); more than the calendar holds reads everything.</param>
    /// <param name="limit">At most this many entries.</param>
    /// <param name="timeProvider">The clock that says what today is; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The entries, newest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is less than 1 or <paramref name="limit"/> is negative.</exception>
    public static async ValueTask<IReadOnlyList<AuditEntry>> ReadRecentAllUsersAsync(
        this IAuditReader reader,
        int days = 7,
        int limit = 500,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var query = new AuditQuery { Since = StartOfRange(days, timeProvider), Limit = limit };
        return await ToListAsync(reader.QueryAsync(query, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private static DateTimeOffset StartOfRange(int days, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var today = DateOnly.FromDateTime((timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        return StartOfDay((long)today.DayNumber + 1 - days, TimeZoneInfo.Utc);
    }

    /// <summary>
    /// The first instant of the day numbered <paramref name="dayNumber"/> in <paramref name="zone"/>; the calendar's first
    /// instant for a day before it (more days back than there are) or one whose midnight lies before it (the first day,
    /// in a zone ahead of UTC), rather than an <see cref="ArgumentOutOfRangeException"/> for a range that is valid.
    /// </summary>
    private static DateTimeOffset StartOfDay(long dayNumber, TimeZoneInfo zone)
    {
        if (dayNumber < DateOnly.MinValue.DayNumber)
        {
            return DateTimeOffset.MinValue;
        }

        var local = DateOnly.FromDayNumber((int)dayNumber).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        var offset = DayStart.Offset(zone, local);
        return local.Ticks - offset.Ticks < DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue : new DateTimeOffset(local, offset);
    }

    private static async ValueTask<List<AuditEntry>> ToListAsync(IAsyncEnumerable<AuditEntry> source, CancellationToken cancellationToken)
    {
        var list = new List<AuditEntry>();
        await foreach (var entry in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(entry);
        }

        return list;
    }

    /// <summary>Throws the error that names <c>user</c> for a name no call can have: null, empty, or holding a lone surrogate.</summary>
    private static void ThrowUnlessValidUser(string user, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(user))] string? parameter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(user, parameter);
        if (!ToolCall.IsValidUser(user))
        {
            throw new ArgumentException("The user holds a lone surrogate (it is not well-formed Unicode), so it names no user.", parameter);
        }
    }
}
