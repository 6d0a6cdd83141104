using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Input;
using Microsoft.AspNetCore.Http;

namespace Ballast.Service;

/// <summary>One thing wrong with a request, as a problem document lists it: the field (a path in the document, a header, a query parameter), where, and why.</summary>
public sealed record ProblemField(string? Field, string Detail, int? Line = null, int? Column = null)
{
    public static ProblemField From(InputProblem p) => new(p.Field, p.Message, p.Line, p.Column);
}

/// <summary>
/// RFC 9457 problem documents (<c>application/problem+json</c>): every error the service answers with is one, naming the field
/// when there is one, never with a stack trace. Written with <see cref="Utf8JsonWriter"/> (no reflection).
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>The problem types, as URNs: what a client branches on (the title is for people).</summary>
    public const string MalformedJson = "urn:ballast:problem:malformed-json", InvalidDocument = "urn:ballast:problem:invalid-document",
        BodyTooLarge = "urn:ballast:problem:body-too-large", UnsupportedMediaType = "urn:ballast:problem:unsupported-media-type",
        Unauthorized = "urn:ballast:problem:unauthorized", Forbidden = "urn:ballast:problem:forbidden", IdempotencyConflict = "urn:ballast:problem:idempotency-key-reused",
        InvalidHeader = "urn:ballast:problem:invalid-header", RateLimited = "urn:ballast:problem:rate-limited", NotFound = "urn:ballast:problem:not-found",
        MethodNotAllowed = "urn:ballast:problem:method-not-allowed", StoreUnavailable = "urn:ballast:problem:store-unavailable", StoreBusy = "urn:ballast:problem:store-busy",
        Internal = "urn:ballast:problem:internal-error", BadRequest = "urn:ballast:problem:bad-request",
        InvalidQuery = "urn:ballast:problem:invalid-query", InvalidRequestType = "urn:ballast:problem:invalid-request", Conflict = "urn:ballast:problem:conflict";

    /// <summary>The document: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, <c>instance</c> (the request path), and with errors
    /// <c>field</c> (the first error's) and <c>errors</c> (each with <c>field</c>, <c>detail</c>, and <c>line</c>/<c>column</c> in the body when known).</summary>
    public static string Json(int status, string type, string title, string detail, string? instance, IReadOnlyList<ProblemField>? errors = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            w.WriteString("detail", detail);
            if (instance is not null) w.WriteString("instance", instance);
            if (errors is { Count: > 0 })
            {
                if (errors[0].Field is { } first) w.WriteString("field", first);
                w.WriteStartArray("errors");
                foreach (var e in errors)
                {
                    w.WriteStartObject();
                    if (e.Field is not null) w.WriteString("field", e.Field);
                    else w.WriteNull("field");
                    w.WriteString("detail", e.Detail);
                    if (e.Line is { } line) w.WriteNumber("line", line);
                    if (e.Column is { } column) w.WriteNumber("column", column);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The problem as an answer.</summary>
    public static Answer Answer(int status, string type, string title, string detail, HttpContext context, IReadOnlyList<ProblemField>? errors = null) =>
        new(status, ContentType, Json(status, type, title, detail, context.Request.Path.Value, errors));

    /// <summary>The problem for bad input: each problem a field.</summary>
    public static Answer Invalid(HttpContext context, IReadOnlyList<InputProblem> problems) =>
        Answer(StatusCodes.Status422UnprocessableEntity, InvalidDocument, "The document is not a valid portfolio",
            problems.Count == 1 ? problems[0].Message : $"{problems.Count} problems; see errors", context, [.. problems.Select(ProblemField.From)]);

    /// <summary>The problem for a request body or step that is not valid (a stored resource's POST): 422, each problem a field.</summary>
    public static Answer InvalidRequest(HttpContext context, IReadOnlyList<InputProblem> problems) =>
        Answer(StatusCodes.Status422UnprocessableEntity, InvalidRequestType, "The request is not valid",
            problems.Count == 1 ? problems[0].Message : $"{problems.Count} problems; see errors", context, [.. problems.Select(ProblemField.From)]);

    /// <summary>404: no such resource for the caller's tenant (another firm's ids are not found either), naming the path parameter.</summary>
    public static Answer NotFoundAnswer(HttpContext context, string field, string detail) =>
        Answer(StatusCodes.Status404NotFound, NotFound, "Not found", detail, context, [new ProblemField(field, detail)]);

    /// <summary>409: the resource's state does not allow the step (approving a cancelled proposal, creating a model that exists).</summary>
    public static Answer ConflictAnswer(HttpContext context, string field, string detail) =>
        Answer(StatusCodes.Status409Conflict, Conflict, "The resource's state does not allow this", detail, context, [new ProblemField(field, detail)]);

    /// <summary>400: a query parameter that is not valid (<c>limit</c>, <c>cursor</c>, <c>status</c>).</summary>
    public static Answer InvalidQueryAnswer(HttpContext context, string field, string detail) =>
        Answer(StatusCodes.Status400BadRequest, InvalidQuery, "A query parameter is not valid", detail, context, [new ProblemField(field, detail)]);

    /// <summary>Writes a problem as the response (middleware, the rate limiter, the exception handler).</summary>
    public static Task Write(HttpContext context, int status, string type, string title, string detail, IReadOnlyList<ProblemField>? errors = null) =>
        Answer(status, type, title, detail, context, errors).WriteAsync(context);
}

/// <summary>A complete answer (status, media type, body): what handlers return and what an <c>Idempotency-Key</c> replays.</summary>
public sealed record Answer(int Status, string ContentType, string Body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext);

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = ContentType + "; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(Body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
