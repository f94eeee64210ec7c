using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolAudit.Extensions.AI.Recording;

/// <summary>
/// The calls an auditing <c>FunctionInvoker</c> has taken charge of, keyed by the <see cref="FunctionCallContent"/>
/// instance the invoking client hands it.
/// </summary>
/// <remarks>
/// Keyed by identity, not by call id: call ids are only unique within a conversation, while the invoking client keeps
/// passing the very instance it parsed from the model's response. Weak keys, so nothing here outlives the
/// conversation. Shared by every pipeline and by <c>WithToolAudit</c> functions, so a function that is both wrapped and
/// invoked by an audited pipeline is recorded once.
/// </remarks>
internal static class AuditedCalls
{
    // The recorder of the pipeline that took each call.
    private static readonly ConditionalWeakTable<FunctionCallContent, IAuditRecorder> Taken = new();

    /// <summary>Notes that a pipeline recording to <paramref name="recorder"/> has <paramref name="call"/> on record.</summary>
    public static void MarkTaken(FunctionCallContent call, IAuditRecorder recorder) => Taken.AddOrUpdate(call, recorder);

    /// <summary>Whether some audited pipeline has <paramref name="call"/> on record.</summary>
    public static bool IsTaken(FunctionCallContent call) => Taken.TryGetValue(call, out _);

    /// <summary>
    /// Whether an audited pipeline has <paramref name="call"/> on record in <paramref name="recorder"/>: a function
    /// audited by another recorder still records the call there.
    /// </summary>
    public static bool IsTakenBy(FunctionCallContent call, IAuditRecorder recorder) =>
        Taken.TryGetValue(call, out var taker) && ReferenceEquals(taker, recorder);
}
