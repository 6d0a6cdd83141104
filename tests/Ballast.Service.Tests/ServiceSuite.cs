using System.Net;
using System.Text;
using System.Text.Json;
using Ballast.Store;
using Ballast.Testing;
using Dapper;

namespace Ballast.Service.Tests;

/// <summary>
/// The HTTP service end to end, on SQLite and on PostgreSQL (<see cref="SqliteServiceTests"/>, <see cref="PostgresServiceTests"/>): a fresh
/// store per test with keys of every role, the service on a real socket, and every answer checked as a client sees it.
/// </summary>
public abstract class ServiceSuite : IAsyncLifetime
{
    protected ServiceSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-service-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    private protected BallastStore Store { get; private set; } = null!;
    private protected ServiceHost Host { get; private set; } = null!;
    private protected HttpClient Client => Host.Client;

    /// <summary>Keys of tenant "acme", by role.</summary>
    private protected Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The example portfolio every happy path posts (JSON, with an as-of date).</summary>
    protected static string Portfolio => File.ReadAllText(RepositoryPaths.Example("inner-rails.json"));

    public virtual async Task InitializeAsync()
    {
        Store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        foreach (var role in ApiRoles.All) Keys[role] = Store.CreateApiKey("acme", role).Key;
        Host = await ServiceHost.Start(Location);
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Rows in <paramref name="table"/>, read with the test's own connection.</summary>
    private long Count(string table)
    {
        using System.Data.Common.DbConnection c = Location.Provider == StoreProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(Location.ConnectionString)
            : new Npgsql.NpgsqlConnection(Location.ConnectionString);
        c.Open();
        return c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    [Fact]
    public async Task Health_And_Ready_AnswerWithoutAKey()
    {
        var health = await Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        var ready = await Client.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var doc = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", doc.GetProperty("status").GetString());
        Assert.Equal(Ballast.Store.Schema.Migrations.Current, doc.GetProperty("schemaVersion").GetInt32());
        Assert.StartsWith(Location.Provider == StoreProvider.Sqlite ? "SQLite " : "PostgreSQL ", doc.GetProperty("database").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> Examples => ["inner-rails.json", "sixty-forty.yaml", "household.yaml", "krw-portfolio.yaml"];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task CheckAndPlan_AnswerExactlyTheDocumentsTheCliPrints(string example)
    {
        var text = File.ReadAllText(RepositoryPaths.Example(example));
        var json = example.EndsWith(".json", StringComparison.Ordinal) ? text : Http.YamlToJson(text);
        var file = Path.Combine(Directory, "portfolio.json");
        File.WriteAllText(file, json);
        foreach (var command in new[] { "check", "plan" })
        {
            var (exit, cli, err) = Http.Cli(Directory, command, file, "--json");
            Assert.True(exit is 0 or 1, $"ballast {command} exited {exit}: {err}");
            var response = await Client.SendAsync(Http.Post($"/v1/{command}", json, Keys[ApiRoles.Trader]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetBytes(cli), bytes);
        }
    }

    [Fact]
    public async Task MalformedJson_Is400_WithTheLineAndByte()
    {
        var doc = await Http.Problem(await Client.SendAsync(Http.Post("/v1/plan", "{\n  \"asOf\": \"2025-06-30\",\n  \"cash\": 5,,\n}", Keys[ApiRoles.Trader])), 400);
        Assert.Equal("urn:ballast:problem:malformed-json", doc.GetProperty("type").GetString());
        var error = doc.GetProperty("errors")[0];
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        foreach (var bad in new[] { "", "{\"a\": 1} trailing", "{'single': 1}", "{\"a\": 1 /* comment */}", "{\"a\": " + new string('[', 100) + new string(']', 100) + "}" })
            await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", bad, Keys[ApiRoles.Trader])), 400);
    }

    /// <summary>The example portfolio with member <paramref name="name"/> set to <paramref name="json"/>.</summary>
    protected static string With(string name, string json)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(Portfolio)!.AsObject();
        root[name] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return root.ToJsonString();
    }

    [Theory]
    [InlineData("colour", "colour", "\"blue\"", "unknown field")]
    [InlineData("cash", "cash", "\"lots\"", "not a number")]
    [InlineData("cash", "cash", "[1, 2]", "")]
    [InlineData("asOf", "asOf", "20250630", "")]
    [InlineData("holdings[0].value", "holdings", "[{ \"ticker\": \"VTI\", \"value\": true }]", "")]
    [InlineData("holdings[1].colour", "holdings", "[{ \"ticker\": \"VTI\", \"value\": 5 }, { \"ticker\": \"BND\", \"value\": 5, \"colour\": 1 }]", "unknown field")]
    [InlineData("policy.look", "policy", "{ \"look\": [1] }", "")]
    [InlineData("targets", "targets", "\"60/40\"", "")]
    public async Task UnknownFieldsAndWrongTypes_Are422_NamingTheField(string field, string name, string value, string messagePart)
    {
        var body = With(name, value);
        var doc = await Http.Problem(await Client.SendAsync(Http.Post("/v1/plan", body, Keys[ApiRoles.Trader])), 422, field);
        Assert.Equal("urn:ballast:problem:invalid-document", doc.GetProperty("type").GetString());
        Assert.Contains(messagePart, doc.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateMembers_Are422_NamingTheFieldAndLine()
    {
        var body = "{\n  \"asOf\": \"2025-06-30\",\n  \"holdings\": [{ \"ticker\": \"VTI\", \"value\": 1, \"value\": 2 }],\n  \"targets\": { \"VTI\": \"100%\" }\n}";
        var doc = await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", body, Keys[ApiRoles.Viewer])), 422, "holdings[0].value");
        Assert.Equal(3, doc.GetProperty("errors")[0].GetProperty("line").GetInt32());
        // Items of every kind before it are counted: the second holding, after a list of numbers in the first.
        var second = "{\"asOf\": \"2025-06-30\", \"holdings\": [{ \"ticker\": \"VTI\", \"value\": 1, \"lots\": [[1, 2], 3] },\n { \"ticker\": \"BND\", \"ticker\": \"BND\" }], \"targets\": { \"VTI\": \"100%\" }}";
        doc = await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", second, Keys[ApiRoles.Viewer])), 422, "holdings[1].ticker");
        Assert.Equal(2, doc.GetProperty("errors")[0].GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task MissingFields_And_ANonObjectBody_Are422()
    {
        var noTargets = JsonSerializer.Serialize(new { asOf = "2025-06-30", holdings = new[] { new { ticker = "VTI", value = 100 } } });
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", noTargets, Keys[ApiRoles.Viewer])), 422, "targets");
        var noTicker = JsonSerializer.Serialize(new { asOf = "2025-06-30", holdings = new[] { new { value = 100 } }, targets = new { VTI = "100%" } });
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", noTicker, Keys[ApiRoles.Viewer])), 422, "holdings[0].ticker");
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", "[1, 2]", Keys[ApiRoles.Viewer])), 422, "");
        // A price history names a file: the service reads none.
        var history = Portfolio.TrimEnd().TrimEnd('}') + ", \"priceHistory\": \"/etc/passwd\"}";
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", history, Keys[ApiRoles.Viewer])), 422, "priceHistory");
    }

    [Fact]
    public async Task UnsupportedMediaTypes_Are415_NamingContentType()
    {
        foreach (var type in new[] { "text/plain", "application/xml", "application/json; charset=latin1", "application/x-www-form-urlencoded" })
            await Http.Problem(await Client.SendAsync(Http.Post("/v1/plan", Portfolio, Keys[ApiRoles.Trader], type)), 415, "Content-Type");
        var none = new HttpRequestMessage(HttpMethod.Post, "/v1/plan") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Portfolio)) };
        none.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Keys[ApiRoles.Trader]);
        await Http.Problem(await Client.SendAsync(none), 415, "Content-Type");
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(Http.Post("/v1/plan", Portfolio, Keys[ApiRoles.Trader], "application/json; charset=utf-8"))).StatusCode);
    }

    [Fact]
    public async Task Keys_401WithoutOrWithAnUnknownOrRevokedKey_403ForARoleThatMayNot()
    {
        var none = await Client.SendAsync(Http.Post("/v1/check", Portfolio, null));
        await Http.Problem(none, 401, "Authorization");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", Portfolio, BallastStore.ApiKeyPrefix + "not-a-real-key")), 401, "Authorization");
        var basic = Http.Post("/v1/check", Portfolio, null);
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("a:b")));
        await Http.Problem(await Client.SendAsync(basic), 401, "Authorization");

        var doomed = Store.CreateApiKey("acme", ApiRoles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(Http.Post("/v1/check", Portfolio, doomed.Key))).StatusCode);
        Store.RevokeApiKey(doomed.Info.Id);
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", Portfolio, doomed.Key)), 401, "Authorization");

