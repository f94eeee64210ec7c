using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ToolAudit.Serialization;

/// <summary>
/// The arguments of a recorded entry, already cut and redacted. Values stay as the writer got them (strings, numbers,
/// booleans, JSON elements) and are turned into <see cref="JsonElement"/>s only when somebody reads them through the
/// dictionary; the JSONL writer writes the raw values directly.
/// </summary>
internal sealed class RecordedArguments : IReadOnlyDictionary<string, JsonElement>
{
    private readonly KeyValuePair<string, object?>[] _values;
    private JsonElement[]? _elements;

    /// <param name="values">Values of the kinds <see cref="AuditJsonWriter.WriteArgumentValue"/> writes.</param>
    public RecordedArguments(KeyValuePair<string, object?>[] values) => _values = values;

    public ReadOnlySpan<KeyValuePair<string, object?>> RawValues => _values;

    public int Count => _values.Length;

    public IEnumerable<string> Keys => _values.Select(static p => p.Key);

    public IEnumerable<JsonElement> Values => Elements;

    public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No argument named '{key}'.");

    private JsonElement[] Elements => _elements ??= Materialize();

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonElement value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = Elements[index];
        return true;
    }

    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator()
    {
        var elements = Elements;
        for (var i = 0; i < _values.Length; i++)
        {
            yield return new KeyValuePair<string, JsonElement>(_values[i].Key, elements[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        // Last wins, as it does when a JSON object with a repeated key is read back.
        for (var i = _values.Length - 1; i >= 0; i--)
        {
            if (string.Equals(_values[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private JsonElement[] Materialize()
    {
        // One document for all values: write them as an array, parse once, hand out its elements.
        var writer = new AuditJsonWriter(256);
        writer.WriteRaw("["u8);
        for (var i = 0; i < _values.Length; i++)
        {
            if (i > 0)
            {
                writer.WriteRaw(","u8);
            }

            writer.WriteArgumentValue(_values[i].Value);
        }

        writer.WriteRaw("]"u8);
        using var document = JsonDocument.Parse(writer.WrittenSpan.ToArray());
        var elements = new JsonElement[_values.Length];
        var index = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            elements[index++] = element.Clone();
        }

        return elements;
    }
}
