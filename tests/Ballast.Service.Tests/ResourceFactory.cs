using Ballast.Store;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Service.Tests;

/// <summary>
/// The service under <see cref="WebApplicationFactory{TEntryPoint}"/>: the test host's Main builds it with <see cref="BallastService.Build"/>
/// (as <c>ballast serve</c> does) and the factory serves it in memory; the service's state is replaced by one over the test's store and clock.
/// </summary>
internal sealed class ResourceFactory(StoreLocation location) : WebApplicationFactory<Ballast.Service.TestHost.Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.ConfigureServices(services => services.AddSingleton(new ServiceState(new ServiceOptions
        {
            Store = location,
            StoreOptions = new StoreOptions { Actor = "service", Time = new FixedClock(), BusyTimeout = TimeSpan.FromSeconds(10) },
            Logging = false,
            RateLimit = 100_000,
            KeyCacheTtl = TimeSpan.Zero, // a revoked key is refused at its next request
        })));
    }
}
