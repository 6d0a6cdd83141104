using Ballast.Service;
using Ballast.Store;

namespace Ballast.Service.TestHost;

/// <summary>
/// The service as <c>ballast serve</c> builds it, for <c>WebApplicationFactory&lt;Program&gt;</c>: the factory runs this Main, takes the
/// host it builds and serves it in memory. The store named here is a placeholder; each test gives its own (the factory replaces the
/// service's state), and the rate limit is high so that a test's many requests are not limited.
/// </summary>
public sealed class Program
{
    private Program() { }

    public static void Main(string[] args)
    {
        var app = BallastService.Build(new ServiceOptions
        {
            Store = new StoreLocation(StoreProvider.Sqlite, "Data Source=ballast-test-host.db"),
            Urls = ["http://127.0.0.1:0"],
            Logging = false,
            RateLimit = 100_000,
            KeyCacheTtl = TimeSpan.Zero, // a revoked key is refused at its next request
        });
        app.Run();
    }
}
