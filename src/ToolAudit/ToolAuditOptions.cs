namespace ToolAudit;

/// <summary>
/// Options of the recorder: queue, batching, overflow, what is kept of arguments and results, shutdown.
/// </summary>
/// <remarks>Validated when the recorder is built (and at host start under DI); a bad value fails with a message that names it.</remarks>
public sealed class ToolAuditOptions
{
    /// <summary>The default <see cref="QueueCapacity"/>: 4,096 entries.</summary>
    /// <remarks>
    /// Four batches. A deeper queue does not make the writer faster: it only lets a burst run further ahead of it, and
    /// every queued call survives the garbage collections of that time, which is what a burst then pays for (measured in
    /// <c>benchmarks/RESULTS.md</c>). Raise it for a sink that stalls for long stretches in a drop mode.
    /// </remarks>
    public const int DefaultQueueCapacity = 4_096;

    /// <summary>The default <see cref="MaxBatchSize"/>: 1,024 entries.</summary>
    public const int DefaultMaxBatchSize = 1_024;

    /// <summary>The default <see cref="ArgMaxChars"/>: 500.</summary>
    public const int DefaultArgMaxChars = 500;

    /// <summary>The default <see cref="SnippetMaxChars"/>: 300.</summary>
    public const int DefaultSnippetMaxChars = 300;

    /// <summary>The default <see cref="ErrorMaxChars"/>: 1,000.</summary>
    public const int DefaultErrorMaxChars = 1000;

    /// <summary>The default <see cref="OverflowWaitTimeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultOverflowWaitTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="ShutdownTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    // The longest finite timeout: int.MaxValue milliseconds (24.8 days), what every timer and wait takes.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>The arg keys redacted by default.</summary>
    /// <remarks>
    /// <para>
    /// A key is redacted when its words (split at <c>_</c>, <c>-</c>, <c>.</c>, spaces, digits and camel case) contain the
    /// words of one of these in a row, compared case-insensitively: <c>db_password</c>, <c>X-Api-Key</c>,
    /// <c>refreshToken</c>, <c>client_secret</c>, <c>secret_key</c>, <c>basic_auth</c>, <c>X-Auth</c> and
    /// <c>MasterKey</c> are redacted; <c>max_tokens</c>, <c>author</c>, <c>authority</c>, <c>oauth_provider</c>
    /// (<c>OAuth</c> is one word) and <c>key</c> alone are not.
    /// </para>
    /// <para>
    /// <c>auth</c> is a whole word, so keys that only describe authentication are redacted too (<c>auth_type</c>,
    /// <c>auth_url</c>): a false positive costs a value, a miss would cost a secret. A key whose last word is
    /// <c>file</c>, <c>filename</c>, <c>path</c> or <c>dir</c> names where a secret is kept (<c>--password-file</c>,
    /// <c>POSTGRES_PASSWORD_FILE</c>, also run together: <c>passwordfile</c>): its value is kept only when it looks like
    /// a path (<c>/run/secrets/db</c>, <c>~/.pgpass</c>, <c>./key.pem</c>, <c>$HOME/…</c>, <c>key.pem</c>), and
    /// redacted otherwise (<c>{"password_file": "hunter2"}</c>); a configured key that ends in that word too
    /// (<c>ssh_key_file</c>) is redacted whatever its value. A key whose last word is <c>stdin</c>
    /// (<c>--password-stdin</c>) takes no value and is kept.
    /// </para>
    /// <para>
    /// An all-caps or all-lower run is one word, so a configured one-word key of six letters or more is also found at
    /// the end of a word: <c>PGPASSWORD</c>, <c>dbpassword</c>, <c>adminpassword</c>, <c>clientsecret</c>,
    /// <c>myapikey</c> are redacted. This errs on the safe side too: <c>nocookie</c>, <c>topsecret</c>,
    /// <c>preauthorization</c> and <c>haspassword</c> are redacted. <c>token</c>, <c>auth</c> and <c>pwd</c> are not
    /// looked for so (<c>maxtoken</c>, <c>oauth</c> and <c>OLDPWD</c> are kept). A last word <c>pass</c> after another
    /// word is read as <c>password</c> (<c>DB_PASS</c>, <c>smtp_pass</c>, <c>dbPass</c>; also <c>render_pass</c>, on the
    /// safe side), <c>pass</c> alone is not (<c>--pass</c>); so is <c>pw</c> (<c>LDAP_BIND_PW</c>). One-word compounds
    /// of <c>token</c>, <c>auth</c> and <c>key</c> that configuration files use are listed (<c>authtoken</c>: ngrok;
    /// <c>authkey</c>: Tailscale; <c>identitytoken</c>: Docker's <c>config.json</c>). <c>sshpass</c> is the variable that
    /// <c>sshpass -e</c> reads its password from (<c>SSHPASS</c>); <c>requirepass</c> and <c>masterauth</c> are Redis's
    /// password settings (<c>redis-server --requirepass …</c>, <c>CONFIG SET masterauth …</c>).
    /// </para>
    /// </remarks>
    public static IReadOnlyList<string> DefaultRedactedKeys { get; } =
    [
        "password", "passwd", "pwd", "passphrase", "secret", "token", "api_key", "apikey", "auth", "authorization",
        "cookie", "connection_string", "private_key", "signing_key", "encryption_key", "master_key", "session_key",
        "credential", "credentials", "sshpass", "requirepass", "masterauth", "account_key", "access_key", "subscription_key", "sig", "amz_signature", "goog_signature",
        "passcode", "creds", "privkey", "authtoken", "authkey", "apitoken", "accesstoken", "identitytoken", "secretkey",
        "privatekey",
    ];

