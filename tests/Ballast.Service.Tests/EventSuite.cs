using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballast.Operations.Alerts;
using Ballast.Store;
using Ballast.Store.Ledger;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Service.Tests;

/// <summary>
/// <c>GET /v1/events</c> (a JSON page, and a Server-Sent Events stream resumed by <c>Last-Event-Id</c>) and <c>/v1/webhooks</c> delivered in
/// the background to a real receiver, on SQLite and PostgreSQL: two firms, acme and beta, each with an admin and a viewer key.
/// </summary>
public abstract partial class EventSuite : IAsyncLifetime
{
    protected EventSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-events-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    private protected BallastStore Store { get; private set; } = null!;
    private protected ServiceHost Host { get; private set; } = null!;
    private protected HttpClient Client => Host.Client;

    /// <summary>Keys by firm then role ("admin", "viewer").</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _keys = new(StringComparer.Ordinal);

    /// <summary>Each firm's store, as the firm sees it.</summary>
    private readonly Dictionary<string, BallastStore> _firms = new(StringComparer.Ordinal);

    private int _accounts;

    private static string Ticker(string firm) => firm == "acme" ? "VTI" : "BND";

    private string Key(string firm, string role = ApiRoles.Admin) => _keys[firm][role];

    public async Task InitializeAsync()
    {
        Store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        foreach (var firm in new[] { "acme", "beta" })
        {
            _keys[firm] = new(StringComparer.Ordinal);
            foreach (var role in new[] { ApiRoles.Admin, ApiRoles.Viewer }) _keys[firm][role] = Store.CreateApiKey(firm, role).Key;
            var tenant = Store.Authenticate(_keys[firm][ApiRoles.Admin])!.TenantId;
            _firms[firm] = Store.ForTenant(tenant, "tester");
            var prices = Path.Combine(Directory, firm + "-prices.csv");
            File.WriteAllText(prices, $"date,ticker,close\n2025-09-30,{Ticker(firm)},100\n");
            _firms[firm].ImportPrices(prices);
        }
        Host = await ServiceHost.Start(Location, o => o with
        {
            DeliverWebhooks = true,
            WebhooksToPrivateAddresses = true, // the receiver listens on 127.0.0.1
            EventPoll = TimeSpan.FromMilliseconds(100),
            Heartbeat = TimeSpan.FromMilliseconds(700),
            Webhooks = new WebhookOptions { FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Adds <paramref name="count"/> events to the firm's book (a proposal saved for a new account each) and returns their ids.</summary>
    private long[] AddEvents(string firm, int count)
    {
        var before = Store.HighestEventId();
        for (var i = 0; i < count; i++)
        {
            // A new account each time: one proposal.created event (a second proposal of an account would expire the first, a second event).
            var account = $"{firm}-{++_accounts}";
            _firms[firm].AddAccount(new NewAccount(account, AccountType.Taxable, "USD"));
            _firms[firm].SaveProposal(new NewProposal($"account {account}", "test", null, "{}", "{}", [new ProposedOrder(account, Ticker(firm), OrderSide.Buy, i + 1)]));
        }
        return [.. _firms[firm].Events(before, 1000).Select(e => e.Id)];
    }

    private static HttpRequestMessage Get(string path, string key, string? accept = null, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-Id", lastEventId);
        return request;
    }

    private async Task<JsonElement> Json(HttpRequestMessage request, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task EventsPage_FollowsTheCursorToTheEnd_WithALimit_AndRefusesABadLimitOrCursorNamingIt()
    {
        var ids = AddEvents("acme", 5);
        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Json(Get("/v1/events?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), Key("acme", ApiRoles.Viewer)));
            foreach (var e in page.GetProperty("data").EnumerateArray())
            {
                seen.Add(long.Parse(e.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                Assert.StartsWith("proposal.", e.GetProperty("kind").GetString(), StringComparison.Ordinal);
                Assert.Equal(JsonValueKind.Object, e.GetProperty("data").ValueKind);
                Assert.False(string.IsNullOrEmpty(e.GetProperty("text").GetString()));
            }
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
        } while (cursor is not null && pages < 10);
        Assert.Equal(ids, seen);
        Assert.Equal(3, pages); // 2 + 2 + 1: the last page is not full, so its next is null

        // The default page, a cursor past the end, kinds.
        Assert.Equal(5, (await Json(Get("/v1/events", Key("acme")))).GetProperty("data").GetArrayLength());
        var empty = await Json(Get($"/v1/events?cursor={ids[^1]}", Key("acme")));
        Assert.Equal(0, empty.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("next").ValueKind);
        Assert.Equal(0, (await Json(Get("/v1/events?kinds=window.finished", Key("acme")))).GetProperty("data").GetArrayLength());

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("cursor=-1", "cursor"), ("cursor=abc", "cursor"), ("kinds=nope", "kinds") })
            await Http.Problem(await Client.SendAsync(Get("/v1/events?" + query, Key("acme"))), 400, field);
        await Http.Problem(await Client.SendAsync(Get("/v1/events", "blst_unknown")), 401, "Authorization");
    }

    /// <summary>Reads Server-Sent Events: each event's id, kind and data; comments counted apart.</summary>
    private sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public int Comments { get; private set; }

        /// <summary>The next event, or null when the stream ended (comments and the retry field are skipped).</summary>
        public async Task<(long Id, string Kind, JsonElement Data)?> Next(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            string? id = null, kind = null, data = null;
            while (await _reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null) return (long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture), kind!, JsonDocument.Parse(data).RootElement.Clone());
                    continue;
                }
                if (line.StartsWith(':')) { Comments++; continue; }
                if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            }
            return null;
        }

        public void Dispose() => _reader.Dispose();
    }

    private async Task<(HttpResponseMessage Response, SseReader Reader)> Stream(string key, string query = "", string? lastEventId = null)
    {
        var response = await Client.SendAsync(Get("/v1/events" + query, key, "text/event-stream", lastEventId), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new SseReader(await response.Content.ReadAsStreamAsync()));
    }

    [Fact]
    public async Task EventStream_SendsNewEventsPromptly_ThenResumedWithLastEventId_GetsExactlyTheMissedEvents()
    {
        var first = AddEvents("acme", 3);
        var (response, reader) = await Stream(Key("acme", ApiRoles.Viewer), "?after=0");
        var got = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var e = (await reader.Next(TimeSpan.FromSeconds(10)))!.Value;
            Assert.StartsWith("proposal.", e.Kind, StringComparison.Ordinal);
            Assert.Equal(e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Data.GetProperty("id").GetString());
            got.Add(e.Id);
        }
        Assert.Equal(first, got);
        // A new event reaches the open stream without a new request.
        var live = AddEvents("acme", 1);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(live[0], (await reader.Next(TimeSpan.FromSeconds(10)))!.Value.Id);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"the event took {started.Elapsed}");
        var lastSeen = live[0];
        reader.Dispose();
        response.Dispose(); // the client goes away

        var missed = AddEvents("acme", 2);
        (response, reader) = await Stream(Key("acme", ApiRoles.Viewer), lastEventId: lastSeen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (response)
        using (reader)
        {
            Assert.Equal(missed[0], (await reader.Next(TimeSpan.FromSeconds(10)))!.Value.Id);
            Assert.Equal(missed[1], (await reader.Next(TimeSpan.FromSeconds(10)))!.Value.Id);
            // Nothing more: only heartbeat comments (every 0.7 s here) until the next event.
            var next = reader.Next(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
            Assert.True(reader.Comments >= 2, $"{reader.Comments} heartbeats");
        }

        // Without a cursor, the stream starts with the events recorded from now on.
        (response, reader) = await Stream(Key("acme"));
        using (response)
        using (reader)
        {
            await Task.Delay(300);
            var after = AddEvents("acme", 1);
            Assert.Equal(after[0], (await reader.Next(TimeSpan.FromSeconds(10)))!.Value.Id);
        }
        await Http.Problem(await Client.SendAsync(Get("/v1/events", Key("acme"), "text/event-stream", "x1")), 400, "Last-Event-Id");
        await Http.Problem(await Client.SendAsync(Get("/v1/events?after=-2", Key("acme"), "text/event-stream")), 400, "after");
    }

    [Fact]
    public async Task EventStream_EndsWhenTheServiceStops()
    {
        var (response, reader) = await Stream(Key("acme"), "?after=0");
        using (response)
        using (reader)
        {
            var stopped = System.Diagnostics.Stopwatch.StartNew();
            var stop = Host.StopAsync();
            Assert.Null(await reader.Next(TimeSpan.FromSeconds(10))); // the stream ends, well before the shutdown timeout
            await stop;
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopped.Elapsed}");
        }
    }

    private static HttpRequestMessage PostJson(string path, string key, string body)
    {
        var request = Http.Post(path, body, key);
        return request;
    }

    private static bool Verifies(ReceivedHook r, string secret) =>
        r.Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(r.Timestamp + "." + r.Body)));

    [Fact]
    public async Task Webhooks_AddedOverHttp_ReceiveTheirFirmsEvents_Signed_InOrder_FromTheBackgroundDelivery()
    {
        await using var receiver = await HookReceiver.Start();
        var before = AddEvents("acme", 1); // recorded before the webhook: not sent
        var added = await Json(PostJson("/v1/webhooks", Key("acme"), $$"""{"url": "{{receiver.Url("acme")}}", "kinds": ["proposal.created", "proposal.expired"]}"""), HttpStatusCode.Created);
        var secret = added.GetProperty("secret").GetString()!;
        Assert.Equal(64, secret.Length);
        Assert.Equal(before[0].ToString(System.Globalization.CultureInfo.InvariantCulture), added.GetProperty("cursor").GetString());
        var list = await Json(Get("/v1/webhooks", Key("acme")));
        var listed = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.False(listed.TryGetProperty("secret", out _)); // shown once
        Assert.Equal(added.GetProperty("id").GetString(), listed.GetProperty("id").GetString());

        var sent = AddEvents("acme", 3);
        var got = await receiver.WaitFor("acme", 3);
        Assert.Equal(sent, got.Select(r => long.Parse(r.EventId, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(got, r => Assert.True(Verifies(r, secret)));
        Assert.All(got, r => Assert.StartsWith("proposal.", JsonDocument.Parse(r.Body).RootElement.GetProperty("kind").GetString(), StringComparison.Ordinal));

        // Removed: it receives nothing more.
        var id = added.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.SendAsync(Delete($"/v1/webhooks/{id}", Key("acme")))).StatusCode);
        AddEvents("acme", 1);
        await Task.Delay(600);
        Assert.Equal(3, receiver.Received("acme").Count);
        Assert.Equal(0, (await Json(Get("/v1/webhooks", Key("acme")))).GetProperty("data").GetArrayLength());
    }

    private static HttpRequestMessage Delete(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        return request;
    }

    [Fact]
    public async Task Webhooks_ToLoopbackOrPrivateAddresses_AreRefusedUnlessTheServiceAllowsThem()
    {
        await using var strict = await ServiceHost.Start(Location, o => o with { DeliverWebhooks = false });
        var client = strict.Client;
        foreach (var url in new[] { "http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x", "http://10.0.0.7/hook" })
        {
            var doc = await Http.Problem(await client.SendAsync(PostJson("/v1/webhooks", Key("acme"), $$"""{"url":"{{url}}"}""")), 422, "url");
            Assert.Contains("public addresses only", doc.GetRawText(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(PostJson("/v1/webhooks", Key("acme"), """{"url":"https://hooks.example.com/ballast"}"""))).StatusCode);
        // This suite's service allows them (its receiver is on 127.0.0.1).
        Assert.Equal(HttpStatusCode.Created, (await Client.SendAsync(PostJson("/v1/webhooks", Key("acme"), """{"url":"http://127.0.0.1:9/hook"}"""))).StatusCode);
    }

    [Fact]
    public async Task Webhooks_NeedAnAdminKey_AndBadBodiesAre422NamingTheField_UnknownIdsAre404()
    {
        await Http.Problem(await Client.SendAsync(Get("/v1/webhooks", Key("acme", ApiRoles.Viewer))), 403, "Authorization");
        await Http.Problem(await Client.SendAsync(PostJson("/v1/webhooks", Key("acme", ApiRoles.Viewer), """{"url":"http://127.0.0.1:1/x"}""")), 403, "Authorization");
        await Http.Problem(await Client.SendAsync(Delete("/v1/webhooks/1", Key("acme", ApiRoles.Viewer))), 403, "Authorization");
        foreach (var (body, field) in new[]
                 {
                     ("{}", "url"), ("""{"url":"ftp://x/y"}""", "url"), ("""{"url":7}""", "url"), ("""{"url":"http://h/x","kinds":["nope"]}""", "kinds[0]"),
                     ("""{"url":"http://h/x","kinds":"window.finished"}""", "kinds"), ("""{"url":"http://h/x","colour":"red"}""", "colour"),
                     ("""{"url":"http://h/x","since":-1}""", "since"), ("""{"url":"http://h/x","secret":""}""", "secret"), ("[1]", null!),
                 })
            await Http.Problem(await Client.SendAsync(PostJson("/v1/webhooks", Key("acme"), body)), 422, field);
        await Http.Problem(await Client.SendAsync(PostJson("/v1/webhooks", Key("acme"), """{"url": """)), 400);
        await Http.Problem(await Client.SendAsync(Delete("/v1/webhooks/999", Key("acme"))), 404, "id");
        await Http.Problem(await Client.SendAsync(Delete("/v1/webhooks/abc", Key("acme"))), 404, "id");

        // Idempotency-Key: a retried POST gets the first answer (the same webhook, the same secret), not a second webhook.
        var body1 = """{"url":"http://127.0.0.1:1/hook","secret":"s3cret"}""";
        var once = await Client.SendAsync(Http.Post("/v1/webhooks", body1, Key("acme"), idempotencyKey: "hook-1"));
        var again = await Client.SendAsync(Http.Post("/v1/webhooks", body1, Key("acme"), idempotencyKey: "hook-1"));
        Assert.Equal(HttpStatusCode.Created, once.StatusCode);
        Assert.Equal(await once.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(1, (await Json(Get("/v1/webhooks", Key("acme")))).GetProperty("data").GetArrayLength());
    }
}

/// <summary>One request a <see cref="HookReceiver"/> got.</summary>
internal sealed record ReceivedHook(string Name, string EventId, string Timestamp, string Signature, string Body);

/// <summary>A webhook receiver on a second Kestrel listener (127.0.0.1, a free port): <c>POST /hook/{name}</c> is recorded and answered 200.</summary>
internal sealed class HookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedHook> _received = [];

    private HookReceiver(WebApplication app) => _app = app;

    public string Address { get; private set; } = "";

    public string Url(string name) => $"{Address}/hook/{name}";

    public static async Task<HookReceiver> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new HookReceiver(app);
        app.MapPost("/hook/{name}", async (HttpContext context, string name) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var h = context.Request.Headers;
            lock (receiver._received)
                receiver._received.Add(new ReceivedHook(name, h[WebhookNotifier.EventIdHeader].ToString(), h[WebhookNotifier.TimestampHeader].ToString(), h[WebhookNotifier.SignatureHeader].ToString(), body));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public IReadOnlyList<ReceivedHook> Received(string name)
    {
        lock (_received) return [.. _received.Where(r => r.Name == name)];
    }

    /// <summary>Waits until <paramref name="count"/> requests came for <paramref name="name"/> (at most 15 s), and returns them.</summary>
    public async Task<IReadOnlyList<ReceivedHook>> WaitFor(string name, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Received(name).Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        var got = Received(name);
        Assert.True(got.Count >= count, $"{got.Count} of {count} requests came for {name}");
        return got;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class SqliteEventTests : EventSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresEventTests : EventSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
