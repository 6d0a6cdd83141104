using Ballast.Input;

namespace Ballast.Store.Tests;

/// <summary>Tenants, API keys and kept idempotent responses (<see cref="BallastStore.CreateApiKey"/> and friends), on SQLite and PostgreSQL.</summary>
public abstract class ApiKeySuite : StoreTestBase
{
    [Fact]
    public void CreateApiKey_CreatesTheTenantOnce_StoresOnlyTheHash_AndAuthenticates()
    {
        var store = NewStore();
        var first = store.CreateApiKey("acme", "trader");
        var second = store.CreateApiKey(" acme ", "VIEWER");
        Assert.True(first.TenantCreated);
        Assert.False(second.TenantCreated);
        Assert.StartsWith(BallastStore.ApiKeyPrefix, first.Key, StringComparison.Ordinal);
        Assert.Equal(BallastStore.ApiKeyPrefix.Length + 43, first.Key.Length); // 256 bits, base64url
        Assert.NotEqual(first.Key, second.Key);
        Assert.Equal(2, Count(store, "tenants")); // acme and the default tenant every store has
        Assert.Equal(2, Count(store, "api_keys"));
        // The secret is nowhere in the store: only its hash.
        var hashes = store.Read(c => Dapper.SqlMapper.Query<string>(c, "SELECT key_hash FROM api_keys ORDER BY id").ToList());
        Assert.Equal([BallastStore.HashKey(first.Key), BallastStore.HashKey(second.Key)], hashes);
        Assert.Equal(0, store.Read(c => Dapper.SqlMapper.ExecuteScalar<long>(c, "SELECT COUNT(*) FROM api_keys WHERE key_hash = @k OR prefix = @k", new { k = first.Key })));

        var caller = store.Authenticate(first.Key);
        Assert.Equal(new ApiCaller(first.Info.Id, caller!.TenantId, "acme", "trader"), caller);
        Assert.Equal("viewer", store.Authenticate(second.Key)!.Role);
        Assert.Null(store.Authenticate(first.Key + "x"));
        Assert.Null(store.Authenticate("not-a-key"));
        Assert.Equal(FixedClock.Default, store.ApiKeys()[0].LastUsedAt);
        Assert.Equal("key-create", store.Read(c => Dapper.SqlMapper.ExecuteScalar<string>(c, "SELECT action FROM audit ORDER BY id DESC LIMIT 1")));
    }

    [Fact]
    public void RevokeApiKey_StopsTheKey_AndIsRefusedTwiceOrForAnUnknownId()
    {
        var store = NewStore();
        var created = store.CreateApiKey("acme", "admin");
        var revoked = store.RevokeApiKey(created.Info.Id);
        Assert.Equal(FixedClock.Default, revoked.RevokedAt);
        Assert.Null(store.Authenticate(created.Key));
        var again = Assert.Throws<InputException>(() => store.RevokeApiKey(created.Info.Id));
        Assert.Contains("already revoked", again.Problems[0].Message, StringComparison.Ordinal);
        var before = Fingerprint(store);
        var unknown = Assert.Throws<InputException>(() => store.RevokeApiKey(99));
        Assert.Equal("id", unknown.Problems[0].Field);
        Assert.Equal(before, Fingerprint(store));
    }

    [Theory]
    [InlineData("", "trader", "--tenant")]
    [InlineData("acme", "owner", "--role")]
    [InlineData("a\u0001b", "viewer", "--tenant")]
    public void CreateApiKey_RefusesBadNamesAndRoles_WritingNothing(string tenant, string role, string field)
    {
        var store = NewStore();
        var before = Fingerprint(store);
        var e = Assert.Throws<InputException>(() => store.CreateApiKey(tenant, role));
        Assert.Equal(field, Assert.Single(e.Problems).Field);
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void IdempotentResponses_TheFirstIsKept_PerTenant()
    {
        var store = NewStore();
        var a = store.Authenticate(store.CreateApiKey("a", "trader").Key)!;
        var b = store.Authenticate(store.CreateApiKey("b", "trader").Key)!;
        Assert.Null(store.FindIdempotentResponse(a.TenantId, "k1"));
        var first = new IdempotentResponse("h1", 200, "application/json", "{\"x\":1}", FixedClock.Default);
        Assert.Equal(first, store.KeepIdempotentResponse(a.TenantId, "k1", first));
        // A second request with the same key gets the first response back, whatever it would have kept.
        Assert.Equal(first, store.KeepIdempotentResponse(a.TenantId, "k1", first with { RequestHash = "h2", Body = "{}" }));
        Assert.Equal(first, store.FindIdempotentResponse(a.TenantId, "k1"));
        // Another tenant's key of the same name is its own.
        Assert.Null(store.FindIdempotentResponse(b.TenantId, "k1"));
        var other = first with { RequestHash = "h3", Status = 422 };
        Assert.Equal(other, store.KeepIdempotentResponse(b.TenantId, "k1", other));
    }
}

public sealed class SqliteApiKeyTests : ApiKeySuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresApiKeyTests : ApiKeySuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override void Dispose()
    {
        _database.Dispose();
        base.Dispose();
    }
}
