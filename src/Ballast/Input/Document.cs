using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>
/// A parsed YAML or JSON document with the bookkeeping that good error messages need: the file name, and for
/// every value its line, column and field path. A <c>.json</c> file is read by the strict JSON reader in one pass
/// (<see cref="JsonEvents"/>) into the nodes the YAML parser would build from it (JSON is a subset of YAML), so its syntax
/// errors are reported at the JSON reader's exact positions; every other file is read as YAML. A file larger than
/// <see cref="Limits.MaxFileBytes"/>, nested deeper than <see cref="Limits.MaxDepth"/>, with more than
/// <see cref="Limits.MaxNodes"/> values, with a list or mapping as a key, or with an alias inside its own anchor is
/// refused while it is parsed, before any of it is built.
/// </summary>
public sealed class Document
{
    private Document(string file, YamlNode root, List<InputProblem> problems)
    {
        File = file;
        Root = root;
        Problems = problems;
    }

    public string File { get; }
    public YamlNode Root { get; }
    /// <summary>Problems found so far, shared by everything reading this document.</summary>
    public List<InputProblem> Problems { get; }

    /// <summary>Parses <paramref name="text"/>; on a syntax error returns null and adds the problem to <paramref name="problems"/>.</summary>
    public static Document? Parse(string file, string text, List<InputProblem> problems)
    {
        if (text.Length > Limits.MaxFileBytes)
        {
            problems.Add(TooBig(file));
            return null;
        }
        if (UnpairedSurrogate(text) is { } at)
        {
            // Never from a file (decoding replaces bad bytes), but a host may pass any string.
            problems.Add(new InputProblem("the text holds a broken character (an unpaired UTF-16 surrogate)", file, at.Line, at.Column));
            return null;
        }
        // A YAML flow mapping also starts with '{', so only a .json file is read by the strict JSON reader.
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return Load(file, System.Text.Encoding.UTF8.GetBytes(text), problems);
        return Load(file, new Parser(new StringReader(text)), isJson: false, problems);
    }

    /// <summary>
    /// Parses the JSON document <paramref name="utf8"/> (UTF-8, no byte-order mark) in one pass of the strict JSON reader
    /// (comments are skipped, trailing commas refused) into the same nodes <see cref="Parse"/> builds from its text.
    /// On a syntax error returns null and adds the problem, at the JSON reader's line and byte, to <paramref name="problems"/>.
    /// </summary>
    public static Document? ParseJson(string file, ReadOnlyMemory<byte> utf8, List<InputProblem> problems)
    {
        if (utf8.Length > Limits.MaxFileBytes)
        {
            problems.Add(TooBig(file));
            return null;
        }
        return Load(file, utf8, problems);
    }

