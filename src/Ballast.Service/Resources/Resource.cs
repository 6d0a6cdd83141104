using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Input;
using Ballast.Operations.Documents;
using Ballast.Store;
using Microsoft.AspNetCore.Http;

namespace Ballast.Service.Resources;

/// <summary>
/// What every stored-resource endpoint shares: JSON answers written by the one JSON writer (<see cref="PlanJson.NewWriter"/>: decimals
/// printed exactly, no reflection), cursor pagination (<c>?limit=</c>, <c>?cursor=</c>, answering <c>{"data":[...],"next":...}</c>),
/// and bad input or a missing resource as problem documents.
/// </summary>
internal static class Resource
{
    public const int DefaultLimit = 50, MaxLimit = 500;

    /// <summary>A JSON answer: the object <paramref name="write"/> writes.</summary>
    public static Answer Json(int status, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = PlanJson.NewWriter(stream))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return new Answer(status, "application/json", Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }

    public static Answer Ok(Action<Utf8JsonWriter> write) => Json(StatusCodes.Status200OK, write);

    public static Answer Created(Action<Utf8JsonWriter> write) => Json(StatusCodes.Status201Created, write);

    /// <summary>The page asked for: <c>limit</c> (1 to 500, default 50) and the id after which it starts (from <c>cursor</c>); else the 400 naming the parameter.</summary>
    public static (long After, int Limit, Answer? Problem) Paging(HttpContext context, string kind)
    {
        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limits))
        {
            if (limits.Count != 1 || !int.TryParse(limits[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
                return (0, 0, Problems.InvalidQueryAnswer(context, "limit", $"limit is a whole number from 1 to {MaxLimit} (default {DefaultLimit}), not '{limits}'"));
        }
        long after = 0;
        if (query.TryGetValue("cursor", out var cursors))
        {
            if (cursors.Count != 1 || ParseCursor(cursors[0], kind) is not { } id)
                return (0, 0, Problems.InvalidQueryAnswer(context, "cursor", $"not a cursor of this list: give the 'next' of the page before, as it was answered"));
            after = id;
        }
        return (after, limit, null);
    }

    /// <summary>The opaque cursor of a list after <paramref name="id"/>: <c>KIND:ID</c> in base64url, so a cursor of another list is refused.</summary>
    public static string Cursor(string kind, long id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{id.ToString(CultureInfo.InvariantCulture)}"));

    private static long? ParseCursor(string? cursor, string kind)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 200) return null;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(cursor); }
        catch (FormatException) { return null; }
        var text = Encoding.UTF8.GetString(bytes);
        var prefix = kind + ":";
        return text.StartsWith(prefix, StringComparison.Ordinal)
               && long.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
               && Cursor(kind, id) == cursor
            ? id : null;
    }

    /// <summary>A page as <c>{"data":[...],"next":CURSOR|null}</c>, plus what <paramref name="extra"/> writes.</summary>
    public static Answer Page<T>(string kind, Page<T> page, Action<Utf8JsonWriter, T> item, Action<Utf8JsonWriter>? extra = null) => Ok(w =>
    {
        extra?.Invoke(w);
        w.WriteStartArray("data");
        foreach (var x in page.Items) item(w, x);
        w.WriteEndArray();
        if (page.NextAfter is { } next) w.WriteString("next", Cursor(kind, next));
        else w.WriteNull("next");
    });

    /// <summary>A list read in full (short by nature, such as an account's holdings) as one page.</summary>
    public static Answer All<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> item, Action<Utf8JsonWriter>? extra = null) => Ok(w =>
    {
        extra?.Invoke(w);
        w.WriteStartArray("data");
        foreach (var x in items) item(w, x);
        w.WriteEndArray();
        w.WriteNull("next");
    });

    /// <summary>
    /// Runs a step; bad input the store or the engine refuses (<see cref="InputException"/>) is a 422 naming the field (the command line's
    /// option names, such as <c>--ticker</c>, renamed to the body's by <paramref name="fields"/>), kept for an Idempotency-Key like any answer.
    /// </summary>
    public static Answer Step(HttpContext context, Func<Answer> step, params (string From, string To)[] fields)
    {
        try
        {
            return step();
        }
        catch (InputException e)
        {
            return Problems.InvalidRequest(context, [.. e.Problems.Select(p => Rename(p, fields))]);
        }
    }

    /// <summary>A problem with its field renamed from a command line option to the body's field.</summary>
    public static InputProblem Rename(InputProblem problem, (string From, string To)[] fields)
    {
        foreach (var (from, to) in fields)
            if (problem.Field == from) return problem with { Field = to };
        return problem;
    }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Instant(DateTimeOffset instant) => BallastStore.FormatInstant(instant);

    public static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
