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
    private static readonly ConditionalWeakTable<FunctionCallContent, object> Taken = new();
    private static readonly object Marker = new();

    public static void MarkTaken(FunctionCallContent call) => Taken.AddOrUpdate(call, Marker);

    public static bool IsTaken(FunctionCallContent call) => Taken.TryGetValue(call, out _);
}
