namespace ToolAudit.Benchmarks.Workload;

/// <summary>
/// One generated tool call in neutral form. Every contender turns it into its own call (a <see cref="ToolCall"/>, a
/// Serilog or NLog event, the seed's dictionary), so all of them write the same information.
/// </summary>
/// <param name="Seq">The entry's unique sequence number; also written as the <c>seq</c> argument, so every output line can be traced back.</param>
/// <param name="User">The user, one of <see cref="EntryGenerator.Users"/>.</param>
/// <param name="Tool">The tool's name.</param>
/// <param name="Args">Two arguments: <c>path</c> and <c>seq</c>. Built before the run, as a host would have them from the model.</param>
/// <param name="Status">How the call ended.</param>
/// <param name="StatusWord">The status as the JSON word (<c>ok</c>, <c>error</c>, <c>denied</c>), for the peers.</param>
/// <param name="Result">The full result text (190 to 390 characters, with newlines, quotes and tabs).</param>
public sealed record TypicalEntry(
    long Seq,
    string User,
    string Tool,
    Dictionary<string, object?> Args,
    AuditStatus Status,
    string StatusWord,
    string Result);
