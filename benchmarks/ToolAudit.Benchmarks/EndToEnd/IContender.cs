using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>One audit writer under test, driven from one caller thread.</summary>
/// <remarks>Disposing drains everything into the files and closes them: the end of an end-to-end run.</remarks>
internal interface IContender : IAsyncDisposable
{
    /// <summary>Records one call, as a host would after each tool call.</summary>
    /// <param name="entry">The call.</param>
    void Write(TypicalEntry entry);

    /// <summary>After disposal: what the writer itself says went wrong (drops, failures), or null.</summary>
    /// <param name="expected">How many entries were written.</param>
    /// <returns>A problem, or null.</returns>
    string? Check(long expected);
}
