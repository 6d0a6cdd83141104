using System.Text;
using Ballast.Input;
using YamlDotNet.RepresentationModel;

namespace Ballast.Tests.Input;

/// <summary>
/// A JSON document is read in one pass of the strict JSON reader (<see cref="JsonEvents"/>) into the nodes the YAML parser builds
/// from the same text: the same kinds, values and positions, so every reader and every message sees no difference. Each text
/// below is read both ways (as <c>x.yaml</c> by the YAML parser, as <c>x.json</c> and as UTF-8 bytes by the JSON reader) and the
/// trees are compared node by node.
/// </summary>
public sealed class JsonDocumentTests
{
    public static TheoryData<string> Texts => new()
    {
        """{"asOf": "2025-06-30", "cash": 1500, "targets": {"VTI": "60%", "BND": "40%"}}""",
        "{\n  \"asOf\": \"2025-06-30\",\n  \"holdings\": [\n    {\"ticker\": \"VTI\", \"quantity\": 10.5, \"price\": 1e2},\n    {\"ticker\": \"BND\", \"value\": -0}\n  ],\n  \"flag\": true, \"off\": false, \"none\": null\n}\n",
        "{\r\n\t\"crlf\": [1, 2, [3, [4]]],\r\n\t\"empty\": {}, \"list\": []\r\n}",
        "{\"accents\": \"caf\u00e9 \u00fcber\", \"after\": \"\u4e2d\u6587\", \"next\": 1,\n \"astral\": \"\U0001F600\", \"x\": [\"\\u00e9\\n\\t\\\"\"]}",
        "[1, \"two\", {\"three\": 3}]",
        "\"just a string\"",
        "  \n\n  42  \n",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void JsonReader_BuildsTheNodesTheYamlParserBuilds(string text)
    {
        var yaml = Parse("x.yaml", text);
        var json = Parse("x.json", text);
        var bytes = Document.ParseJson("x.json", Encoding.UTF8.GetBytes(text), []) ?? throw new InvalidOperationException("the bytes did not parse");

        Assert.Equal(Describe(yaml.Root), Describe(json.Root));
        Assert.Equal(Describe(yaml.Root), Describe(bytes.Root));
    }

    [Theory]
    [InlineData("{\"a\": 1,}", 1, 9)]
    [InlineData("{\n  \"a\": [1, 2\n}", 3, 1)]
    [InlineData("{\"a\": 1} {\"b\": 2}", 1, 10)]
    [InlineData("", 1, 1)]
    [InlineData("{\"a\": tru}", 1, 10)]
    public void MalformedJson_IsOneProblemAtTheReadersPosition(string text, int line, int column)
    {
        var problems = new List<InputProblem>();

        Assert.Null(Document.ParseJson("body", Encoding.UTF8.GetBytes(text), problems));

        var p = Assert.Single(problems);
        Assert.StartsWith("not valid JSON: ", p.Message, StringComparison.Ordinal);
        Assert.Equal(("body", line, column), (p.File, p.Line, p.Column));
    }

    [Fact]
    public void DuplicateKeys_AreRefusedAsTheYamlParserRefusesThem()
    {
        const string text = "{\"a\": 1,\n \"a\": 2}";
        var fromYaml = new List<InputProblem>();
        var fromJson = new List<InputProblem>();

        Assert.Null(Document.Parse("x.yaml", text, fromYaml));
        Assert.Null(Document.Parse("x.json", text, fromJson));

        Assert.Equal(Assert.Single(fromYaml).Message.Replace("YAML", "JSON", StringComparison.Ordinal), Assert.Single(fromJson).Message);
        Assert.Equal(fromYaml[0].Line, fromJson[0].Line);
    }

    [Fact]
    public void Comments_AreSkipped()
    {
        var doc = Parse("x.json", "{\n  // the cash\n  \"cash\": 5 /* dollars */\n}");

        var root = Assert.IsType<YamlMappingNode>(doc.Root);
        Assert.Equal("5", ((YamlScalarNode)root.Children[new YamlScalarNode("cash")]).Value);
        Assert.Equal(3, root.Children.Keys.Single().Start.Line);
    }

    private static Document Parse(string file, string text)
    {
        var problems = new List<InputProblem>();
        return Document.Parse(file, text, problems) ?? throw new InvalidOperationException($"{file} did not parse: {string.Join("; ", problems)}");
    }

    /// <summary>Every node, depth first: its kind, its value (scalars) and where it starts.</summary>
    private static List<string> Describe(YamlNode root)
    {
        var lines = new List<string>();
        Walk(root, 0);
        return lines;

        void Walk(YamlNode node, int depth)
        {
            var at = $"{node.Start.Line}:{node.Start.Column}";
            switch (node)
            {
                case YamlScalarNode s:
                    lines.Add($"{depth} scalar '{s.Value}' {(s.Style == YamlDotNet.Core.ScalarStyle.Plain ? "plain" : "quoted")} at {at}");
                    break;
                case YamlSequenceNode q:
                    lines.Add($"{depth} list at {at}");
                    foreach (var item in q.Children) Walk(item, depth + 1);
                    break;
                case YamlMappingNode m:
                    lines.Add($"{depth} mapping at {at}");
                    foreach (var (k, v) in m.Children)
                    {
                        Walk(k, depth + 1);
                        Walk(v, depth + 1);
                    }
                    break;
            }
        }
    }
}
