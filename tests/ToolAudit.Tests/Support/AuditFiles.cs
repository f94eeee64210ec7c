using System.Text;

namespace ToolAudit.Tests.Support;

/// <summary>Raw access to the files a JSONL store wrote.</summary>
public static class AuditFiles
{
    /// <summary>The day files below <paramref name="root"/> this process holds open (read from <c>/proc/self/fd</c>).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static int OpenDayFiles(string root) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd =>
            {
                try
                {
                    return new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    return null; // closed meanwhile (another test's descriptor)
                }
            })
            .Count(target => target is not null && target.StartsWith(root + "/", StringComparison.Ordinal) && target.EndsWith(".jsonl", StringComparison.Ordinal));

    /// <summary>Every .jsonl file under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> All(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>The lines of a file, split on <c>\n</c> only; the text after the last newline is dropped when empty.</summary>
    public static IReadOnlyList<string> Lines(string path)
    {
        var text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>All lines of all files under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> AllLines(string root) => All(root).SelectMany(Lines).ToList();

    /// <summary>Creates the folders of <paramref name="path"/> and writes <paramref name="text"/> as UTF-8 without a BOM.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }

    /// <summary>Appends <paramref name="text"/> as UTF-8 without a BOM.</summary>
    public static void Append(string path, string text) => File.AppendAllText(path, text, new UTF8Encoding(false));
}
