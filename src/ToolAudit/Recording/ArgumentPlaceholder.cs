namespace ToolAudit.Recording;

/// <summary>
/// Stands for what could not be captured: an argument value that cannot be serialized (a stream, a delegate, a cycle),
/// a whole argument dictionary that threw while it was read, or the arguments past the most a call keeps.
/// </summary>
internal sealed class ArgumentPlaceholder
{
    private ArgumentPlaceholder(string text) => Text = text;

    /// <summary>What the entry holds in place of the value.</summary>
    public string Text { get; }

    /// <summary>An argument value of <paramref name="type"/> that cannot be serialized.</summary>
    public static ArgumentPlaceholder Unserializable(Type type) => new($"[unserializable: {Name(type)}]");

    /// <summary>An argument value of <paramref name="type"/> whose JSON is longer than <paramref name="maxBytes"/>, not serialized further.</summary>
    public static ArgumentPlaceholder TooLarge(Type type, int maxBytes) =>
        new($"[too large to record: {Name(type)}, over {maxBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes as JSON]");

    /// <summary>An argument dictionary whose reading threw <paramref name="exception"/> (only its type is kept).</summary>
    public static ArgumentPlaceholder Unreadable(Exception exception) => new($"[unreadable: {Name(exception.GetType())}]");

    /// <summary>The <paramref name="count"/> arguments of a call past <see cref="ArgumentCapture.MaxArguments"/>, not recorded.</summary>
    public static ArgumentPlaceholder More(int count) =>
        new($"[{count.ToString(System.Globalization.CultureInfo.InvariantCulture)} more arguments not recorded]");

    public override string ToString() => Text;

    private static string Name(Type type) => type.FullName ?? type.Name;
}
