using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using ToolAudit.Serialization;

namespace ToolAudit.Recording;

/// <summary>
/// Copies a call's arguments at call time. Immutable values are kept by reference (cheap); anything else is
/// serialized now, so that the caller mutating an object afterwards changes nothing on record.
/// </summary>
internal static class ArgumentCapture
{
    /// <summary>The one key of the arguments recorded for a dictionary that could not be read.</summary>
    public const string UnreadableKey = "[args]";

    /// <summary>The key of the argument that says how many arguments past <see cref="MaxArguments"/> were not recorded.</summary>
    public const string MoreKey = "[more]";

    /// <summary>The most arguments of a call the trail keeps; the rest are counted in one <see cref="MoreKey"/> argument.</summary>
    public const int MaxArguments = 256;

    /// <summary>The most chars of an argument's key the trail keeps; a longer one is cut, with its full length after it.</summary>
    public const int KeyMaxChars = 256;

    /// <summary>
    /// The most levels an object or array argument keeps as JSON (a deeper one is kept as its text): what objects are
    /// serialized to here, and well inside the 64 levels every reader of a line (two levels more) reads.
    /// </summary>
    public const int MaxJsonDepth = 32;

    /// <summary>
    /// The most levels an object or array argument is serialized to: twice what <see cref="JsonDocument"/> reads of
    /// JSON a model sends, so that a host's object nested deeper than <see cref="MaxJsonDepth"/> is kept as its text,
    /// as such JSON is. A deeper one, or a cycle, is recorded as a placeholder.
    /// </summary>
    public const int MaxSnapshotDepth = 128;

    /// <summary>
    /// The most bytes of JSON an object or array argument is serialized to, on the caller's thread: more is recorded as
    /// a placeholder (see <see cref="ArgumentPlaceholder.TooLarge"/>). It bounds the work an object's shape can make:
    /// one whose references are shared serializes as a tree, twice as big for each level of such sharing. (A single
    /// long string inside is escaped whole before the limit is checked: that costs what the string's length does.) Far
    /// past what is kept as JSON (16 times <c>ArgMaxChars</c>), which a longer value is cut to as text anyway.
    /// </summary>
    public const int MaxSnapshotBytes = 1 << 20;

    private static readonly JsonSerializerOptions SnapshotOptions = new()
    {
        MaxDepth = MaxSnapshotDepth,
        WriteIndented = false,
    };