    private static Document? Load(string file, ReadOnlyMemory<byte> utf8, List<InputProblem> problems)
    {
        try
        {
            return Load(file, new JsonEvents(utf8, Limits.MaxDepth), isJson: true, problems);
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            // The JSON reader words the depth limit its own way; say it as the YAML pass does.
            if (message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)) message = TooDeep;
            problems.Add(new InputProblem($"not valid JSON: {message}", file, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1));
            return null;
        }
    }

    private static Document? Load(string file, IParser parser, bool isJson, List<InputProblem> problems)
    {
        try
        {
            var stream = new YamlStream();
            // YamlStream builds nodes recursively: the guard stops a file too deep before the stack runs out.
            stream.Load(new GuardedParser(parser));
            if (stream.Documents.Count == 0)
            {
                problems.Add(new InputProblem("the file is empty", file));
                return null;
            }
            return new Document(file, stream.Documents[0].RootNode, problems);
        }
        catch (YamlException e)
        {
            var message = e.InnerException is { } inner && e.Message.Contains("see inner", StringComparison.Ordinal) ? inner.Message : e.Message;
            // YamlDotNet prefixes its messages with the position; we report the position ourselves.
            var paren = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && paren > 0) message = message[(paren + 3)..];
            problems.Add(new InputProblem($"not valid {(isJson ? "JSON" : "YAML")}: {message}", file, (int)e.Start.Line, (int)e.Start.Column));
            return null;
        }
        catch (InvalidOperationException)
        {
            // The YAML scanner fails this way, without a position, on some unterminated flow collections.
            problems.Add(new InputProblem($"not valid {(isJson ? "JSON" : "YAML")}: a '{{' or '[' is never closed, or the file ends too early", file));
            return null;
        }
    }

    private static readonly string TooDeep = $"lists and mappings are nested more than {Limits.MaxDepth} deep, the most Ballast reads";

    /// <summary>The line and column of the first unpaired surrogate in <paramref name="text"/>, or null.</summary>
    private static (int Line, int Column)? UnpairedSurrogate(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0) return null;
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return (text.AsSpan(0, i).Count('\n') + 1, i - text.LastIndexOf('\n', i));
        }
        return null;
    }

    /// <summary>The problem of a file larger than <see cref="Limits.MaxFileBytes"/>.</summary>
    internal static InputProblem TooBig(string file) =>
        new($"the file is larger than {Limits.MaxFileBytes / (1024 * 1024)} MiB, the most Ballast reads", file);

    public void Error(YamlNode? node, string field, string message) =>
        Problems.Add(new InputProblem(message, File, node is null ? null : (int)node.Start.Line, node is null ? null : (int)node.Start.Column, field));

    /// <summary>The mapping at <paramref name="node"/>, or null with a problem when it is something else.</summary>
    public YamlMappingNode? Mapping(YamlNode node, string field)
    {
        if (node is YamlMappingNode m) return m;
        Error(node, field, "expected a mapping of fields");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string field)
    {
        if (node is YamlSequenceNode s) return s;
        Error(node, field, "expected a list");
        return null;
    }

    /// <summary>Reports fields of <paramref name="map"/> that are not among <paramref name="known"/>, and duplicate keys.</summary>
    public void CheckFields(YamlMappingNode map, string path, params string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!seen.Add(name)) Error(key, Join(path, name), "appears twice");
            if (Array.IndexOf(known, name) < 0)
                Error(key, Join(path, name), $"unknown field; expected one of: {string.Join(", ", known)}");
        }
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    /// <summary>A scalar's text, or null with a problem when the node is not a scalar.</summary>
    public string? Scalar(YamlNode node, string field)
    {
        if (node is YamlScalarNode s) return s.Value ?? "";
        Error(node, field, "expected a single value");
        return null;
    }

    public string? String(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        return node is null ? null : Scalar(node, Join(path, key));
    }

    /// <summary>A money amount: <see cref="Limits.Amount"/>, or <see cref="Limits.SignedAmount"/> when <paramref name="allowNegative"/>.</summary>
    public decimal? Amount(YamlMappingNode map, string key, string path, bool allowNegative = false) =>
        Amount(map, key, path, allowNegative ? Limits.SignedAmount : Limits.Amount);

    /// <summary>The number at <paramref name="key"/> of <paramref name="map"/>, or null with a problem when it is not a number within <paramref name="range"/>.</summary>
    public decimal? Amount(YamlMappingNode map, string key, string path, NumberRange range) => Amount(Get(map, key), Join(path, key), range);

    /// <summary>The number at <paramref name="node"/>, or null with a problem when it is not a number within <paramref name="range"/>.</summary>
    public decimal? Amount(YamlNode? node, string field, NumberRange range)
    {
        if (node is null) return null;
        var text = Scalar(node, field);
        if (text is null) return null;
        if (Values.TryParseAmount(text, range, out var v, out var error)) return v;
        Error(node, field, error!);
        return null;
    }

    /// <summary>A fraction within <see cref="Limits.AnyFraction"/>.</summary>
    public decimal? Fraction(YamlMappingNode map, string key, string path) => Fraction(Get(map, key), Join(path, key));

    /// <summary>A fraction (<c>5%</c>, <c>500bp</c>, <c>5pp</c>, <c>0.05</c>) within <paramref name="range"/>.</summary>
    public decimal? Fraction(YamlMappingNode map, string key, string path, NumberRange range) => Fraction(Get(map, key), Join(path, key), range);

    /// <summary>A fraction within <see cref="Limits.AnyFraction"/>.</summary>
    public decimal? Fraction(YamlNode? node, string field) => Fraction(node, field, Limits.AnyFraction);

    /// <summary>The fraction at <paramref name="node"/>, or null with a problem when it is not a fraction within <paramref name="range"/>.</summary>
    public decimal? Fraction(YamlNode? node, string field, NumberRange range)
    {
        if (node is null) return null;
        var text = Scalar(node, field);
        if (text is null) return null;
        if (Values.TryParseFraction(text, range, out var v, out var error)) return v;
        Error(node, field, error!);
        return null;
    }

    /// <summary>
    /// True when <paramref name="count"/> items of <paramref name="what"/> (so far, in this file) are within
    /// <paramref name="max"/>; otherwise reports the list at <paramref name="node"/> once and returns false.
    /// </summary>
    public bool WithinCount(YamlNode node, string field, string what, int count, int max)
    {
        if (count <= max) return true;
        Error(node, field, Limits.TooMany(what, count, max));
        return false;
    }

    public DateOnly? Date(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        if (node is null) return null;
        var text = Scalar(node, Join(path, key));
        if (text is null) return null;
        if (Values.TryParseDate(text, out var d, out var error)) return d;
        Error(node, Join(path, key), error!);
        return null;
    }

    public bool? Bool(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        if (node is null) return null;
        var text = Scalar(node, Join(path, key));
        switch (text?.ToLowerInvariant())
        {
            case null: return null;
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
            default:
                Error(node, Join(path, key), $"'{text}' is not true or false");
                return null;
        }
    }

    public int? Integer(YamlMappingNode map, string key, string path, int min, int max)
    {
        var node = Get(map, key);
        if (node is null) return null;
        var text = Scalar(node, Join(path, key));
        if (text is null) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        Error(node, Join(path, key), $"'{text}' is not a whole number from {min} to {max}");
        return null;
    }

    /// <summary>Reads a UTF-8 file, reporting a missing, unreadable or too large (<see cref="Limits.MaxFileBytes"/>) file as a problem.</summary>
    public static string? ReadFile(string path, string shownName, List<InputProblem> problems)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            // The length is checked before reading; a pipe is read until it passes the limit.
            if (stream.CanSeek && stream.Length > Limits.MaxFileBytes)
            {
                problems.Add(TooBig(shownName));
                return null;
            }
            using var reader = new StreamReader(stream, Encoding.UTF8);
            if (stream.CanSeek) return reader.ReadToEnd();
            var text = new StringBuilder();
            var buffer = new char[64 * 1024];
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                text.Append(buffer, 0, read);
                if (text.Length > Limits.MaxFileBytes)
                {
                    problems.Add(TooBig(shownName));
                    return null;
                }
            }
            return text.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new InputProblem(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : $"cannot read the file: {e.Message}", shownName));
            return null;
        }
    }

    /// <summary>
    /// Passes a parser's events through, refusing (as a <see cref="YamlException"/> at the event) what would make building
    /// the nodes crash or blow up: nesting deeper than <see cref="Limits.MaxDepth"/>, more than <see cref="Limits.MaxNodes"/>
    /// values, a list or mapping used as a key (keys are hashed recursively), and an alias inside its own anchor (a cycle).
    /// </summary>
    private sealed class GuardedParser(IParser inner) : IParser
    {
        private readonly Stack<(bool Mapping, int Children, AnchorName Anchor)> _open = new();
        private readonly Dictionary<AnchorName, int> _openAnchors = [];
        private readonly HashSet<AnchorName> _scalarAnchors = [];
        private int _nodes;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            var e = inner.Current!;
            switch (e)
            {
                case YamlDotNet.Core.Events.Scalar or AnchorAlias or SequenceStart or MappingStart:
                    if (++_nodes > Limits.MaxNodes)
                        Refuse(e, $"the file holds more than {Limits.MaxNodes:#,0} values, the most Ballast reads");
                    var isKey = false;
                    if (_open.Count > 0)
                    {
                        var top = _open.Pop();
                        isKey = top.Mapping && top.Children % 2 == 0;
                        _open.Push(top with { Children = top.Children + 1 });
                    }
                    if (e is AnchorAlias alias)
                    {
                        if (_openAnchors.ContainsKey(alias.Value))
                            Refuse(e, $"the alias *{alias.Value} is inside its own anchor &{alias.Value}");
                        if (isKey && !_scalarAnchors.Contains(alias.Value))
                            Refuse(e, $"a key must be a single value; *{alias.Value} is a list or mapping");
                    }
                    else if (e is YamlDotNet.Core.Events.Scalar scalar)
                    {
                        if (!scalar.Anchor.IsEmpty) _scalarAnchors.Add(scalar.Anchor);
                    }
                    else
                    {
                        if (isKey) Refuse(e, "a key must be a single value, not a list or mapping");
                        if (_open.Count >= Limits.MaxDepth)
                            Refuse(e, TooDeep);
                        var anchor = ((NodeEvent)e).Anchor;
                        if (!anchor.IsEmpty)
                        {
                            _scalarAnchors.Remove(anchor);
                            _openAnchors[anchor] = _openAnchors.GetValueOrDefault(anchor) + 1;
                        }
                        _open.Push((e is MappingStart, 0, anchor));
                    }
                    break;
                case SequenceEnd or MappingEnd when _open.Count > 0:
                    var closed = _open.Pop();
                    if (!closed.Anchor.IsEmpty && _openAnchors.TryGetValue(closed.Anchor, out var n))
                    {
                        if (n <= 1) _openAnchors.Remove(closed.Anchor);
                        else _openAnchors[closed.Anchor] = n - 1;
                    }
                    break;
            }
            return true;
        }

        private static void Refuse(ParsingEvent e, string message) => throw new YamlException(e.Start, e.End, message);
    }
}
