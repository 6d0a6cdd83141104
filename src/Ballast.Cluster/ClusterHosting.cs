using System.Net;
using Ballast.Input;
using Ballast.Store;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Ballast.Cluster;

/// <summary>How a silo joins the Ballast cluster.</summary>
public sealed record BallastClusterOptions
{
    /// <summary>The cluster's name: silos with the same id over the same database form one cluster.</summary>
    public string ClusterId { get; init; } = "ballast";

    /// <summary>The service's name: reminders are kept per service id, so it stays the same across deployments.</summary>
    public string ServiceId { get; init; } = "ballast";

    /// <summary>The port silos talk to each other on.</summary>
    public int SiloPort { get; init; } = DefaultSiloPort;

    /// <summary>The port clients connect to (0: no gateway).</summary>
    public int GatewayPort { get; init; } = DefaultGatewayPort;

    /// <summary>The address other silos reach this one at; null: the loopback address (every silo on one machine).</summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>How long a grain call may take: a partition of a large window runs for minutes. A call to a silo that dies fails sooner (when the cluster declares it dead).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public const int DefaultSiloPort = 11111, DefaultGatewayPort = 30000;
}

/// <summary>Sets a silo up for Ballast: window grains over the store, membership and reminders in the store's PostgreSQL.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// How long a silo's grains wait for the store's write lock (<see cref="StoreOptions.BusyTimeout"/>) before a batch fails busy:
    /// the partitions of a window queue for it batch after batch, so a silo waits longer than a command's default 10 s. A partition
    /// that still finds the store busy runs again from the accounts recorded (<see cref="WindowPartition.MaxAttempts"/>).
    /// </summary>
    public static readonly TimeSpan StoreBusyTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The ADO.NET invariant Orleans loads PostgreSQL's provider by.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// Joins the cluster named by <paramref name="options"/> through the membership table of the store's PostgreSQL database
    /// (migration 15 created it), keeps reminders there, listens on the silo and gateway ports, and adds the window grains.
    /// </summary>
    /// <exception cref="InputException">The store is not PostgreSQL (field <c>--db</c>).</exception>
    public static ISiloBuilder UseBallastCluster(this ISiloBuilder silo, StoreLocation location, StoreOptions storeOptions, BallastClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        RequirePostgres(location);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.ConfigureEndpoints(options.AdvertisedAddress ?? IPAddress.Loopback, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: options.AdvertisedAddress is not null);
        UseStoreTables(silo, location);
        return silo.AddBallastWindows(location, storeOptions, options.ResponseTimeout);
    }

    /// <summary>Membership and reminders in the store's PostgreSQL tables (for a host that sets its own endpoints, such as a test cluster).</summary>
    public static ISiloBuilder UseStoreTables(this ISiloBuilder silo, StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(silo);
        RequirePostgres(location);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = location.ConnectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = location.ConnectionString;
        });
        return silo;
    }

    /// <summary>The window grains' store and the time their calls may take.</summary>
    public static ISiloBuilder AddBallastWindows(this ISiloBuilder silo, StoreLocation location, StoreOptions storeOptions, TimeSpan responseTimeout)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new ClusterStore(location, storeOptions));
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
        return silo;
    }

    /// <summary>Refuses a store that is not PostgreSQL: the silos meet in its membership table.</summary>
    public static void RequirePostgres(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Provider != StoreProvider.Postgres)
            throw new InputException(new InputProblem(
                $"a cluster needs a PostgreSQL store: its silos find each other in the store's membership table; '{location}' is SQLite (give --db postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
                Field: "--db"));
    }
}
