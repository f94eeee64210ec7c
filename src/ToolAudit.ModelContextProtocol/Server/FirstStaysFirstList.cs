using System.Collections;

namespace ToolAudit.ModelContextProtocol.Server;

/// <summary>
/// A filter list whose first item stays first: an insert at index 0 (the way an SDK component puts its filter
/// outermost) lands right after it, and it cannot be removed or replaced. Used to keep the audit's guard around every
/// other filter, whatever order the host's builder calls and the SDK's own options setups run in.
/// </summary>
/// <typeparam name="T">The filter type.</typeparam>
internal sealed class FirstStaysFirstList<T> : IList<T>
    where T : class
{
    private readonly List<T> _items;

    public FirstStaysFirstList(T first, IEnumerable<T> rest)
    {
        _items = [first];
        _items.AddRange(rest);
    }

    public int Count => _items.Count;

    public bool IsReadOnly => false;

    public T this[int index]
    {
        get => _items[index];
        set
        {
            ThrowIfFirst(index);
            _items[index] = value;
        }
    }

    public void Add(T item) => _items.Add(item);

    /// <summary>Removes every filter but the first.</summary>
    public void Clear() => _items.RemoveRange(1, _items.Count - 1);

    public bool Contains(T item) => _items.Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(T item) => _items.IndexOf(item);

    public void Insert(int index, T item) => _items.Insert(Math.Max(index, 1), item);

    public bool Remove(T item)
    {
        var index = _items.IndexOf(item);
        if (index < 0)
        {
            return false;
        }

        ThrowIfFirst(index);
        _items.RemoveAt(index);
        return true;
    }

    public void RemoveAt(int index)
    {
        ThrowIfFirst(index);
        _items.RemoveAt(index);
    }

    private static void ThrowIfFirst(int index)
    {
        if (index == 0)
        {
            throw new InvalidOperationException("The tool audit's filter stays first, around every other filter; it cannot be removed or replaced.");
        }
    }
}
