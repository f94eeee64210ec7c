namespace ToolAudit.Recording;

/// <summary>Stands for an argument value that cannot be serialized (a stream, a delegate, a cycle).</summary>
internal sealed class ArgumentPlaceholder(Type type)
{
    public string Text { get; } = $"[unserializable: {type.FullName ?? type.Name}]";

    public override string ToString() => Text;
}
