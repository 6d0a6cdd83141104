using Ballast.Input;

namespace Ballast.Tests.Input;

/// <summary>
/// The structural limits every YAML or JSON file meets before any of it is built: size, nesting depth, the number of
/// values, keys that are lists or mappings, aliases inside their own anchors and broken characters. Each is a
/// problem naming the file and, where the parser knows it, the line; none is a crash.
/// </summary>
public sealed class DocumentLimitsTests
{
    private static InputProblem Refused(string file, string text)
    {
        var problems = new List<InputProblem>();
        Assert.Null(Document.Parse(file, text, problems));
        return Assert.Single(problems);
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', 2 * i) + "a:\n")) + new string(' ', 2 * depth) + "b: 1\n";

    [Theory]
    [InlineData("deep.yaml")]
    [InlineData("deep.json")]
    public void FlowNesting100000Deep_IsAProblem_NotAStackOverflow(string file)
    {
        var p = Refused(file, new string('[', 100_000) + new string(']', 100_000));

        Assert.Equal(file, p.File);
        Assert.Equal(1, p.Line);
        Assert.Contains($"nested more than {Limits.MaxDepth} deep", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnclosedFlowNesting_IsAProblem()
    {
        var p = Refused("deep.yaml", "targets: " + new string('[', 100_000));

        Assert.Contains($"nested more than {Limits.MaxDepth} deep", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockNesting_ReportsTheLineWhereTheLimitIsPassed()
    {
        // The root mapping is level 1; the mapping under the 64th "a:" (line 64) is level 65.
        var p = Refused("deep.yaml", Nested(Limits.MaxDepth));

        Assert.Equal(Limits.MaxDepth + 1, p.Line);
        Assert.Equal($"not valid YAML: lists and mappings are nested more than {Limits.MaxDepth} deep, the most Ballast reads", p.Message);
    }

    [Fact]
    public void NestingUpToTheLimit_Parses()
    {
        var problems = new List<InputProblem>();
        Assert.NotNull(Document.Parse("deep.yaml", Nested(Limits.MaxDepth - 1), problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void TextLargerThanTheLimit_IsRefusedBeforeParsing()
    {
        var p = Refused("big.yaml", "a: " + new string('x', Limits.MaxFileBytes));

        Assert.Equal(("big.yaml", "the file is larger than 16 MiB, the most Ballast reads"), (p.File, p.Message));
    }

    [Fact]
    public void FileLargerThanTheLimit_IsRefusedBeforeReading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ballast-big-{Guid.NewGuid():N}.yaml");
        try
        {
            using (var f = File.Create(path)) f.SetLength(Limits.MaxFileBytes + 1L);
            var problems = new List<InputProblem>();

            Assert.Null(Document.ReadFile(path, "big.yaml", problems));
            Assert.Equal("big.yaml: the file is larger than 16 MiB, the most Ballast reads", Assert.Single(problems).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MoreValuesThanTheLimit_IsAProblem()
    {
        var p = Refused("many.yaml", "a: [" + string.Join(',', Enumerable.Repeat("1", Limits.MaxNodes)) + "]");

        Assert.Contains($"more than {Limits.MaxNodes:#,0} values", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: &a [*a]\n", "the alias *a is inside its own anchor &a")]
    [InlineData("a: &a { b: *a }\n", "the alias *a is inside its own anchor &a")]
    [InlineData("a: &a [1]\n? *a\n: 1\n", "a key must be a single value; *a is a list or mapping")]
    [InlineData("? [1, 2]\n: 1\n", "a key must be a single value, not a list or mapping")]
    [InlineData("? { a: 1 }\n: 1\n", "a key must be a single value, not a list or mapping")]
    public void KeysThatAreCollections_AndCyclicAliases_AreProblems(string text, string message) =>
        Assert.EndsWith(message, Refused("a.yaml", text).Message, StringComparison.Ordinal);

    [Fact]
    public void AnExponentialAliasKey_IsRefusedBeforeItIsHashed()
    {
        // Ten lists of ten aliases of the previous list: a key a billion values large if it were expanded.
        var lines = new List<string> { "l0: &l0 [x,x,x,x,x,x,x,x,x,x]" };
        for (var i = 1; i < 9; i++) lines.Add($"l{i}: &l{i} [{string.Join(',', Enumerable.Repeat($"*l{i - 1}", 10))}]");
        lines.Add("? *l8\n: 1");

        Assert.EndsWith("a key must be a single value; *l8 is a list or mapping", Refused("laugh.yaml", string.Join('\n', lines)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasesOfScalarsAndOfValues_StillWork()
    {
        var problems = new List<InputProblem>();
        var doc = Document.Parse("a.yaml", "k: &k name\nshared: &s { x: 1 }\nuse: *s\n*k : 2\n", problems);

        Assert.Empty(problems);
        Assert.NotNull(doc);
    }

    [Theory]
    [InlineData("a.yaml")]
    [InlineData("a.json")]
    public void AnUnpairedSurrogate_IsAProblemWithItsLine(string file)
    {
        var p = Refused(file, "{ \"a\": 1,\n  \"b\": \"x\uD800y\" }");

        Assert.Equal((2, 10), (p.Line, p.Column));
        Assert.Contains("unpaired UTF-16 surrogate", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonNestedTooDeep_IsWordedAsForYaml()
    {
        var p = Refused("deep.json", "{\"a\": " + new string('[', 70) + new string(']', 70) + "}");

        Assert.Equal($"not valid JSON: lists and mappings are nested more than {Limits.MaxDepth} deep, the most Ballast reads", p.Message);
    }
}
