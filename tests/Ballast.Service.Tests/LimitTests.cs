using System.Net;
using System.Text;
using Ballast.Store;
using Ballast.Testing;

namespace Ballast.Service.Tests;

/// <summary>Request size limits, the per-key rate limiter and readiness, on an SQLite store (none of them depends on the provider).</summary>
public sealed class LimitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-service-limits-").FullName;

    private StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(_directory, "ballast.db")}");

    private static string Portfolio => File.ReadAllText(RepositoryPaths.Example("inner-rails.json"));

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task OversizedBodies_Are413_WithOrWithoutAContentLength()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Time = new FixedClock() });
        var key = store.CreateApiKey("acme", ApiRoles.Trader).Key;
        await using var host = await ServiceHost.Start(Location, o => o with { MaxBodyBytes = 4096 });
        var big = Portfolio.TrimEnd().TrimEnd('}') + ", \"pad\": \"" + new string('x', 10_000) + "\"}";
        var response = await host.Client.SendAsync(Http.Post("/v1/plan", big, key));
        var doc = await Http.Problem(response, 413);
        Assert.Contains("4096", doc.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.ConnectionClose); // the unread rest of the body ends the connection

        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/plan") { Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        chunked.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        Assert.Null(chunked.Content.Headers.ContentLength);
        await Http.Problem(await host.Client.SendAsync(chunked), 413);

        // Just under the limit is read (and answered).
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Http.Post("/v1/plan", Portfolio, key))).StatusCode);
    }

    [Fact]
    public async Task RateLimiter_Answers429WithRetryAfter_PerKey()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Time = new FixedClock() });
        var first = store.CreateApiKey("acme", ApiRoles.Trader).Key;
        var second = store.CreateApiKey("acme", ApiRoles.Trader).Key;
        await using var host = await ServiceHost.Start(Location, o => o with { RateLimit = 3, RateWindow = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, first))).StatusCode);
        var limited = await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, first));
        var doc = await Http.Problem(limited, 429);
        Assert.Equal("urn:ballast:problem:rate-limited", doc.GetProperty("type").GetString());
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 60);
        // Another key has its own bucket; health is not limited.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, second))).StatusCode);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Ready_Is503_UntilTheStoreIsInitialized_AndV1SaysSoToo()
    {
        await using var host = await ServiceHost.Start(Location);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
        var doc = await Http.Problem(await host.Client.GetAsync("/ready"), 503);
        Assert.Contains("ballast init", doc.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Http.Problem(await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, BallastStore.ApiKeyPrefix + "x")), 503);

        BallastStore.Initialize(Location, new StoreOptions { Time = new FixedClock() });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/ready")).StatusCode);
    }

    /// <summary>A stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
