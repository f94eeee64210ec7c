using System.Text.Json;
using ToolAudit.Extensions.AI.Tests.Support;

namespace ToolAudit.Extensions.AI.Tests.ChatClient;

/// <summary>What the trail keeps of a result that is not text: an image, a list of contents, an MCP result as JSON.</summary>
public sealed class ResultTextTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturnsAnImage_RecordsItsMediaTypeNotItsBytes(bool wrapped)
    {
        var image = new DataContent(new byte[1 << 20], "image/png");

        var entry = await RunAsync(AIFunctionFactory.Create(() => image, "screenshot"), wrapped);

        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be("[image/png]");
        entry.ResultChars.Should().Be("[image/png]".Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturnsContents_RecordsOneLinePerContent(bool wrapped)
    {
        IList<AIContent> contents = [new TextContent("line 1"), new DataContent(new byte[64], "image/jpeg"), new TextContent("line 2")];

        var entry = await RunAsync(AIFunctionFactory.Create(() => contents, "capture"), wrapped);

        entry.ResultSnippet.Should().Be("line 1\n[image/jpeg]\nline 2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturnsAnObject_RecordsItsJsonWithoutIndentation(bool wrapped)
    {
        var entry = await RunAsync(AIFunctionFactory.Create(() => new FileStat("résumé.txt", 42, ["r", "w"]), "stat"), wrapped);

        entry.ResultSnippet.Should().Be("""{"name":"résumé.txt","size":42,"modes":["r","w"]}""");
    }

    [Theory]
    [InlineData("""{"content":[],"structuredContent":{"n":3},"isError":false}""", "{\"n\":3}")]
    [InlineData("""{"content":[{"type":"text","text":"3 files"},{"type":"image","data":"AAAA","mimeType":"image/png"}],"structuredContent":{"n":3}}""", "3 files\n[image]")]
    [InlineData("""{"content":[{"type":"text","text":"a"}],"total":1}""", """{"content":[{"type":"text","text":"a"}],"total":1}""")]
    public async Task GetResponseAsync_ToolReturnsMcpResultAsJson_RecordsItsText(string json, string expected)
    {
        var entry = await RunAsync(AIFunctionFactory.Create(() => JsonDocument.Parse(json).RootElement.Clone(), "mcp_tool"), wrapped: false);

        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be(expected);
    }

    [Fact]
    public async Task GetResponseAsync_ArgumentsTheModelSentCannotBeParsed_RecordsWhyAsTheError()
    {
        await using var audit = new AuditHarness();
        var malformed = FunctionCallContent.CreateFromParsedArguments(
            "{\"path\": \"a.txt\"",
            "call-1",
            "read_file",
            static json => JsonSerializer.Deserialize<Dictionary<string, object?>>(json));
        malformed.Exception.Should().NotBeNull("the arguments are cut short");
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(malformed), ScriptedChatClient.Text("done"));
        using var client = model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync([new(ChatRole.User, "read a.txt")], new() { Tools = [Tools.ReadFile()] });

        var entry = (await audit.EntriesAsync()).Should().ContainSingle().Subject;
        entry.Status.Should().Be(AuditStatus.Error);
        entry.Error.Should().StartWith("System.ArgumentException: ")
            .And.Contain("(the model's arguments could not be read: ")
            .And.Contain(malformed.Exception!.GetType().FullName!);
    }

    [Fact]
    public async Task GetResponseAsync_ToolReturnsAReadOnlyListOfContents_RecordsOneLinePerContent()
    {
        var contents = new ReadOnlyContents([new TextContent("line 1"), new DataContent(new byte[8], "image/png")]);

        var entry = await RunAsync(new ReturningFunction("capture", () => contents), wrapped: false);

        entry.ResultSnippet.Should().Be("line 1\n[image/png]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolReturnsALazySequence_RecordsItWithoutReadingIt(bool wrapped)
    {
        var runs = 0;
        IEnumerable<AIContent> Lines()
        {
            runs++;
            yield return new TextContent("line 1");
        }

        var entry = await RunAsync(new ReturningFunction("lines", () => Lines()), wrapped);

        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().StartWith("[sequence: ");
        runs.Should().Be(0, "the audit must not run the host's iterator (the model's client reads it)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ResultCannotBeRead_IsStillRecorded(bool wrapped)
    {
        var entry = await RunAsync(new ReturningFunction("broken", () => new UnreadableContents()), wrapped);

        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be(nameof(UnreadableContents));
    }

    [Fact]
    public async Task GetResponseAsync_ResultHoldsItself_IsRecordedWithoutRunningOutOfStack()
    {
        var contents = new List<AIContent>();
        contents.Add(new FunctionResultContent("inner", contents));

        var entry = await RunAsync(new ReturningFunction("loop", () => contents), wrapped: false);

        entry.Status.Should().Be(AuditStatus.Ok);
        entry.ResultSnippet.Should().Be("[Microsoft.Extensions.AI.FunctionResultContent]", "read eight levels deep, then named");
    }

    private static async Task<AuditEntry> RunAsync(AIFunction tool, bool wrapped)
    {
        await using var audit = new AuditHarness();
        var model = new ScriptedChatClient(ScriptedChatClient.Calls(ScriptedChatClient.Call("call-1", tool.Name)), ScriptedChatClient.Text("done"));
        using var client = wrapped
            ? model.AsBuilder().UseFunctionInvocation().Build()
            : model.AsBuilder().UseToolAudit(audit.Recorder).UseFunctionInvocation().Build();

        await client.GetResponseAsync([new(ChatRole.User, "go")], new() { Tools = [wrapped ? tool.WithToolAudit(audit.Recorder) : tool] });

        return (await audit.EntriesAsync()).Should().ContainSingle().Subject;
    }

    private sealed record FileStat(string Name, int Size, string[] Modes);

    /// <summary>A host's own function that returns what it is given, as it is (not serialized, as AIFunctionFactory's are).</summary>
    private sealed class ReturningFunction(string name, Func<object?> result) : AIFunction
    {
        public override string Name => name;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult(result());
    }

    /// <summary>A list of contents that fails when read.</summary>
    private sealed class UnreadableContents : List<AIContent>, IList<AIContent>
    {
        IEnumerator<AIContent> IEnumerable<AIContent>.GetEnumerator() => throw new InvalidOperationException("gone");

        public override string ToString() => nameof(UnreadableContents);
    }

    /// <summary>A read-only list of contents that is not an <see cref="IList{T}"/>.</summary>
    private sealed class ReadOnlyContents(AIContent[] items) : IReadOnlyList<AIContent>
    {
        public int Count => items.Length;

        public AIContent this[int index] => items[index];

        public IEnumerator<AIContent> GetEnumerator() => ((IEnumerable<AIContent>)items).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
