using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Input;
using Ballast.Operations.Alerts;
using Ballast.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Service.Events;

/// <summary>
/// <c>GET/POST/DELETE /v1/webhooks</c> (admin keys): the tenant's webhooks over its events, the same webhooks as <c>ballast webhooks</c>
/// (the store's), delivered by <see cref="WebhookDelivery"/> with the CLI's <see cref="WebhookNotifier"/>. A webhook's secret is shown
/// once, in the answer to its POST; lists never show it.
/// </summary>
internal static class WebhookEndpoints
{
    private static readonly string[] Fields = ["url", "kinds", "secret", "since"];

    public static void Map(RouteGroupBuilder v1)
    {
        var roles = " Roles: " + string.Join(", ", Permissions.RolesThatMay(Permission.Administer)) + ".";
        v1.MapGet("/webhooks", (HttpContext context) => List(context))
            .WithMetadata(new RequiresPermission(Permission.Administer)).WithTags("events")
            .WithSummary("The tenant's active webhooks (never their secrets), with where each delivery stands")
            .WithDescription("`{\"data\":[{id, url, kinds, createdAt, actor, cursor, failure}]}`; `cursor` is the last event acknowledged, `failure` the delivery retried next." + roles)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        v1.MapPost("/webhooks", (HttpContext context, CancellationToken _) => BallastService.PostJson(context, Add))
            .WithMetadata(new RequiresPermission(Permission.Administer)).WithTags("events")
            .WithSummary("Add a webhook: its events are POSTed to the url, signed with HMAC-SHA256; the secret is shown in this answer only")
            .WithDescription("Body: `{\"url\": \"https://...\", \"kinds\": [\"window.finished\", ...], \"secret\": \"...\", \"since\": 0}`; only `url` is needed " +
                "(every kind, a random secret, the events recorded from now on). Answers 201 with the webhook and its `secret`." + roles)
            .Accepts<JsonElement>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        v1.MapDelete("/webhooks/{id}", (HttpContext context, string id) => Remove(context, id))
            .WithMetadata(new RequiresPermission(Permission.Administer)).WithTags("events")
            .WithSummary("Remove a webhook: it receives nothing more (its deliveries stay recorded)")
            .WithDescription("Answers 204; 404 for an id that is not one of the tenant's active webhooks." + roles)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Answer List(HttpContext context)
    {
        var hooks = BallastService.TenantStore(context).Webhooks();
        return new Answer(StatusCodes.Status200OK, "application/json", Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var h in hooks) Write(w, h, secret: false);
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static Answer Add(HttpContext context, byte[] body, DateOnly today)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Problems.Answer(StatusCodes.Status400BadRequest, Problems.MalformedJson, "The body is not well-formed JSON", e.Message, context,
                [new ProblemField(null, e.Message, e.LineNumber is { } l ? (int)l + 1 : null, e.BytePositionInLine is { } b ? (int)b + 1 : null)]);
        }
        var problems = new List<ProblemField>();
        var state = context.RequestServices.GetRequiredService<ServiceState>();
        if (root.ValueKind != JsonValueKind.Object) return Invalid(context, [new ProblemField(null, "the body is a JSON object: {\"url\": ...}")]);
        string? url = null, secret = null;
        long? since = null;
        List<string> kinds = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
        {
            if (!seen.Add(p.Name)) { problems.Add(new(p.Name, "given twice")); continue; }
            switch (p.Name)
            {
                case "url" when p.Value.ValueKind == JsonValueKind.String:
                    url = p.Value.GetString();
                    if (BallastStore.CheckWebhookUrl(url) is { } bad) problems.Add(new("url", bad));
                    else if (!state.Options.WebhooksToPrivateAddresses && WebhookAddresses.NotPublicHost(url!) is { } inside) problems.Add(new("url", inside));
                    break;
                case "secret" when p.Value.ValueKind == JsonValueKind.String:
                    secret = p.Value.GetString();
                    if (string.IsNullOrWhiteSpace(secret)) problems.Add(new("secret", "the secret is empty; leave it out for a random one"));
                    break;
                case "since" when p.Value.ValueKind == JsonValueKind.Number:
                    if (p.Value.TryGetInt64(out var s) && s >= 0) since = s;
                    else problems.Add(new("since", $"{p.Value.GetRawText()} is not an event id (a whole number, 0 or more)"));
                    break;
                case "kinds" when p.Value.ValueKind == JsonValueKind.Array:
                    var i = 0;
                    foreach (var k in p.Value.EnumerateArray())
                    {
                        if (k.ValueKind != JsonValueKind.String) problems.Add(new($"kinds[{i}]", "not a string"));
                        else if (!EventKinds.All.Contains(k.GetString(), StringComparer.Ordinal))
                            problems.Add(new($"kinds[{i}]", $"unknown event kind '{k.GetString()}'; kinds: {string.Join(", ", EventKinds.All)}"));
                        else kinds.Add(k.GetString()!);
                        i++;
                    }
                    break;
                case "url" or "secret":
                    problems.Add(new(p.Name, $"a string, not {Kind(p.Value)}"));
                    break;
                case "since":
                    problems.Add(new(p.Name, $"a number, not {Kind(p.Value)}"));
                    break;
                case "kinds":
                    problems.Add(new(p.Name, $"an array of event kinds, not {Kind(p.Value)}"));
                    break;
                default:
                    problems.Add(new(p.Name, $"unknown field; expected one of: {string.Join(", ", Fields)}"));
                    break;
            }
        }
        if (url is null && !problems.Any(p => p.Field == "url")) problems.Insert(0, new("url", "missing: the http or https url to POST events to"));
        if (problems.Count > 0) return Invalid(context, problems);
        try
        {
            secret ??= WebhookNotifier.NewSecret();
            var hook = BallastService.TenantStore(context).AddWebhook(url!, secret, kinds, since);
            context.Response.Headers.Location = "/v1/webhooks/" + hook.Id.ToString(CultureInfo.InvariantCulture);
            return new Answer(StatusCodes.Status201Created, "application/json", Json(w => Write(w, hook, secret: true)));
        }
        catch (InputException e)
        {
            return Invalid(context, [.. e.Problems.Select(p => new ProblemField(p.Field switch { "URL" => "url", "--kinds" => "kinds", "--secret" => "secret", "--since" => "since", var f => f }, p.Message))]);
        }
    }

