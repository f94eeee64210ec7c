namespace ToolAudit.Redaction;

/// <summary>
/// Whether the value of a key that says where a secret is kept (<see cref="KeyJudgement.KeptIfPath"/>:
/// <c>password_file</c>, <c>--token-path</c>) looks like the path it should be, and so may stay on record.
/// </summary>
/// <remarks>
/// A path, not the secret, is what such a key is for; a value of any other shape is taken for the secret itself
/// (<c>{"password_file": "hunter2"}</c>) and redacted. The shapes are narrow on purpose: a password rarely starts with a
/// slash or ends in <c>.txt</c>, but <c>hunter2.txt</c> and <c>/hunter2</c> do pass (a path is what they look like).
/// </remarks>
internal static class LocatorValue
{
    // The longest extension a bare file name may end in (.pem, .json, .kdbx, .keystore).
    private const int MaxExtensionLength = 8;

    private static readonly System.Buffers.SearchValues<char> AsciiLettersAndDigits =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> FileNameChars =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.+@");

    /// <summary>
    /// Whether <paramref name="value"/> looks like a path: rooted (<c>/run/secrets/db</c>), UNC (<c>\\host\share</c>),
    /// home-relative (<c>~</c>, <c>~/…</c>), <c>.</c>- or <c>..</c>-relative (<c>./x</c>, <c>..\x</c>), on a drive
    /// (<c>C:\…</c>, <c>C:/…</c>), under an environment variable (<c>$HOME/…</c>, <c>${XDG_CONFIG_HOME}/…</c>,
    /// <c>%APPDATA%\…</c>, or a bare all-caps <c>$CREDENTIALS_FILE</c>), a <c>file:</c> URI, a bare file name with an
    /// extension of one to eight letters and digits, at least one a letter (<c>key.pem</c>), or a dot-file
    /// (<c>.pgpass</c>); and none of its chars white space or a control char.
    /// </summary>
    /// <param name="value">The value's text, as written (a JSON string's raw text is fine: its escapes hold no space).</param>
    /// <returns>True when the value may stay on record.</returns>
    public static bool LooksLikePath(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        var first = value[0];
        if (first is '/' || value.StartsWith(@"\\", StringComparison.Ordinal))
        {
            return true;
        }

        if (first == '~')
        {
            return value.Length == 1 || value[1] is '/' or '\\';
        }

        if (first == '.')
        {
            // ., .., ./x, ..\x; else a dot-file (.pgpass, .env): a name after the dot.
            var rest = value[1..];
            if (rest.IsEmpty || rest is "." || rest[0] is '/' or '\\' || (rest[0] == '.' && rest[1] is '/' or '\\'))
            {
                return true;
            }

            return rest[0] != '.' && IsFileName(rest);
        }

        if (value.Length >= 3 && char.IsAsciiLetter(first) && value[1] == ':' && value[2] is '\\' or '/')
        {
            return true;
        }

        if (value.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (first is '$' or '%')
        {
            return IsVariableRooted(value);
        }

        return IsBareFileNameWithExtension(value);
    }

    /// <summary><c>$VAR/…</c>, <c>${VAR}/…</c>, <c>%VAR%\…</c> (either slash after any of them), or a bare all-caps <c>$VAR</c>.</summary>
    private static bool IsVariableRooted(ReadOnlySpan<char> value)
    {
        int nameStart, nameEnd, after;
        if (value[0] == '%')
        {
            nameStart = 1;
            nameEnd = value[1..].IndexOf('%') + 1;
            after = nameEnd + 1;
        }
        else if (value.Length > 1 && value[1] == '{')
        {
            nameStart = 2;
            nameEnd = value[2..].IndexOf('}') + 2;
            after = nameEnd + 1;
        }
        else
        {
            nameStart = 1;
            nameEnd = 1;
            while (nameEnd < value.Length && IsVariableChar(value[nameEnd]))
            {
                nameEnd++;
            }

            after = nameEnd;
            if (after == value.Length)
            {
                // A bare $VAR: all caps, as environment variables are written ($hunter2 is not one).
                return IsVariableName(value[nameStart..nameEnd]) && !value[nameStart..nameEnd].ContainsAnyInRange('a', 'z');
            }
        }

        return nameEnd > nameStart && IsVariableName(value[nameStart..nameEnd]) && after < value.Length && value[after] is '/' or '\\';
    }

    private static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsVariableChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsVariableChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary><c>secret.txt</c>, <c>db.password.json</c>: a file name whose last dot starts an extension of one to eight letters and digits, one a letter at least.</summary>
    private static bool IsBareFileNameWithExtension(ReadOnlySpan<char> value)
    {
        var dot = value.LastIndexOf('.');
        if (dot <= 0 || !IsFileName(value))
        {
            return false;
        }

        var extension = value[(dot + 1)..];
        return extension.Length is > 0 and <= MaxExtensionLength
            && !extension.ContainsAnyExcept(AsciiLettersAndDigits)
            && extension.ContainsAny(AsciiLetters);
    }

    /// <summary>Whether every char is one a file name is commonly written with: letters, digits, <c>- _ . + @</c>.</summary>
    private static bool IsFileName(ReadOnlySpan<char> name) => !name.IsEmpty && !name.ContainsAnyExcept(FileNameChars);
}
