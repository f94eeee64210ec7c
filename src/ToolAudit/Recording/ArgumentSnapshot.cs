namespace ToolAudit.Recording;

/// <summary>
/// A call's arguments as captured: up to two held inline (no array allocated per call for the common small call), more
/// in an array. Keys are never null once captured.
/// </summary>
internal readonly struct ArgumentSnapshot
{
    private readonly KeyValuePair<string, object?> _first;
    private readonly KeyValuePair<string, object?> _second;

    // All the arguments when there are none (an empty array: the call had an empty dictionary) or more than two.
    private readonly KeyValuePair<string, object?>[]? _all;

    public ArgumentSnapshot(KeyValuePair<string, object?>[] all) => _all = all;

    public ArgumentSnapshot(KeyValuePair<string, object?> first) => _first = first;

    public ArgumentSnapshot(KeyValuePair<string, object?> first, KeyValuePair<string, object?> second) =>
        (_first, _second) = (first, second);

    /// <summary>False when the call had no argument dictionary at all (as opposed to an empty one).</summary>
    public bool HasArguments => _all is not null || _first.Key is not null;

    /// <summary>How many arguments there are.</summary>
    public int Count => _all?.Length ?? (_first.Key is null ? 0 : _second.Key is null ? 1 : 2);

    /// <summary>The argument at <paramref name="index"/> (below <see cref="Count"/>), in the order they were captured.</summary>
    public KeyValuePair<string, object?> this[int index] => _all is not null ? _all[index] : index == 0 ? _first : _second;

    /// <summary>The arguments in an array the caller owns (the snapshot's own, or a new one); null when the call had none.</summary>
    public KeyValuePair<string, object?>[]? ToArray()
    {
        if (_all is not null)
        {
            return _all;
        }

        if (_first.Key is null)
        {
            return null;
        }

        return _second.Key is null ? [_first] : [_first, _second];
    }
}
