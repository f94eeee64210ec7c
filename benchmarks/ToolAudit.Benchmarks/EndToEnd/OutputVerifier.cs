using System.Buffers;
using System.Text;
using System.Text.Json;
using ToolAudit.Benchmarks.Workload;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>
/// Checks every line a contender wrote: each parses as one JSON object, carries <c>args.seq</c> in range and the
/// <c>user</c> that entry belongs to, no seq appears twice, none is missing, and each file holds one user's lines.
/// </summary>
/// <remarks>
/// The check reads the files with <see cref="Utf8JsonReader"/> over every token of every line (a full parse), not a
/// substring search, so a torn or merged line fails it. It knows nothing of the contender's format beyond the two
/// fields every contender writes at the top level, <c>user</c> and <c>args</c>.
/// </remarks>
internal static class OutputVerifier
{
    public sealed record Report(long Files, long Lines, long Invalid, long Duplicates, long Missing, long WrongUser, long MixedFiles, long Bytes, string? FirstProblem)
    {
        public bool Ok => Invalid == 0 && Duplicates == 0 && Missing == 0 && WrongUser == 0 && MixedFiles == 0;

        public override string ToString() => Ok
            ? $"ok: {Lines:N0} lines in {Files} files, all parse, no duplicate, none missing"
            : $"FAILED: {Lines:N0} lines, {Invalid} invalid, {Duplicates} duplicates, {Missing} missing, {WrongUser} wrong user, {MixedFiles} mixed files; first: {FirstProblem}";
    }

    public static Report Verify(string dir, long expected)
    {
        var seen = new ulong[(expected + 63) / 64];
        long files = 0, lines = 0, invalid = 0, duplicates = 0, wrongUser = 0, mixedFiles = 0, bytes = 0, unique = 0;
        string? firstProblem = null;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            foreach (var path in Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*.jsonl", SearchOption.AllDirectories) : [])
            {
                files++;
                string? fileUser = null;
                var mixed = false;
                foreach (var line in Lines(path, buffer))
                {
                    lines++;
                    bytes += line.Length + 1;
                    if (!TryParse(line.Span, out var user, out var seq))
                    {
                        invalid++;
                        firstProblem ??= $"{path}: line {lines} does not parse: {Preview(line.Span)}";
                        continue;
                    }

                    if (seq < 0 || seq >= expected)
                    {
                        invalid++;
                        firstProblem ??= $"{path}: seq {seq} out of range";
                        continue;
                    }

                    ref var word = ref seen[seq >> 6];
                    var bit = 1UL << (int)(seq & 63);
                    if ((word & bit) != 0)
                    {
                        duplicates++;
                        firstProblem ??= $"{path}: seq {seq} appears twice";
                    }
                    else
                    {
                        word |= bit;
                        unique++;
                    }

                    if (user != EntryGenerator.UserOf(seq))
                    {
                        wrongUser++;
                        firstProblem ??= $"{path}: seq {seq} has user '{user}', expected '{EntryGenerator.UserOf(seq)}'";
                    }

                    fileUser ??= user;
                    if (!mixed && user != fileUser)
                    {
                        mixed = true;
                        mixedFiles++;
                        firstProblem ??= $"{path}: holds lines of '{fileUser}' and '{user}'";
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var missing = expected - unique;
        if (missing > 0 && firstProblem is null)
        {
            for (long seq = 0; seq < expected; seq++)
            {
                if ((seen[seq >> 6] & (1UL << (int)(seq & 63))) == 0)
                {
                    firstProblem = $"seq {seq} is missing";
                    break;
                }
            }
        }

        return new Report(files, lines, invalid, duplicates, missing, wrongUser, mixedFiles, bytes, firstProblem);
    }

    /// <summary>Parses the whole line; returns its top-level <c>user</c> and <c>args.seq</c>.</summary>
    private static bool TryParse(ReadOnlySpan<byte> line, out string? user, out long seq)
    {
        user = null;
        seq = -1;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    user = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("args"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isSeq = reader.ValueTextEquals("seq"u8);
                        reader.Read();
                        if (isSeq && reader.TokenType == JsonTokenType.Number)
                        {
                            seq = reader.GetInt64();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // The object must have closed, and nothing may follow it on the line.
            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 && !reader.Read() && user is not null && seq >= 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The file's lines without their <c>\n</c>; a last line without one is still returned (and will fail to parse if torn).</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Lines(string path, byte[] buffer)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var filled = 0;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var start = 0;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start);
                if (newline < 0)
                {
                    break;
                }

                yield return buffer.AsMemory(start, newline - start);
                start = newline + 1;
            }

            if (read == 0)
            {
                if (start < filled)
                {
                    yield return buffer.AsMemory(start, filled - start);
                }

                yield break;
            }

            // Keep the partial line: move it to the front (a line longer than the buffer is not expected here).
            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
            if (filled == buffer.Length)
            {
                throw new InvalidDataException($"{path}: a line longer than {buffer.Length} bytes.");
            }
        }
    }

    private static string Preview(ReadOnlySpan<byte> line) =>
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, 160)]).Replace("\n", "\\n", StringComparison.Ordinal);
}
