using System.Text.Json;
using Ballast.Input;
using Microsoft.AspNetCore.Http;

namespace Ballast.Service.Resources;

/// <summary>
/// The JSON object of a resource's POST, read strictly: malformed JSON (or a member given twice) is a 400 with the line and byte; a member
/// this endpoint does not know, a wrong type or a missing field is a 422 naming the field. Read with <see cref="JsonDocument"/> (no reflection).
/// An empty body reads as <c>{}</c> where the endpoint allows one.
/// </summary>
internal sealed class RequestBody
{
    private readonly JsonElement _root;

    private RequestBody(JsonElement root) => _root = root;

    /// <summary>Every problem found so far, each naming its field.</summary>
    public List<InputProblem> Problems { get; } = [];

    /// <summary>The body, or null with the 400 or 422 to answer.</summary>
    public static RequestBody? Read(HttpContext context, byte[] body, IReadOnlyCollection<string> fields, out Answer? problem)
    {
        problem = null;
        JsonElement root;
        if (body.Length == 0) root = JsonDocument.Parse("{}").RootElement;
        else
        {
            try
            {
                using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = PortfolioRequests.MaxDepth, AllowDuplicateProperties = false });
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                var message = e.Message;
                var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (cut > 0) message = message[..cut];
                int? line = e.LineNumber is { } l ? (int)Math.Min(l + 1, int.MaxValue) : null;
                int? column = e.BytePositionInLine is { } b ? (int)Math.Min(b + 1, int.MaxValue) : null;
                problem = Ballast.Service.Problems.Answer(StatusCodes.Status400BadRequest, Ballast.Service.Problems.MalformedJson, "The body is not well-formed JSON",
                    $"malformed JSON{(line is null ? "" : $" at line {line}, byte {column}")}: {message}", context, [new ProblemField(null, message, line, column)]);
                return null;
            }
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = Ballast.Service.Problems.InvalidRequest(context, [new InputProblem("the body must be a JSON object", "body", Field: "")]);
            return null;
        }
        var read = new RequestBody(root);
        foreach (var p in root.EnumerateObject())
            if (!fields.Contains(p.Name))
                read.Problems.Add(new InputProblem($"unknown field; expected one of: {string.Join(", ", fields)}", "body", Field: p.Name));
        return read;
    }

    /// <summary>The 422 for the problems found, or null when there are none.</summary>
    public Answer? Problem(HttpContext context) => Problems.Count == 0 ? null : Ballast.Service.Problems.InvalidRequest(context, Problems);

    public bool Has(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Element(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string name, bool required = false, int max = 200)
    {
        if (Element(name) is not { } v)
        {
            if (required) Problems.Add(new InputProblem("missing", "body", Field: name));
            return null;
        }
        if (v.ValueKind != JsonValueKind.String) return Wrong(name, "a string");
        var s = v.GetString()!;
        if (required && string.IsNullOrWhiteSpace(s)) { Problems.Add(new InputProblem("must not be empty", "body", Field: name)); return null; }
        if (s.Length > max) { Problems.Add(new InputProblem($"at most {max} characters", "body", Field: name)); return null; }
        return s;
    }

    public decimal? Number(string name, bool required = false) => Number(Element(name), name, required);

    public decimal? Number(JsonElement? element, string field, bool required = false)
    {
        if (element is not { } v)
        {
            if (required) Problems.Add(new InputProblem("missing", "body", Field: field));
            return null;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var d)) { Wrong(field, "a number"); return null; }
        return d;
    }

    public bool? Boolean(string name)
    {
        if (Element(name) is not { } v) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) { Wrong(name, "true or false"); return null; }
        return v.GetBoolean();
    }

    /// <summary>An object of numbers by name (<c>{"VTI": 0.6, "BND": 0.4}</c>).</summary>
    public Dictionary<string, decimal>? Numbers(string name, bool required = false)
    {
        if (Element(name) is not { } v)
        {
            if (required) Problems.Add(new InputProblem("missing", "body", Field: name));
            return null;
        }
        if (v.ValueKind != JsonValueKind.Object) return Wrong<Dictionary<string, decimal>>(name, "an object of numbers by ticker");
        var result = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in v.EnumerateObject())
            if (Number(p.Value, $"{name}.{p.Name}", required: true) is { } d) result[p.Name] = d;
        return result;
    }

    /// <summary>An array of ids.</summary>
    public List<long>? Ids(string name)
    {
        if (Element(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Array) return Wrong<List<long>>(name, "an array of ids");
        var ids = new List<long>();
        var i = 0;
        foreach (var x in v.EnumerateArray())
        {
            if (x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var id) && id > 0) ids.Add(id);
            else Wrong($"{name}[{i}]", "an id (a whole number above 0)");
            i++;
        }
        return ids;
    }

    private T? Wrong<T>(string field, string what) where T : class
    {
        Problems.Add(new InputProblem($"must be {what}", "body", Field: field));
        return null;
    }

    private string? Wrong(string field, string what) => Wrong<string>(field, what);
}
