using System.Text.RegularExpressions;

namespace ToolAudit.Tests.Documentation;

/// <summary>
/// The README's table of log events is what admins set alerts on: every <c>[LoggerMessage]</c> of every package is in
/// it with its id and level, and it lists no event the code does not log.
/// </summary>
public sealed partial class ReadmeLogEventsTests
{
    [Fact]
    public void LogEventsTable_ListsEveryLoggerMessageOfEveryPackageWithItsLevel()
    {
        var repository = RepositoryRoot();
        var logged = Directory.EnumerateFiles(Path.Combine(repository, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => LoggerMessage().Matches(File.ReadAllText(path)))
            .Select(match => $"{match.Groups["id"].Value} {match.Groups["level"].Value}")
            .ToList();

        var readme = File.ReadAllText(Path.Combine(repository, "README.md"));
        var section = readme[readme.IndexOf("### Log events", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", StringComparison.Ordinal)];
        var documented = TableRow().Matches(section).Select(match => $"{match.Groups["id"].Value} {match.Groups["level"].Value}").ToList();

        logged.Should().HaveCountGreaterThan(20, "the four packages log that many events");
        logged.Should().OnlyHaveUniqueItems();
        documented.Should().BeEquivalentTo(logged);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ToolAudit.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("ToolAudit.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"\[LoggerMessage\((?<id>\d+), LogLevel\.(?<level>\w+),")]
    private static partial Regex LoggerMessage();

    [GeneratedRegex(@"^\| (?<id>\d+) \| (?<level>\w+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