    /// <summary>
    /// Copies <paramref name="args"/>. Never throws for the dictionary's sake: when reading it throws (a
    /// <see cref="Dictionary{TKey, TValue}"/> that another thread changes meanwhile, a host's own dictionary type that
    /// fails), it is read once more, and if that throws too the snapshot holds one <see cref="UnreadableKey"/> argument
    /// naming the exception's type, and <paramref name="unreadable"/> is that exception.
    /// </summary>
    public static ArgumentSnapshot Capture(IReadOnlyDictionary<string, object?>? args, out Exception? unreadable)
    {
        unreadable = null;
        if (args is null)
        {
            return default;
        }

        try
        {
            return CaptureCore(args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Usually a race with a thread that changes the dictionary: the second read most often sees it settled.
        }

        try
        {
            return CaptureCore(args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            unreadable = ex;
            return new ArgumentSnapshot(new KeyValuePair<string, object?>(UnreadableKey, ArgumentPlaceholder.Unreadable(ex)));
        }
    }

    private static ArgumentSnapshot CaptureCore(IReadOnlyDictionary<string, object?> args)
    {
        var count = args.Count;
        if (count <= 0)
        {
            // A host's own dictionary type may say it is empty (or less) and still hold pairs: only the BCL's is believed.
            return args is Dictionary<string, object?> || !HasAny(args) ? new ArgumentSnapshot([]) : new ArgumentSnapshot(CaptureAll(args, 4));
        }

        if (count <= 2)
        {
            // The usual dictionary: enumerated by its own struct enumerator, not through the interface.
            return args is Dictionary<string, object?> dictionary
                ? CaptureSmall(dictionary.GetEnumerator(), args, count)
                : CaptureSmall(args.GetEnumerator(), args, count);
        }

        return new ArgumentSnapshot(CaptureAll(args, count));
    }

    private static bool HasAny(IReadOnlyDictionary<string, object?> args)
    {
        using var pairs = args.GetEnumerator();
        return pairs.MoveNext();
    }

    private static ArgumentSnapshot CaptureSmall<TEnumerator>(TEnumerator pairs, IReadOnlyDictionary<string, object?> args, int count)
        where TEnumerator : IEnumerator<KeyValuePair<string, object?>>
    {
        KeyValuePair<string, object?> first = default, second = default;
        var i = 0;
        bool firstAltered = false, secondAltered = false;
        using (pairs)
        {
            while (pairs.MoveNext())
            {
                if (i == 2)
                {
                    // The dictionary grew while we enumerated it (another thread is mutating it): take it all.
                    return new ArgumentSnapshot(CaptureAll(args, count * 2));
                }

                var pair = pairs.Current;
                (i == 0 ? ref first : ref second) = new KeyValuePair<string, object?>(Key(pair.Key, out var altered), Snapshot(pair.Value));
                (i == 0 ? ref firstAltered : ref secondAltered) = altered;
                i++;
            }
        }

        if (i == 2 && string.Equals(first.Key, second.Key, StringComparison.Ordinal))
        {
            // The key that was altered takes the suffix; the one the host wrote keeps its name. Neither altered: a
            // host's own dictionary type gave one key twice, and the second takes the suffix.
            if (firstAltered && !secondAltered)
            {
                first = new KeyValuePair<string, object?>(first.Key + "~2", first.Value);
            }
            else
            {
                second = new KeyValuePair<string, object?>(second.Key + "~2", second.Value);
            }
        }

        return i switch
        {
            0 => new ArgumentSnapshot([]),
            1 => new ArgumentSnapshot(first),
            _ => new ArgumentSnapshot(first, second),
        };
    }

    private static KeyValuePair<string, object?>[] CaptureAll(IReadOnlyDictionary<string, object?> args, int count)
    {
        var copy = new KeyValuePair<string, object?>[Math.Min(count, MaxArguments + 1)];
        var i = 0;
        List<int>? altered = null;
        var more = 0;
        foreach (var pair in args)
        {
            if (i == MaxArguments)
            {
                // One call with any number of arguments (a model can name as many as it likes) must not make a line
                // of any length: the rest are counted, not kept.
                more++;
                continue;
            }

            if (i == copy.Length)
            {
                // The dictionary grew while we enumerated it (another thread is mutating it): keep what is there.
                Array.Resize(ref copy, copy.Length * 2);
            }

            copy[i] = new KeyValuePair<string, object?>(Key(pair.Key, out var wasAltered), Snapshot(pair.Value));
            if (wasAltered)
            {
                (altered ??= []).Add(i);
            }

            i++;
        }

        if (more > 0)
        {
            if (i == copy.Length)
            {
                Array.Resize(ref copy, i + 1);
            }

            copy[i] = new KeyValuePair<string, object?>(MoreKey, ArgumentPlaceholder.More(more));
            (altered ??= []).Add(i);
            i++;
        }

        if (i != copy.Length)
        {
            Array.Resize(ref copy, i);
        }

        if (altered is not null || args is not (Dictionary<string, object?> or IDictionary<string, object?>))
        {
            // A host's own read-only dictionary type can give one key twice: a store that counts both and a reader of
            // the line that keeps one would disagree. (The framework's dictionaries, all IDictionary, cannot.)
            MakeKeysUnique(copy, altered ?? []);
        }

        return copy;
    }

    /// <summary>
    /// A key as the trail can hold it: a null key (a host's own dictionary type) is empty, a lone surrogate is U+FFFD,
    /// as every writer writes it, and a key longer than <see cref="KeyMaxChars"/> is cut. Each can make two keys one:
    /// <paramref name="altered"/> says to check.
    /// </summary>
    private static string Key(string? key, out bool altered)
    {
        if (key is null)
        {
            altered = true;
            return string.Empty;
        }

        altered = !WellFormedText.IsWellFormed(key);
        var kept = altered ? WellFormedText.Sanitize(key) : key;
        if (kept.Length > KeyMaxChars)
        {
            altered = true;
            kept = Redaction.TextTruncation.TruncateArgument(kept, KeyMaxChars);
        }

        return kept;
    }

    /// <summary>
    /// Gives the altered keys (<paramref name="altered"/>, indexes into <paramref name="pairs"/>) that now equal another
    /// key a suffix (<c>~2</c>, <c>~3</c>, ...), so that no argument is lost to a duplicate name in the JSON object (a
    /// reader keeps only one of two equal names). Keys the host wrote keep their names, but for the second of a key it
    /// gave twice.
    /// </summary>
    private static void MakeKeysUnique(KeyValuePair<string, object?>[] pairs, List<int> altered)
    {
        var seen = new HashSet<string>(pairs.Length, StringComparer.Ordinal);
        List<int>? repeated = null;
        for (var i = 0; i < pairs.Length; i++)
        {
            if (!altered.Contains(i) && !seen.Add(pairs[i].Key))
            {
                // A key the host gave twice: the later one takes a suffix, like an altered key.
                (repeated ??= []).Add(i);
            }
        }

        if (repeated is not null)
        {
            altered = [.. altered, .. repeated];
        }

        foreach (var i in altered)
        {
            var key = pairs[i].Key;
            if (seen.Add(key))
            {
                continue;
            }

            var suffix = 2;
            string unique;
            do
            {
                unique = key + "~" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                suffix++;
            }
            while (!seen.Add(unique));

            pairs[i] = new KeyValuePair<string, object?>(unique, pairs[i].Value);
        }
    }

    /// <summary>Returns a value that cannot change any more: the value itself when immutable, else its JSON now.</summary>
    public static object? Snapshot(object? value)
    {
        switch (value)
        {
            case null:
            case string:
            case bool:
            case int or long or short or byte or sbyte or uint or ulong or ushort:
            case double or float or decimal or System.Numerics.BigInteger:
            case char:
            case Guid or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan:
            case Enum:
            case Uri:
                return value;
            case JsonElement element:
                // The caller may dispose the JsonDocument behind the element before the writer gets to it.
                return CloneJson(element, null);
            case JsonDocument document:
                return CloneJson(default, document);
        }

        if (IsUnserializable(value))
        {
            return ArgumentPlaceholder.Unserializable(value.GetType());
        }

        using var json = new SnapshotBuffer(MaxSnapshotBytes);
        try
        {
            using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true }))
            {
                JsonSerializer.Serialize(writer, value, value.GetType(), SnapshotOptions);
            }

            using var document = JsonDocument.Parse(json.Written, new JsonDocumentOptions { MaxDepth = MaxSnapshotDepth });
            return document.RootElement.Clone();
        }
        catch (SnapshotBuffer.FullException)
        {
            return ArgumentPlaceholder.TooLarge(value.GetType(), MaxSnapshotBytes);
        }
#pragma warning disable CA1031 // Any failure to serialize a foreign object becomes a placeholder: recording must not throw.
        catch (Exception)
#pragma warning restore CA1031
        {
            return ArgumentPlaceholder.Unserializable(value.GetType());
        }
    }

    /// <summary>A copy of a JSON value; a placeholder for one that cannot be read (its document disposed, a default element).</summary>
    private static object CloneJson(JsonElement element, JsonDocument? document)
    {
        try
        {
            return (document?.RootElement ?? element).Clone();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            return ArgumentPlaceholder.Unserializable(document is null ? typeof(JsonElement) : typeof(JsonDocument));
        }
    }

    private static bool IsUnserializable(object value) =>
        value is Stream or Delegate or MemberInfo or Task or IAsyncResult or WaitHandle or SafeHandle
            or Thread or CancellationToken or IntPtr or UIntPtr or Pointer or Activity or IDisposable and not IEnumerable<object>;
}
