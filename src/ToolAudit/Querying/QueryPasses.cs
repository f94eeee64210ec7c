namespace ToolAudit.Querying;

/// <summary>
/// Decides, line by line, whether a query reads a line in two passes: first without the fields no filter looks at
/// (arguments, snippet, ids, error text: most of a line's tokens and all but a few of its allocations), then whole
/// only when it matches. That pays for a query whose filters pass over most lines (a tool, a status, a session, a
/// time range inside a day); for one that takes most lines (a user's recent calls) it would read each line twice, so
/// the projection stops once most lines read have matched.
/// </summary>
internal sealed class QueryPasses
{
    // Lines read before the share of matches is judged, and how often it is judged again after that.
    private const int Sample = 64;

    private readonly bool _filters;
    private long _read;
    private long _matched;

    public QueryPasses(AuditQuery query)
    {
        _filters = query.Tool is not null || query.Status is not null || query.SessionId is not null || query.TaskId is not null
            || query.Engine is not null || query.Model is not null || query.ConfirmedOnly || query.Since is not null || query.Until is not null;
        ProjectNext = _filters;
    }

    /// <summary>Whether the next line is read without the fields no filter looks at first.</summary>
    public bool ProjectNext { get; private set; }

    /// <summary>Counts a line read, and whether it matched.</summary>
    public void Count(bool matched)
    {
        if (!_filters)
        {
            return;
        }

        _read++;
        if (matched)
        {
            _matched++;
        }

        if (_read % Sample == 0)
        {
            // Judged on every line read so far, so a query whose matches come in stretches (one tool's burst) settles.
            ProjectNext = _matched * 2 <= _read;
        }
    }
}
