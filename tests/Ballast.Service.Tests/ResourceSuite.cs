using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ballast.Store;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Service.Tests;

/// <summary>
/// The stored resources under <c>/v1</c> through <see cref="ResourceFactory"/> (WebApplicationFactory), on SQLite and on PostgreSQL
/// (<see cref="SqliteResourceTests"/>, <see cref="PostgresResourceTests"/>): two firms, <c>acme</c> and <c>bolt</c>, each with a model, a
/// household, an account with cash, a holding and its lot, a restriction, a proposal, and keys of every role.
/// </summary>
public abstract partial class ResourceSuite : IAsyncLifetime
{
    protected ResourceSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-resource-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    private protected BallastStore Store { get; private set; } = null!;
    private ResourceFactory _factory = null!;
    private protected HttpClient Client { get; private set; } = null!;

    /// <summary>Keys by firm and role.</summary>
    private protected Dictionary<(string Firm, string Role), string> Keys { get; } = [];

    /// <summary>What each firm's seed made: its account, household and model names, its proposal, restriction ids.</summary>
    private protected Dictionary<string, Seeded> Firms { get; } = new(StringComparer.Ordinal);

    private protected sealed record Seeded(string Account, string Household, string Model, long Proposal, long Restriction, long TenantId);

    private static readonly DateOnly Day = new(2025, 9, 15);

    public virtual async Task InitializeAsync()
    {
        Store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        foreach (var firm in new[] { "acme", "bolt" })
        foreach (var role in ApiRoles.All)
            Keys[(firm, role)] = Store.CreateApiKey(firm, role).Key;
        Store.SetPrice("VTI", Day, 100m);
        Store.SetPrice("BND", Day, 50m);
        Store.SetPrice("VTI", Day.AddDays(7), 110.5m);
        Seed("acme");
        _factory = new ResourceFactory(Location);
        Client = _factory.CreateClient();
        await Task.CompletedTask;
    }

    /// <summary>
    /// A firm's book, written through the store as that tenant sees it: a model, a household with an account, a deposit, a buy (a holding and
    /// its lot), a restriction and a proposal. The names start with the firm's initial (<c>a-ira</c>, <c>b-ira</c>).
    /// </summary>
    private protected Seeded Seed(string firm)
    {
        var tenant = Store.Authenticate(Keys[(firm, ApiRoles.Admin)])!.TenantId;
        var s = Store.ForTenant(tenant, "tester");
        var p = firm[0];
        s.SetModel($"{p}-growth", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m });
        s.AddAccount(new NewAccount($"{p}-ira", AccountType.Taxable, "USD", $"{p}-smith", $"{p}-growth"));
        s.Deposit($"{p}-ira", 10_000m, Day);
        s.RecordFill(new Fill($"{p}-exec-1", $"{p}-ira", Day, "VTI", OrderSide.Buy, 10m, 100m, 1.25m));
        s.SetRestriction(RestrictionScope.Account, $"{p}-ira", "VTI", RestrictionKind.DoNotSell, reason: "client asked");
        var proposal = s.SaveProposal(new NewProposal($"account {p}-ira", "test", null, "{}", "{}", [new ProposedOrder($"{p}-ira", "BND", OrderSide.Buy, 20m, 50m)]));
        var restriction = Query<long>($"SELECT id FROM restrictions WHERE name = '{p}-ira'").Single();
        return Firms[firm] = new Seeded($"{p}-ira", $"{p}-smith", $"{p}-growth", proposal, restriction, tenant);
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private protected List<T> Query<T>(string sql)
    {
        using System.Data.Common.DbConnection c = Location.Provider == StoreProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(Location.ConnectionString)
            : new Npgsql.NpgsqlConnection(Location.ConnectionString);
        c.Open();
        return c.Query<T>(sql).ToList();
    }

    private protected string Key(string firm = "acme", string role = ApiRoles.Admin) => Keys[(firm, role)];

    private protected async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? key, string? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation(BallastService.IdempotencyHeader, idempotencyKey);
        return await Client.SendAsync(request);
    }

    private protected Task<HttpResponseMessage> Get(string path, string? key = null) => Send(HttpMethod.Get, path, key ?? Key("acme", ApiRoles.Viewer));

    private protected Task<HttpResponseMessage> Post(string path, string? body, string? key = null, string? idempotencyKey = null) =>
        Send(HttpMethod.Post, path, key ?? Key(), body, idempotencyKey);

    /// <summary>Asserts the status and returns the JSON body.</summary>
    private protected static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private protected static IEnumerable<string> Names(JsonElement page, string member = "name") =>
        page.GetProperty("data").EnumerateArray().Select(x => x.GetProperty(member).ToString());

    /// <summary>Every item of a list, walking its pages <paramref name="limit"/> at a time; asserts that each page but the last is full.</summary>
    private protected async Task<(List<JsonElement> Items, int Pages)> Walk(string path, int limit, string? key = null)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var sep = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await Json(await Get($"{path}{sep}limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), key));
            pages++;
            var data = page.GetProperty("data").EnumerateArray().ToList();
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            if (cursor is not null) Assert.Equal(limit, data.Count);
            items.AddRange(data);
            Assert.True(pages < 100);
        } while (cursor is not null);
        return (items, pages);
    }
}

public sealed class SqliteResourceTests : ResourceSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresResourceTests : ResourceSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
