using System.Net.Http.Headers;
using System.Text.Json;
using Ballast.Input;
using Ballast.Operations.Documents;
using Ballast.Planning;
using Microsoft.AspNetCore.Http;

namespace Ballast.Service;

/// <summary>
/// <c>POST /v1/check</c> and <c>POST /v1/plan</c>: the body is a portfolio document in the portfolio file's schema, as JSON. It is
/// checked to be well-formed JSON, then read by the engine's own portfolio reader (<see cref="PortfolioReader"/>, the one that reads
/// portfolio files), and answered with the document <c>ballast check FILE --json</c> / <c>ballast plan FILE --json</c> prints, written
/// by the same serializer (<see cref="PortfolioDocuments"/>).
/// </summary>
internal static class PortfolioRequests
{
    /// <summary>What problems call the body (the "file" of the reader).</summary>
    public const string BodyName = "body";

    /// <summary>Nesting deeper than this is refused as malformed before the reader sees it.</summary>
    public const int MaxDepth = 32;

    public static Answer Check(HttpContext context, byte[] body, DateOnly today)
    {
        if (Read(context, body, today, out var problem) is not { } portfolio) return problem!;
        var plan = PortfolioDocuments.Check(portfolio);
        return new Answer(StatusCodes.Status200OK, "application/json", PortfolioDocuments.CheckJson(portfolio, plan));
    }

    public static Answer Plan(HttpContext context, byte[] body, DateOnly today)
    {
        if (Read(context, body, today, out var problem) is not { } portfolio) return problem!;
        var (plan, tax) = PortfolioDocuments.Plan(portfolio, new PlanRequest(), new Ballast.Households.TaxPlanOptions());
        return new Answer(StatusCodes.Status200OK, "application/json", PortfolioDocuments.PlanJsonText(portfolio, plan, tax));
    }

    /// <summary>The portfolio of the body, or null with the problem to answer.</summary>
    private static Ballast.Portfolios.Portfolio? Read(HttpContext context, byte[] body, DateOnly today, out Answer? problem)
    {
        problem = Malformed(context, body);
        if (problem is not null) return null;
        var read = PortfolioReader.ReadJson(BodyName, body, new ReadOptions(Normalize: false, DefaultAsOf: today));
        var problems = read.Problems.ToList();
        if (read.Value is { PriceHistory: not null })
            problems.Add(new InputProblem("the service reads no files: a price history is not accepted over HTTP; give pricesAtLastRebalance in the document instead",
                BodyName, Field: "priceHistory"));
        if (problems.Count > 0 || read.Value is null)
        {
            problem = Problems.Invalid(context, problems.Count > 0 ? problems : [new InputProblem("the document is not a portfolio", BodyName, Field: "")]);
            return null;
        }
        return read.Value;
    }

    /// <summary>A 400 problem when the body is not one well-formed JSON object (checked with the strict JSON reader: no comments, no trailing commas).</summary>
    private static Answer? Malformed(HttpContext context, byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            var first = true;
            var frames = new Stack<Frame>();
            while (reader.Read())
            {
                if (first && reader.TokenType != JsonTokenType.StartObject)
                    return Problems.Answer(StatusCodes.Status422UnprocessableEntity, Problems.InvalidDocument, "The document is not a valid portfolio",
                        "the body must be a JSON object (the portfolio document)", context, [new ProblemField("", "the body must be a JSON object (the portfolio document)", 1, 1)]);
                first = false;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var top = frames.Peek();
                        top.Pending = reader.GetString()!;
                        if (!top.Names!.Add(top.Pending))
                        {
                            var field = Document.Join(top.Path, top.Pending);
                            var line = 1 + body.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
                            return Problems.Invalid(context, [new InputProblem("appears twice in the same object", BodyName, line, Field: field)]);
                        }
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Push(new Frame(ValuePath(frames), reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                        // A single value: only a list's item count moves (paths are spelled out only for lists and mappings, which may hold a duplicate).
                        if (frames.Count > 0 && frames.Peek().Names is null) frames.Peek().Index++;
                        break;
                }
            }
            return null;
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            int? line = e.LineNumber is { } l ? (int)Math.Min(l + 1, int.MaxValue) : null;
            int? column = e.BytePositionInLine is { } b ? (int)Math.Min(b + 1, int.MaxValue) : null;
            return Problems.Answer(StatusCodes.Status400BadRequest, Problems.MalformedJson, "The body is not well-formed JSON",
                $"malformed JSON{(line is null ? "" : $" at line {line}, byte {column}")}: {message}", context, [new ProblemField(null, message, line, column)]);
        }
    }

    /// <summary>An object or array being read: its path (as the portfolio reader names fields), its member names so far, the last member or item.</summary>
    private sealed class Frame(string path, HashSet<string>? names)
    {
        public string Path { get; } = path;
        public HashSet<string>? Names { get; } = names;
        public string Pending { get; set; } = "";
        public int Index { get; set; } = -1;
    }

    /// <summary>The path of the value that starts now: <c>holdings[0].ticker</c>.</summary>
    private static string ValuePath(Stack<Frame> frames)
    {
        if (frames.Count == 0) return "";
        var parent = frames.Peek();
        if (parent.Names is not null) return Document.Join(parent.Path, parent.Pending);
        parent.Index++;
        return $"{parent.Path}[{parent.Index}]";
    }

    /// <summary>Why the request's media type is not JSON, or null when it is (<c>application/json</c> or <c>*+json</c>, UTF-8).</summary>
    public static string? UnsupportedMediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return "no Content-Type: send the portfolio document as application/json";
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null) return $"Content-Type '{contentType}' is not a media type";
        var type = media.MediaType.ToLowerInvariant();
        if (type != "application/json" && !(type.StartsWith("application/", StringComparison.Ordinal) && type.EndsWith("+json", StringComparison.Ordinal)))
            return $"Content-Type '{media.MediaType}' is not supported: send the portfolio document as application/json";
        if (media.CharSet is { } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return $"charset '{charset}' is not supported: JSON is UTF-8";
        return null;
    }
}
