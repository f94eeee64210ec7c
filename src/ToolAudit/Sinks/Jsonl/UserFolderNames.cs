using System.Security.Cryptography;
using System.Text;
using ToolAudit.Querying;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// Maps user names to folder names that never leave the root and never collide, also on case-insensitive file systems.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Plain names (<c>[a-z0-9][a-z0-9._-]{0,63}</c>, not ending in a dot, not a Windows device name) are used as they are,
/// which keeps the Python orchestrator's layout for ordinary user names.</item>
/// <item>Any other name is <c>~</c> + lower-case base32 of its UTF-8 bytes (reversible), as long as that fits.</item>
/// <item>Longer names are <c>~~</c> + the SHA-256 of their UTF-8 bytes, with the real name in a <c>.user</c> file inside.</item>
/// </list>
/// Base32 and hex are lower-case only, and plain names never start with <c>~</c>, so no two names share a folder.
/// </remarks>
internal static class UserFolderNames
{
    public const string NameFile = ".user";
    private const int MaxPlainLength = 64;
    private const int MaxBase32Bytes = 120;
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    // Decodes strictly: bytes that are not UTF-8 throw instead of becoming U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] DeviceNames =
    [
        "con", "prn", "aux", "nul", "clock$",
        "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];

    /// <summary>The folder name of <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="user"/> holds a lone surrogate: its UTF-8 bytes would be those of the name with U+FFFD in its
    /// place, another user's.
    /// </exception>
    public static string Encode(string user, out bool needsNameFile)
    {
        UserNameGuard.ThrowIfLoneSurrogate(user, nameof(user));

        needsNameFile = false;
        if (IsPlain(user))
        {
            return user;
        }

        var bytes = Encoding.UTF8.GetBytes(user);
        if (bytes.Length <= MaxBase32Bytes)
        {
            return "~" + ToBase32(bytes);
        }

        needsNameFile = true;
        return "~~" + Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    /// <summary>
    /// The user a folder belongs to, or null when the folder is not a user folder; a <c>~</c> name is one only when it is
    /// exactly what <see cref="Encode"/> gives its user.
    /// </summary>
    /// <param name="folderName">The folder's name.</param>
    /// <param name="folder">
    /// The folder, to read a <c>~~</c> folder's <c>.user</c> file through (never following a link); null when there is
    /// none to read (a <c>~~</c> folder is then no one's).
    /// </param>
    /// <returns>The user, or null.</returns>
    /// <exception cref="IOException">A <c>.user</c> file is there but cannot be read.</exception>
    public static string? Decode(string folderName, FolderHandle? folder)
    {
        if (folderName.StartsWith("~~", StringComparison.Ordinal))
        {
            // A .user that is a link, or not a regular file (a FIFO, a device), is as good as missing: the folder is no
            // one's, and reading it cannot take the name from outside the root or block. One with other names too (a
            // hard link) is read: what it holds must hash to the folder's name, whatever file it is (the store
            // replaces it with a file of its own when it next writes there).
            using var nameFile = folder?.OpenExistingRegularFile(NameFile, otherNamesAllowed: true);
            if (nameFile is null)
            {
                return null;
            }

            // Bytes, not text: a name may begin with U+FEFF, which a text reader would take for a byte order mark.
            // The name must hash to the folder's name: a .user file planted in (or copied to) another ~~ folder, or
            // edited, does not make that folder anyone's.
            return ReadIfItHashesTo(nameFile, folderName.AsSpan(2)) is { } bytes ? UserWhoseFolderItIs(bytes, folderName) : null;
        }

        if (folderName.StartsWith('~'))
        {
            // Only the very name Encode gives is a user's folder: otherwise two folders could hold one user (padding
            // bits or a stray character that decode to nothing, bytes that read as U+FFFD, a name that has a plain or
            // a hashed folder). Any other folder is not ours, like one that does not decode at all.
            return FromBase32(folderName.AsSpan(1)) is { } bytes ? UserWhoseFolderItIs(bytes, folderName) : null;
        }

        // Plain, or a folder another writer (the Python orchestrator) named after the user as it was.
        return folderName;
    }

    /// <summary>
    /// The user <paramref name="bytes"/> spell in UTF-8, when <see cref="Encode"/> gives that user exactly
    /// <paramref name="folderName"/>; null otherwise (bytes that are not UTF-8, or a folder that is not the user's own).
    /// </summary>
    private static string? UserWhoseFolderItIs(byte[] bytes, string folderName)
    {
        string user;
        try
        {
            user = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return string.Equals(Encode(user, out _), folderName, StringComparison.Ordinal) ? user : null;
    }

    /// <summary>
    /// The literal folder name another writer may have used for <paramref name="user"/>, when that is a safe single
    /// path segment different from the encoded one; null otherwise.
    /// </summary>
    public static string? LegacyFolder(string user, string encoded)
    {
        if (string.Equals(user, encoded, StringComparison.Ordinal) || user is "." or ".." || user.StartsWith('~')
            || user.AsSpan().IndexOfAny("/\\\0:") >= 0 || Encoding.UTF8.GetByteCount(user) > 255)
        {
            return null;
        }

        return user;
    }

    /// <summary>
    /// The bytes of the open file <paramref name="file"/> when their SHA-256 is <paramref name="hexHash"/> (lower-case
    /// hex), else null. Hashed in chunks before anything is held: a planted <c>.user</c> of any size (a sparse file of
    /// gigabytes takes no disk) is turned down without being read into memory, and one longer than a line a reader
    /// reads (<see cref="JsonlLineReader.MaxLineBytes"/>: no entry of a user with a longer name could be read, as each
    /// line holds the name) without being read at all, so that each costs a listing at most that much hashing.
    /// </summary>
    private static byte[]? ReadIfItHashesTo(Microsoft.Win32.SafeHandles.SafeFileHandle file, ReadOnlySpan<char> hexHash)
    {
        if (RandomAccess.GetLength(file) > JsonlLineReader.MaxLineBytes)
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> chunk = stackalloc byte[4096];
        long length = 0;
        int got;
        while ((got = RandomAccess.Read(file, chunk, length)) > 0)
        {
            hash.AppendData(chunk[..got]);
            length += got;
            if (length > JsonlLineReader.MaxLineBytes)
            {
                return null; // grown under us past any name
            }
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        if (!Convert.ToHexString(digest).ToLowerInvariant().AsSpan().SequenceEqual(hexHash))
        {
            return null;
        }

        // The bytes hashed (the file may change meanwhile: the caller checks what it read against the folder's name).
        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length && (got = RandomAccess.Read(file, bytes.AsSpan(read), read)) > 0)
        {
            read += got;
        }

        return read == bytes.Length ? bytes : null;
    }

    internal static bool IsPlain(string user)
    {
        if (user.Length is 0 or > MaxPlainLength || user[^1] == '.')
        {
            return false;
        }

        for (var i = 0; i < user.Length; i++)
        {
            var c = user[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (i > 0 && c is '.' or '_' or '-');
            if (!ok)
            {
                return false;
            }
        }

        var stem = user.Split('.')[0];
        return Array.IndexOf(DeviceNames, stem) < 0;
    }

    private static string ToBase32(byte[] bytes)
    {
        var builder = new StringBuilder(((bytes.Length * 8) + 4) / 5);
        var buffer = 0;
        var bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            builder.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return builder.ToString();
    }

    /// <summary>The bytes of canonical base32 (as <see cref="ToBase32"/> writes it), or null for anything else.</summary>
    private static byte[]? FromBase32(ReadOnlySpan<char> text)
    {
        var result = new List<byte>(text.Length * 5 / 8);
        var buffer = 0;
        var bits = 0;
        foreach (var c in text)
        {
            var value = Base32Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                result.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }

            buffer &= (1 << bits) - 1;
        }

        // What is left is padding: fewer than 5 bits (else a character holds no bit of any byte), all zero.
        return bits < 5 && buffer == 0 ? result.ToArray() : null;
    }
}