    /// <summary>How many entries may wait for the writer (besides the two batches the writer holds).</summary>
    /// <value>The default is 4,096 (<see cref="DefaultQueueCapacity"/>). Any value from 1 up.</value>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    /// <summary>The most entries handed to the sinks in one batch.</summary>
    /// <value>The default is 1,024. Any value from 1 up.</value>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>What <c>Record</c> does when the queue is full.</summary>
    /// <value>The default is <see cref="AuditOverflowMode.Wait"/>: lossless unless a sink hangs.</value>
    public AuditOverflowMode OverflowMode { get; set; } = AuditOverflowMode.Wait;

    /// <summary>How long <c>Record</c> waits for room in <see cref="AuditOverflowMode.Wait"/> before it drops.</summary>
    /// <value>The default is 2 seconds. From zero to 24.8 days (<see cref="int.MaxValue"/> milliseconds); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</value>
    public TimeSpan OverflowWaitTimeout { get; set; } = DefaultOverflowWaitTimeout;

    /// <summary>String argument values longer than this are cut and suffixed <c> …[N chars total]</c>.</summary>
    /// <value>The default is 500. Any value from 1 up.</value>
    public int ArgMaxChars { get; set; } = DefaultArgMaxChars;

    /// <summary>How much of the result is kept as <c>result_snippet</c>.</summary>
    /// <value>The default is 300. Zero keeps no snippet: a call with a result gets an empty <c>result_snippet</c>.</value>
    public int SnippetMaxChars { get; set; } = DefaultSnippetMaxChars;

    /// <summary>
    /// An <c>error</c> longer than this (the call's error text, or its exception's type and message) is cut and suffixed
    /// <c> …[N chars total]</c>. Credential-shaped values in it are masked as <c>[redacted]</c> whatever its length.
    /// </summary>
    /// <value>The default is 1,000. Any value from 1 up.</value>
    public int ErrorMaxChars { get; set; } = DefaultErrorMaxChars;

    /// <summary>Argument keys whose values are written as <c>[redacted]</c>.</summary>
    /// <value>The default is <see cref="DefaultRedactedKeys"/>. Bearer tokens and API-key shaped values are masked whatever their key (in place in a one-line value, so a command that holds one keeps the rest of its text; a value of several lines that holds one is redacted whole).</value>
    /// <remarks>
    /// Keys bound from configuration (<c>AddToolAudit(configuration)</c>, <c>"RedactedKeys": ["ssn"]</c>) are added to
    /// the defaults: configuration cannot un-redact <c>password</c>, and an empty or null list there changes nothing. One
    /// value instead of a list (<c>"RedactedKeys": "ssn"</c>, or <c>ToolAudit__RedactedKeys=ssn</c>) fails at start.
    /// Code decides for itself: <c>RedactedKeys.Add("ssn")</c> keeps the defaults, while assigning a new list
    /// (<c>RedactedKeys = ["ssn"]</c>) replaces them.
    /// </remarks>
    public IList<string> RedactedKeys { get; set; } = new List<string>(DefaultRedactedKeys);

    /// <summary>How long disposing the recorder (or stopping the host) waits for the sinks to drain.</summary>
    /// <value>
    /// The default is 30 seconds. From zero to 24.8 days (<see cref="int.MaxValue"/> milliseconds), or
    /// <see cref="Timeout.InfiniteTimeSpan"/>. What is still unwritten then is counted as failed.
    /// </value>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>Checks every value and returns what is wrong, or an empty list.</summary>
    /// <returns>One message per bad value.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (QueueCapacity < 1)
        {
            errors.Add($"{nameof(QueueCapacity)} must be 1 or more (was {QueueCapacity}).");
        }

        if (MaxBatchSize < 1)
        {
            errors.Add($"{nameof(MaxBatchSize)} must be 1 or more (was {MaxBatchSize}).");
        }

        if (!Enum.IsDefined(OverflowMode))
        {
            errors.Add($"{nameof(OverflowMode)} must be Wait or DropNewest (was {(int)OverflowMode}).");
        }

        if ((OverflowWaitTimeout < TimeSpan.Zero || OverflowWaitTimeout > MaxTimeout) && OverflowWaitTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(OverflowWaitTimeout)} must be from zero to {MaxTimeout} (int.MaxValue milliseconds, what timers take), or infinite (was {OverflowWaitTimeout}).");
        }

        if (ArgMaxChars < 1)
        {
            errors.Add($"{nameof(ArgMaxChars)} must be 1 or more (was {ArgMaxChars}).");
        }

        if (ErrorMaxChars < 1)
        {
            errors.Add($"{nameof(ErrorMaxChars)} must be 1 or more (was {ErrorMaxChars}).");
        }

        if (SnippetMaxChars < 0)
        {
            errors.Add($"{nameof(SnippetMaxChars)} must be 0 or more (was {SnippetMaxChars}).");
        }

        if (RedactedKeys is null)
        {
            errors.Add($"{nameof(RedactedKeys)} must not be null.");
        }
        else if (RedactedKeys.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{nameof(RedactedKeys)} must not contain empty keys.");
        }

        if ((ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > MaxTimeout) && ShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(ShutdownTimeout)} must be from zero to {MaxTimeout} (int.MaxValue milliseconds, what timers take), or infinite (was {ShutdownTimeout}).");
        }

        return errors;
    }
}
