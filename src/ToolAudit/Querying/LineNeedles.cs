using System.Text;

namespace ToolAudit.Querying;

/// <summary>
/// The values a query's filters look for (tool, status, session, task, engine, model), searched for in a line's bytes
/// before the line is parsed: a line that holds one of them nowhere, neither as written nor behind an escape that
/// could spell it, cannot match, and is passed over unread.
/// </summary>
/// <remarks>
/// <para>
/// Only values of printable ASCII are looked for. In JSON such a value is written either as it is or with escapes:
/// <c>\uXXXX</c> for any char, <c>\"</c>, <c>\\</c> and <c>\/</c> for those three. Neither the filters' comparisons
/// nor any writer can make it anything else: an ordinal match is the same bytes in UTF-8, and an ordinal match that
/// ignores case pairs an ASCII letter only with its other case (no other char folds to an ASCII one under
/// <see cref="StringComparison.OrdinalIgnoreCase"/>). So a line that lacks a value's bytes is read all the same when it
/// holds an escape that could stand for one of the value's chars (<c>\u</c>, or <c>\"</c>, <c>\\</c>, <c>\/</c> when the
/// value has that char), and passed over otherwise.
/// </para>
/// <para>
/// A filter is a superset test here, never the filter itself: the tool is matched as a part of the name, the others as
/// whole values, and the status word may be found elsewhere in the line. The parsed entry is judged by the query.
/// </para>
/// </remarks>
internal sealed class LineNeedles
{
    private readonly Needle[] _needles;

    private LineNeedles(Needle[] needles) => _needles = needles;

    /// <summary>The needles of <paramref name="query"/>'s filters; null when it has none to look for.</summary>
    public static LineNeedles? For(AuditQuery query)
    {
        var needles = new List<Needle>(6);

        // The most selective first: a session or a task is usually one of many, a tool one of some, a model or an
        // engine one of few.
        Add(needles, query.SessionId, ignoreCase: false);
        Add(needles, query.TaskId, ignoreCase: false);
        Add(needles, query.Tool, ignoreCase: true);
        Add(needles, query.Status switch
        {
            AuditStatus.Error => AuditStatusNames.Error,
            AuditStatus.Denied => AuditStatusNames.Denied,

            // "ok" is most lines' status, and two letters common in any text: no help.
            _ => null,
        }, ignoreCase: true);
        Add(needles, query.Model, ignoreCase: true);
        Add(needles, query.Engine, ignoreCase: true);
        return needles.Count == 0 ? null : new LineNeedles([.. needles]);
    }

    /// <summary>Whether <paramref name="line"/> may match: it holds every needle, or an escape that could spell one.</summary>
    public bool MayMatch(ReadOnlySpan<byte> line)
    {
        foreach (var needle in _needles)
        {
            if (!needle.IsIn(line) && !needle.MayHideIn(line))
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(List<Needle> needles, string? value, bool ignoreCase)
    {
        if (string.IsNullOrEmpty(value) || !IsPrintableAscii(value))
        {
            return;
        }

        needles.Add(new Needle(value, ignoreCase));
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One value, as UTF-8 (lower case when case is ignored), and where to start looking for it.</summary>
    private sealed class Needle
    {
        // By how common a letter is in English text, the commonest first: the rarest char of a value is the one
        // searched for (a digit or a sign rarer still), so fewer places are compared whole.
        private const string LettersByFrequency = "etaoinsrhldcumfpgwybvkxjqz";

        private readonly byte[] _bytes;
        private readonly bool _ignoreCase;
        private readonly int _anchor;
        private readonly byte _anchorLower;
        private readonly byte _anchorUpper;
        private readonly bool _hidesBehindQuote;
        private readonly bool _hidesBehindBackslash;
        private readonly bool _hidesBehindSlash;

        public Needle(string value, bool ignoreCase)
        {
            _ignoreCase = ignoreCase;
            _bytes = Encoding.ASCII.GetBytes(ignoreCase ? value.ToLowerInvariant() : value);
            _anchor = Rarest(_bytes);
            _anchorLower = _bytes[_anchor];
            _anchorUpper = ignoreCase && _anchorLower is >= (byte)'a' and <= (byte)'z' ? (byte)(_anchorLower - 32) : _anchorLower;
            _hidesBehindQuote = value.Contains('"', StringComparison.Ordinal);
            _hidesBehindBackslash = value.Contains('\\', StringComparison.Ordinal);
            _hidesBehindSlash = value.Contains('/', StringComparison.Ordinal);
        }

        /// <summary>Whether <paramref name="line"/> holds the value's bytes (in any case, when case is ignored).</summary>
        public bool IsIn(ReadOnlySpan<byte> line)
        {
            if (!_ignoreCase)
            {
                return line.IndexOf(_bytes) >= 0;
            }

            // Each place the rarest char is, in either case, is compared whole.
            var from = _anchor;
            while (from < line.Length)
            {
                var found = _anchorLower == _anchorUpper ? line[from..].IndexOf(_anchorLower) : line[from..].IndexOfAny(_anchorLower, _anchorUpper);
                if (found < 0)
                {
                    return false;
                }

                var start = from + found - _anchor;
                if (start + _bytes.Length <= line.Length && Ascii.EqualsIgnoreCase(line.Slice(start, _bytes.Length), _bytes))
                {
                    return true;
                }

                from += found + 1;
            }

            return false;
        }

        /// <summary>Whether <paramref name="line"/> holds an escape that could stand for one of the value's chars.</summary>
        public bool MayHideIn(ReadOnlySpan<byte> line)
        {
            var at = line.IndexOf((byte)'\\');
            while (at >= 0 && at + 1 < line.Length)
            {
                switch (line[at + 1])
                {
                    case (byte)'u':
                    case (byte)'"' when _hidesBehindQuote:
                    case (byte)'\\' when _hidesBehindBackslash:
                    case (byte)'/' when _hidesBehindSlash:
                        return true;
                }

                // Past the escaped char: \\ is one escape, not the start of another.
                var next = line[(at + 2)..].IndexOf((byte)'\\');
                at = next < 0 ? -1 : at + 2 + next;
            }

            return false;
        }

        private static int Rarest(byte[] bytes)
        {
            var rarest = 0;
            var rank = -1;
            for (var i = 0; i < bytes.Length; i++)
            {
                var letter = LettersByFrequency.IndexOf((char)bytes[i], StringComparison.Ordinal);
                var own = letter < 0 ? LettersByFrequency.Length : letter;
                if (own > rank)
                {
                    rank = own;
                    rarest = i;
                }
            }

            return rarest;
        }
    }
}
