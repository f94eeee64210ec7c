namespace ToolAudit.Redaction;

/// <summary>
/// What <see cref="ArgumentKeyRedactor.Judge"/> says of a key: what becomes of the value it is given. Ordered from the
/// mildest to the strictest, so that of two judgements on one value the greater wins.
/// </summary>
internal enum KeyJudgement
{
    /// <summary>The key names no secret: its value is kept (masked and cut as any value is).</summary>
    Kept,

    /// <summary>
    /// The key says where a secret is kept (<c>password_file</c>, <c>--token-path</c>, <c>secrets_dir</c>): its value is
    /// kept when it looks like a path (<see cref="LocatorValue.LooksLikePath"/>), else redacted as a secret key's value
    /// is (<c>{"password_file": "hunter2"}</c>: a model that gave the secret itself).
    /// </summary>
    KeptIfPath,

    /// <summary>The key names a secret: its value is written as <c>[redacted]</c>.</summary>
    Redacted,
}