    private static IResult Remove(HttpContext context, string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var webhookId)) return NotFound(context, id);
        try
        {
            BallastService.TenantStore(context).RemoveWebhook(webhookId);
            return Results.NoContent();
        }
        catch (InputException)
        {
            return NotFound(context, id);
        }
    }

    private static Answer NotFound(HttpContext context, string id) =>
        Problems.Answer(StatusCodes.Status404NotFound, Problems.NotFound, "No such webhook", $"no active webhook {id} in this tenant", context, [new ProblemField("id", "no such webhook")]);

    private static Answer Invalid(HttpContext context, IReadOnlyList<ProblemField> problems) =>
        Problems.Answer(StatusCodes.Status422UnprocessableEntity, Problems.InvalidDocument, "The webhook is not valid",
            problems.Count == 1 ? problems[0].Detail : $"{problems.Count} problems; see errors", context, problems);

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static void Write(Utf8JsonWriter w, WebhookInfo h, bool secret)
    {
        w.WriteStartObject();
        w.WriteString("id", h.Id.ToString(CultureInfo.InvariantCulture));
        w.WriteString("url", h.Url);
        w.WriteStartArray("kinds");
        foreach (var k in h.Kinds) w.WriteStringValue(k);
        w.WriteEndArray();
        if (secret) w.WriteString("secret", h.Secret);
        w.WriteString("createdAt", Instant(h.CreatedAt));
        w.WriteString("actor", h.Actor);
        w.WriteString("cursor", h.Cursor.ToString(CultureInfo.InvariantCulture));
        if (h.Failure is { } f)
        {
            w.WriteStartObject("failure");
            w.WriteString("eventId", f.EventId.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("attempts", f.Attempts);
            w.WriteString("error", f.LastError);
            w.WriteString("lastAttemptAt", Instant(f.LastAttemptAt));
            w.WriteEndObject();
        }
        else w.WriteNull("failure");
        w.WriteEndObject();
    }

    private static string Instant(DateTimeOffset at) => BallastStore.FormatInstant(at);

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) write(w);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
