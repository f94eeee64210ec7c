using Microsoft.Extensions.Logging;

namespace ToolAudit.Diagnostics;

/// <summary>The recorder's and sinks' own log messages.</summary>
internal static partial class Log
{
    /// <summary>
    /// A path found in the trail as a log line can show it: control characters and line and paragraph separators
    /// escaped (<c>\u000A</c>), since anyone who can write a folder can name a file <c>"x\nCRITICAL: …"</c> and forge a
    /// second line in a plain-text log. Any other path is returned as it is.
    /// </summary>
    /// <param name="path">A path.</param>
    /// <returns>The path, printable.</returns>
    public static string Printable(string path)
    {
        if (path.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') < 0 && path.AsSpan().IndexOfAny('\u007F', '\u0085') < 0
            && path.AsSpan().IndexOfAnyInRange('\u2028', '\u2029') < 0)
        {
            return path;
        }

        var text = new System.Text.StringBuilder(path.Length + 16);
        foreach (var c in path)
        {
            if (c < ' ' || c == '\u007F' || c == '\u0085' || c == '\u2028' || c == '\u2029')
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    [LoggerMessage(1, LogLevel.Error, "Audit sink {Sink} failed to write {Count} entries of a batch.")]
    public static partial void SinkFailed(ILogger logger, string sink, int count, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "The audit queue is full: dropping entries (mode {Mode}). {Dropped} dropped so far.")]
    public static partial void Dropping(ILogger logger, AuditOverflowMode mode, long dropped);

    [LoggerMessage(3, LogLevel.Error, "Audit shutdown gave up after {Waited} (ShutdownTimeout, or the host's shutdown budget, ran out); {Pending} entries were not written and are counted as failed.")]
    public static partial void ShutdownTimedOut(ILogger logger, TimeSpan waited, long pending);

    [LoggerMessage(4, LogLevel.Error, "An audit entry for tool {Tool} could not be prepared and is counted as failed.")]
    public static partial void PrepareFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Audit sink {Sink} failed to write {Count} gap markers.")]
    public static partial void GapWriteFailed(ILogger logger, string sink, int count, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "An audit subscriber threw; the entry is kept and the other subscribers still run.")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "A call to tool {Tool} was recorded after the recorder shut down; it is counted as failed and not written.")]
    public static partial void RecordedAfterShutdown(ILogger logger, string tool);

    [LoggerMessage(8, LogLevel.Critical, "The audit writer stopped on an unexpected error; the entries not yet written, and every call from now on, are counted as failed.")]
    public static partial void WriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "The arguments of a call to tool {Tool} could not be read (reading them threw twice); the call is recorded with a placeholder for them.")]
    public static partial void ArgumentsUnreadable(ILogger logger, string tool, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "A call to tool {Tool} was recorded after the audit writer stopped on an unexpected error; it is counted as failed and not written.")]
    public static partial void RecordedAfterFault(ILogger logger, string tool);

    [LoggerMessage(11, LogLevel.Error, "Waiting for room in the audit queue failed unexpectedly for a call to tool {Tool}; the call is counted as failed and not written.")]
    public static partial void WaitForRoomFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "The audit file {Path} {Change} while the store held it open, by something other than the store; the store opens the file at that path again and writes there from now on.")]
    public static partial void HeldFileChanged(ILogger logger, string path, string change);

    [LoggerMessage(13, LogLevel.Warning, "Skipped '{Path}' in the audit trail: it {What}. It is left in place, and neither read nor purged (logged once per path).")]
    public static partial void TrailEntrySkipped(ILogger logger, string path, string what);

    [LoggerMessage(14, LogLevel.Warning, "Skipped the user folder '{Path}' in the audit trail: it could not be read, so its entries are left out of this read (logged once per path).")]
    public static partial void UserFolderUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "The audit root {Root} can be written by every user of the machine (mode {Mode}): anyone can delete day files or plant folders and links in the trail. Let only the host's user and group write it (chmod o-w).")]
    public static partial void RootWritableByAll(ILogger logger, string root, string mode);

    [LoggerMessage(19, LogLevel.Warning, "Another process held the append gate of '{Path}' (a lock on one byte far past its end; anyone who can read the file can take it) for the {PatienceMs} ms an open waits for it, so the store read the file's last byte without it and writes on: an append in progress may be followed by a blank line, which readers skip. A reader that keeps the lock can only delay each open of the file this long.")]
    public static partial void AppendGateHeld(ILogger logger, string path, double patienceMs);

    [LoggerMessage(20, LogLevel.Error, "{Markers} gap markers, telling {Dropped} dropped audit entries, could not be written before the store closed (it had kept them since a write failed): those drops are not in the trail. The recorder's counters count them.")]
    public static partial void GapsLostAtDispose(ILogger logger, int markers, long dropped, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "'{Path}' in the audit trail could be read by other users or written by its group (mode {Mode}); the store took that away (mode {NewMode}) before writing through it.")]
    public static partial void LooseModeTightened(ILogger logger, string path, string mode, string newMode);

    [LoggerMessage(22, LogLevel.Warning, "'{Path}' in the audit trail can be read by other users or written by its group (mode {Mode}), and the store could not take that away (an immutable file, a file system that refuses chmod); it writes through it as it is. Change its mode by hand.")]
    public static partial void LooseModeKept(ILogger logger, string path, string mode, Exception exception);

    [LoggerMessage(16, LogLevel.Information, "Purged {Entries} audit entries from before {OlderThan:o} ({Files} day files deleted).")]
    public static partial void Purged(ILogger logger, long entries, DateTimeOffset olderThan, int files);

    [LoggerMessage(17, LogLevel.Information, "Purged {Entries} audit entries from before {OlderThan:o} from memory.")]
    public static partial void PurgedFromMemory(ILogger logger, long entries, DateTimeOffset olderThan);

    [LoggerMessage(18, LogLevel.Information, "Purged the audit day file {Path} ({Entries} entries).")]
    public static partial void PurgedDayFile(ILogger logger, string path, long entries);
}
