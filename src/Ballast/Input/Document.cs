using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>
/// A parsed YAML or JSON document with the bookkeeping that good error messages need: the file name, and for
/// every value its line, column and field path. JSON is read as YAML (it is a subset); JSON syntax errors are
/// reported by a strict JSON parser first so their positions are exact.
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
        // A YAML flow mapping also starts with '{', so only a .json file gets the strict JSON pass.
        var isJson = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (isJson)
        {
            try
            {
                using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException e)
            {
                var message = e.Message;
                var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (cut > 0) message = message[..cut];
                problems.Add(new InputProblem($"not valid JSON: {message}", file, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1));
                return null;
            }
        }
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
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

    public decimal? Amount(YamlMappingNode map, string key, string path, bool allowNegative = false)
    {
        var node = Get(map, key);
        if (node is null) return null;
        var field = Join(path, key);
        var text = Scalar(node, field);
        if (text is null) return null;
        if (!Values.TryParseAmount(text, out var v, out var error))
        {
            Error(node, field, error!);
            return null;
        }
        if (!allowNegative && v < 0)
        {
            Error(node, field, $"must not be negative (got {text})");
            return null;
        }
        return v;
    }

    public decimal? Fraction(YamlMappingNode map, string key, string path) => Fraction(Get(map, key), Join(path, key));

    public decimal? Fraction(YamlNode? node, string field)
    {
        if (node is null) return null;
        var text = Scalar(node, field);
        if (text is null) return null;
        if (!Values.TryParseFraction(text, out var v, out var error))
        {
            Error(node, field, error!);
            return null;
        }
        if (v < 0)
        {
            Error(node, field, $"must not be negative (got {text})");
            return null;
        }
        return v;
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

    /// <summary>Reads a UTF-8 file, reporting a missing or unreadable file as a problem.</summary>
    public static string? ReadFile(string path, string shownName, List<InputProblem> problems)
    {
        try
        {
            return System.IO.File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new InputProblem(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : $"cannot read the file: {e.Message}", shownName));
            return null;
        }
    }
}