        // The role table: every role may check; a viewer may not plan.
        foreach (var role in ApiRoles.All)
        {
            Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(Http.Post("/v1/check", Portfolio, Keys[role]))).StatusCode);
            var plan = await Client.SendAsync(Http.Post("/v1/plan", Portfolio, Keys[role]));
            if (Permissions.Allows(role, Permission.Plan)) Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
            else Assert.Contains("viewer", (await Http.Problem(plan, 403, "Authorization")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal([ApiRoles.Trader, ApiRoles.Approver, ApiRoles.Admin], Permissions.RolesThatMay(Permission.Plan));
        // A key used is marked so.
        Assert.All(Store.ApiKeys().Where(k => k.RevokedAt is null), k => Assert.Equal(FixedClock.Default, k.LastUsedAt));
    }

    [Fact]
    public async Task IdempotencyKey_ARetryGetsTheFirstResponse_AnotherBodyIs422_PerTenant()
    {
        var key = Keys[ApiRoles.Trader];
        var first = await Client.SendAsync(Http.Post("/v1/plan", Portfolio, key, idempotencyKey: "order-1"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains(BallastService.ReplayedHeader));
        var firstBody = await first.Content.ReadAsStringAsync();
        var retry = await Client.SendAsync(Http.Post("/v1/plan", Portfolio, key, idempotencyKey: "order-1"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues(BallastService.ReplayedHeader).Single());
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(1L, Count("idempotency_keys"));

        // The same key with another body, or on another endpoint, is refused.
        var changed = Portfolio.Replace("\"cash\": 500", "\"cash\": 600", StringComparison.Ordinal);
        Assert.NotEqual(Portfolio, changed);
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/plan", changed, key, idempotencyKey: "order-1")), 422, BallastService.IdempotencyHeader);
        await Http.Problem(await Client.SendAsync(Http.Post("/v1/check", Portfolio, key, idempotencyKey: "order-1")), 422, BallastService.IdempotencyHeader);

        // A problem answer is kept and replayed too.
        var bad = await Client.SendAsync(Http.Post("/v1/plan", "{\"cash\": \"x\"}", key, idempotencyKey: "order-2"));
        var badBody = (await Http.Problem(bad, 422)).GetRawText();
        var badRetry = await Client.SendAsync(Http.Post("/v1/plan", "{\"cash\": \"x\"}", key, idempotencyKey: "order-2"));
        Assert.Equal(badBody, (await Http.Problem(badRetry, 422)).GetRawText());

        // Another tenant's "order-1" is its own.
        var other = Store.CreateApiKey("globex", ApiRoles.Trader).Key;
        var theirs = await Client.SendAsync(Http.Post("/v1/plan", changed, other, idempotencyKey: "order-1"));
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains(BallastService.ReplayedHeader));
        Assert.NotEqual(firstBody, await theirs.Content.ReadAsStringAsync());

        foreach (var invalid in new[] { new string('k', BallastStore.MaxIdempotencyKey + 1), "has space" })
        {
            var request = Http.Post("/v1/plan", Portfolio, key);
            request.Headers.TryAddWithoutValidation(BallastService.IdempotencyHeader, invalid);
            await Http.Problem(await Client.SendAsync(request), 400, BallastService.IdempotencyHeader);
        }
    }

    [Fact]
    public async Task UnknownPathsAndMethods_AreProblemDocuments()
    {
        await Http.Problem(await Client.GetAsync("/v1/nothing"), 404);
        await Http.Problem(await Client.GetAsync("/v1/plan"), 405);
    }

    [Fact]
    public async Task OpenApiDocument_And_ItsPage_AreServedByTheProcess()
    {
        var openApi = await Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var doc = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = doc.GetProperty("paths");
        foreach (var p in new[] { "/health", "/ready", "/v1/check", "/v1/plan" }) Assert.True(paths.TryGetProperty(p, out _), p);
        Assert.True(paths.GetProperty("/v1/plan").GetProperty("post").TryGetProperty("requestBody", out _));
        var plan = paths.GetProperty("/v1/plan").GetProperty("post");
        foreach (var status in new[] { "200", "400", "401", "403", "413", "415", "422", "429" }) Assert.True(plan.GetProperty("responses").TryGetProperty(status, out _), status);
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(plan.GetProperty("security")[0].TryGetProperty("bearer", out _));

        var page = await Client.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        // Offline: every script and stylesheet the page loads comes from this process, and answers.
        var sources = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.DoesNotContain(sources, s => s.StartsWith("http", StringComparison.OrdinalIgnoreCase) || s.StartsWith("//", StringComparison.Ordinal));
        foreach (var s in sources)
        {
            var asset = await Client.GetAsync(new Uri(new Uri(Client.BaseAddress!, "/scalar/"), s));
            Assert.True(asset.IsSuccessStatusCode, $"{s}: {(int)asset.StatusCode}");
        }
    }

    /// <summary>
    /// Random mutations of a valid document (numbers, dates, types, keys, truncation, nesting, unicode, long strings) posted to
    /// <c>/v1/plan</c>: every answer is 200 or a 4xx problem document, never a 500.
    /// </summary>
    [Fact]
    public async Task Fuzz_Plan_AnswersEveryMutationWith200OrAProblem()
    {
        var random = new Random(13);
        var mutator = new InputMutator(random);
        var key = Keys[ApiRoles.Trader];
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < 250; i++)
        {
            var body = mutator.Mutate(Portfolio);
            if (i % 5 == 0) body = mutator.Mutate(body);
            var response = await Client.SendAsync(Http.Post("/v1/plan", body, key));
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status == 200)
            {
                JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                continue;
            }
            Assert.True(status is >= 400 and < 500, $"mutation {i} got {status}: {body}\n{await response.Content.ReadAsStringAsync()}");
            await Http.Problem(response, status);
        }
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 2, string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}")));
    }
}

public sealed class SqliteServiceTests : ServiceSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresServiceTests : ServiceSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
