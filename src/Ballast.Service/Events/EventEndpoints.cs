using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Operations.Alerts;
using Ballast.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ballast.Service.Events;

/// <summary>
/// <c>GET /v1/events</c>: the caller's tenant's events, oldest first, each as a webhook receives it (<see cref="WebhookNotifier.Body"/>).
/// With <c>Accept: text/event-stream</c>, a Server-Sent Events stream: each event's <c>id:</c> is its event id, <c>event:</c> its kind,
/// <c>data:</c> its JSON; it resumes after <c>Last-Event-Id</c> (or <c>?after=</c>), else starts with the events recorded from now on;
/// a comment every <see cref="ServiceOptions.Heartbeat"/> when idle; it ends when the service stops. Otherwise one JSON page
/// <c>{"data":[...],"next":cursor}</c> after <c>?cursor=</c>, at most <c>?limit=</c> events; <c>next</c> is null on the last page.
/// </summary>
internal static class EventEndpoints
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    /// <summary>Events read from the store at a time by a stream.</summary>
    private const int StreamBatch = 100;

    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/events", (HttpContext context, CancellationToken _) => Get(context))
            .WithMetadata(new RequiresPermission(Permission.Read))
            .WithTags("events")
            .WithSummary("The tenant's events: a page of JSON, or a Server-Sent Events stream with Accept: text/event-stream")
            .WithDescription("JSON: `?cursor=` (the `next` of the previous page, or an event id) and `?limit=` (1 to 1000, default 100); `next` is null on the last page. " +
                "Stream (`Accept: text/event-stream`): resumes after the `Last-Event-Id` header or `?after=ID`, else sends the events recorded from now on; " +
                "`id:` is the event id, `event:` its kind, `data:` its JSON; a comment line every 15 s when idle. `?kinds=a,b` keeps those kinds. Roles: " +
                string.Join(", ", Permissions.RolesThatMay(Permission.Read)) + ".")
            .Produces(StatusCodes.Status200OK, null, "application/json", "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        // A write through the API may have added events: wake the poller now rather than at its next tick.
        v1.AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            if (invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>() is { Permission: Permission.Trade or Permission.Approve or Permission.Administer })
                invocation.HttpContext.RequestServices.GetRequiredService<EventFeed>().Poke();
            return result;
        });
    }

    private static async Task<IResult> Get(HttpContext context)
    {
        var query = context.Request.Query;
        var stream = context.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
        string[]? kinds = null;
        if (query.TryGetValue("kinds", out var k))
        {
            kinds = [.. k.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
            if (kinds.FirstOrDefault(x => !EventKinds.All.Contains(x, StringComparer.Ordinal)) is { } unknown)
                return Bad(context, "kinds", $"unknown event kind '{unknown}'; kinds: {string.Join(", ", EventKinds.All)}");
            if (kinds.Length == 0) kinds = null;
        }
        var store = BallastService.TenantStore(context);
        if (!stream)
        {
            if (Number(context, "cursor", out var cursor) is { } badCursor) return badCursor;
            var limit = (long)DefaultLimit;
            if (query.ContainsKey("limit"))
            {
                if (Number(context, "limit", out var l) is { } badLimit) return badLimit;
                if (l is < 1 or > MaxLimit) return Bad(context, "limit", $"limit {l}: from 1 to {MaxLimit}");
                limit = l!.Value;
            }
            var page = store.Events(cursor ?? 0, (int)limit, kinds);
            return new Answer(StatusCodes.Status200OK, "application/json", Page(page, page.Count == limit ? page[^1].Id : null));
        }

        long? after;
        if (context.Request.Headers.TryGetValue("Last-Event-Id", out var last) && !string.IsNullOrWhiteSpace(last.ToString()))
        {
            if (!long.TryParse(last.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return Bad(context, "Last-Event-Id", $"'{last}' is not an event id (a whole number, 0 or more)");
            after = id;
        }
        else if (Number(context, "after", out after) is { } badAfter) return badAfter;
        await Stream(context, store, after ?? store.LastEventId(), kinds);
        return Results.Empty;
    }

    /// <summary>The stream: events after <paramref name="cursor"/>, then each new one as the feed notices it, until the client goes or the service stops.</summary>
    private static async Task Stream(HttpContext context, BallastStore store, long cursor, string[]? kinds)
    {
        var services = context.RequestServices;
        var feed = services.GetRequiredService<EventFeed>();
        var heartbeat = services.GetRequiredService<ServiceState>().Options.Heartbeat;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var token = linked.Token;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await Write(response, "retry: 3000\n\n", token);
            var lastWrite = Stopwatch.GetTimestamp();
            while (!token.IsCancellationRequested)
            {
                var changed = feed.Changed; // taken before reading: an event committed after the read completes it
                var events = store.Events(cursor, StreamBatch, kinds);
                if (events.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var e in events)
                    {
                        text.Append("id: ").Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("event: ").Append(e.Kind).Append('\n')
                            .Append("data: ").Append(WebhookNotifier.Body(WebhookEvent.From(e))).Append("\n\n");
                        cursor = e.Id;
                    }
                    await Write(response, text.ToString(), token);
                    lastWrite = Stopwatch.GetTimestamp();
                    if (events.Count == StreamBatch) continue;
                }
                var idle = heartbeat - Stopwatch.GetElapsedTime(lastWrite);
                if (idle <= TimeSpan.Zero)
                {
                    await Write(response, ": heartbeat\n\n", token);
                    lastWrite = Stopwatch.GetTimestamp();
                    continue;
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                await Task.WhenAny(changed, Task.Delay(idle, wait.Token)).ConfigureAwait(false);
                await wait.CancelAsync();
            }
            if (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                await Write(response, ": the service is stopping; reconnect with Last-Event-Id\n\n", context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // the client went away, or the service stops: the stream ends
        }
    }

    private static async Task Write(HttpResponse response, string text, CancellationToken token)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), token);
        await response.Body.FlushAsync(token);
    }

    /// <summary><c>{"data":[event, ...],"next":"ID"|null}</c>.</summary>
    internal static string Page(IReadOnlyList<StoredEvent> events, long? next)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var e in events) w.WriteRawValue(WebhookNotifier.Body(WebhookEvent.From(e)), skipInputValidation: true);
            w.WriteEndArray();
            if (next is { } n) w.WriteString("next", n.ToString(CultureInfo.InvariantCulture));
            else w.WriteNull("next");
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>A query parameter that, when given, is a whole number 0 or more; else a 400 naming it.</summary>
    private static Answer? Number(HttpContext context, string name, out long? value)
    {
        value = null;
        if (!context.Request.Query.TryGetValue(name, out var text)) return null;
        if (text.Count != 1 || !long.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            return Bad(context, name, $"'{text}' is not {(name == "limit" ? "a number" : "an event id (a whole number, 0 or more)")}");
        value = v;
        return null;
    }

    internal static Answer Bad(HttpContext context, string field, string detail) =>
        Problems.Answer(StatusCodes.Status400BadRequest, Problems.BadRequest, $"The {field} is not valid", detail, context, [new ProblemField(field, detail)]);
}
