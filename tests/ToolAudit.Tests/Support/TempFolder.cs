namespace ToolAudit.Tests.Support;

/// <summary>A fresh folder per test, deleted afterwards.</summary>
/// <remarks>
/// On Linux and macOS it and the folders made by <see cref="Subfolder"/> are exactly owner all, group read and enter
/// (0750), whatever the umask: a root that every user may write makes the JSONL store log a warning, which tests that
/// count log records must not get from the machine's umask.
/// </remarks>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "toolaudit-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        OwnerAndGroupOnly(Path);
    }

    public string Path { get; }

    /// <summary>Creates the folder <paramref name="name"/> in this one (0750 on Linux and macOS) and returns its path.</summary>
    public string Subfolder(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        OwnerAndGroupOnly(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void OwnerAndGroupOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
    }
}
