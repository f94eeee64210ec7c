namespace ToolAudit;

/// <summary>
/// What a host hands to <see cref="IAuditRecorder"/>: one tool call, as it happened.
/// </summary>
/// <param name="User">
/// Who the agent acted for. Must not be null or empty, nor hold a lone surrogate (see <see cref="IsValidUser"/>).
/// </param>
/// <param name="Tool">The tool's name. Must not be null or empty.</param>
/// <param name="Args">
/// The arguments. The recorder copies them when <c>Record</c> is called, so changing the dictionary afterwards
/// changes nothing on record.
/// </param>
/// <param name="Status">How the call ended. Must be a defined <see cref="AuditStatus"/>.</param>
/// <param name="Result">The full result text; the trail keeps its length and a snippet.</param>
/// <remarks>
/// Engine, model, session and task default to the ambient <c>ToolAuditContext</c>; set them here to override it.
/// </remarks>
public sealed record ToolCall(
    string User,
    string Tool,
    IReadOnlyDictionary<string, object?>? Args,
    AuditStatus Status,
    string? Result = null)
{
    // Encodes strictly: a lone surrogate throws instead of becoming U+FFFD.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Whether <paramref name="user"/> can name the user of a call: not null or empty, and well-formed Unicode (no lone
    /// surrogate, which a UTF-8 file or folder name could only hold as U+FFFD, another user's name).
    /// </summary>
    /// <param name="user">The name to check, for example what a host's identity lookup returned.</param>
    /// <returns>True when <see cref="IAuditRecorder.Record"/> accepts it as <see cref="User"/>.</returns>
    /// <remarks>Integrations use it to fall back to their unknown-user placeholder instead of failing a tool call.</remarks>
    public static bool IsValidUser([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return false;
        }

        if (user.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return true;
        }

        try
        {
            _ = StrictUtf8.GetByteCount(user);
            return true;
        }
        catch (System.Text.EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The conversation or session the call belongs to; defaults to the ambient context's.</summary>
    public string? SessionId { get; init; }

    /// <summary>The task the call belongs to; defaults to the ambient context's.</summary>
    public string? TaskId { get; init; }

    /// <summary>The model's tool-call identifier.</summary>
    public string? CallId { get; init; }

    /// <summary>Whether a person approved the call before it ran.</summary>
    public bool Confirmed { get; init; }

    // Duration as ticks, with a marker for none: a nullable TimeSpan would take 16 bytes of every call's object.
    private const long NoDuration = long.MinValue;
    private readonly long _durationTicks = NoDuration;

    /// <summary>How long the call took.</summary>
    /// <remarks><see cref="TimeSpan.MinValue"/>, which no call can take, reads back as null.</remarks>
    public TimeSpan? Duration
    {
        get => _durationTicks == NoDuration ? null : TimeSpan.FromTicks(_durationTicks);
        init => _durationTicks = value?.Ticks ?? NoDuration;
    }

    /// <summary>The exception the tool threw; its type and message become the entry's <c>error</c>.</summary>
    public Exception? Exception { get; init; }

    /// <summary>The error text or the reason of a denial; wins over <see cref="Exception"/> when both are set.</summary>
    public string? Error { get; init; }

    /// <summary>The engine; overrides the ambient context's.</summary>
    public string? Engine { get; init; }

    /// <summary>The model; overrides the ambient context's.</summary>
    public string? Model { get; init; }
}
