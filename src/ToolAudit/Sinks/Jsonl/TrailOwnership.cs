using Microsoft.Win32.SafeHandles;

namespace ToolAudit.Sinks.Jsonl;

/// <summary>
/// Whose the folders and day files the store writes through may be, and what others may do with them. The store
/// creates its folders <c>0750</c> and its files <c>0640</c>; one that was there before (planted by another user who
/// could write its parent, or left by an older writer with a looser umask) is checked when the store opens it to write:
/// another user's (neither the process's effective user, nor root, nor the audit root's owner) is refused like a link, since its owner could read and
/// change every entry written to it; the store's own user's with group write or any access for others has those taken
/// away.
/// </summary>
/// <remarks>Linux and macOS; nothing is checked where the owner is not known (Windows).</remarks>
internal static class TrailOwnership
{
    /// <summary>The bits an audit folder or day file must not have: group write, and any access for others.</summary>
    internal const UnixFileMode LooseBits = UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly uint? EffectiveUserId = OperatingSystem.IsWindows() ? null : UnixFileNativeMethods.GetEffectiveUserId();

    /// <summary>
    /// Throws when another user owns what <paramref name="status"/> describes than the process's effective user, root, or
    /// the owner of the audit root (who could change anything below it anyway).
    /// </summary>
    /// <param name="status">The status of the open folder or file.</param>
    /// <param name="path">Its path, for the error.</param>
    /// <param name="rootOwner">The owner of the audit root; null where unknown.</param>
    /// <exception cref="IOException">Another user owns it.</exception>
    public static void ThrowIfForeign(OpenFileStatus status, string path, uint? rootOwner)
    {
        if (status.OwnerId is { } owner && owner != 0 && owner != EffectiveUserId && owner != rootOwner)
        {
            throw new IOException(
                $"Refusing to write through '{path}': it belongs to another user (uid {owner}), who could read and change every audit entry written to it. "
                + "Give it to the host's user (chown) or move it aside.");
        }
    }

    /// <summary>
    /// Takes group write and any access for others away from an open folder or file the process's effective user owns;
    /// nothing for one another user (root) owns, or one without such bits. A mode that cannot be changed (an immutable
    /// file, a file system that refuses <c>chmod</c>) is left as it is, and said: the entries are still written.
    /// </summary>
    /// <param name="handle">The open folder or file.</param>
    /// <param name="status">Its status.</param>
    /// <returns>What it did, when the mode was loose; null otherwise.</returns>
    public static LooseModeChange? TightenIfLoose(SafeFileHandle handle, OpenFileStatus status)
    {
        if (OperatingSystem.IsWindows() || status.OwnerId is not { } owner || owner != EffectiveUserId || (status.Permissions & LooseBits) == 0)
        {
            return null;
        }

        try
        {
            File.SetUnixFileMode(handle, status.Permissions & ~LooseBits);
            return new LooseModeChange(status.Permissions, Failure: null);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return new LooseModeChange(status.Permissions, ex);
        }
    }

    /// <summary>A mode as <c>ls</c> shows it, in octal (<c>0644</c>).</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);
}
