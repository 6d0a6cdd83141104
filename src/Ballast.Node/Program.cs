using System.Globalization;
using System.Net;
using System.Reflection;
using Ballast.Cluster;
using Ballast.Input;
using Ballast.Operations.Windows;
using Ballast.Service;
using Ballast.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Ballast.Node;

/// <summary>
/// <c>ballast-node</c>: <c>ballast-node [serve] --db PG ...</c> starts one silo of the cluster co-hosting the HTTP service;
/// <c>ballast-node window --db PG --calendar FILE ...</c> runs a window through the running cluster and prints what it did.
/// Bad flags: one line naming the flag, exit 2.
/// </summary>
public static class Program
{
    internal const string Usage = """
        usage: ballast-node [serve] --db POSTGRES [--urls URLS] [--silo-port N] [--gateway-port N] [--cluster-id ID] [--advertise IP]
                                    [--calendar FILE [--partitions N]]
               ballast-node window --db POSTGRES --calendar FILE [--at WHEN] [--partitions N] [--tenant NAME] [--cluster-id ID]

          serve       one silo of the cluster, co-hosting the HTTP service (ballast serve's); Ctrl+C or SIGTERM stops it
          window      runs the window at or before WHEN (default: now) through the cluster and prints its record

          --db            the store: postgres://USER:PASSWORD@HOST:PORT/DATABASE (or BALLAST_DB); a cluster needs PostgreSQL
          --urls          where the HTTP service listens, separated by ';' (default http://127.0.0.1:8080)
          --silo-port     the port silos talk on (default 11111)
          --gateway-port  the port clients (ballast-node window) connect to (default 30000)
          --cluster-id    silos with the same id over the same database form one cluster (default ballast)
          --advertise     the address other machines reach this silo at (default 127.0.0.1: every silo on this machine)
          --calendar      the trading calendar (YAML, as ballast window run's); given to serve, every window of it runs by
                          itself, once for the cluster (an Orleans reminder looks every minute); give every silo the same
          --at            a window's local time 2026-03-02T10:00, an instant 2026-03-02T15:00Z, or a date
          --partitions    how many partitions the window's accounts are split into (default 16, 1 to 4096)
          --tenant        whose accounts (default: the default tenant)
        """;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        try
        {
            var (command, flags) = Flags.Parse(args);
            return command switch
            {
                "serve" => Serve(flags),
                "window" => Window(flags),
                _ => throw new InputException(new InputProblem($"unknown command '{command}'; commands: serve, window", Field: "COMMAND")),
            };
        }
        catch (InputException e)
        {
            var p = e.Problems[0];
            var where = p.File is null ? "" : p.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $"{p.File}:{line}: ") : p.File + ": ";
            Console.Error.WriteLine($"ballast-node: error: {where}{(string.IsNullOrEmpty(p.Field) ? "" : p.Field + ": ")}{OneLine(p.Message)}");
            return 2;
        }
        catch (StoreBusyException e)
        {
            Console.Error.WriteLine($"ballast-node: error: {OneLine(e.Message)}");
            return 3;
        }
        catch (Exception e) when (e is StoreUnavailableException or StoreVersionException)
        {
            Console.Error.WriteLine($"ballast-node: error: {OneLine(e.Message)}");
            return 2;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static int Serve(Flags flags)
    {
        flags.Allow("--db", "--urls", "--silo-port", "--gateway-port", "--cluster-id", "--advertise", "--calendar", "--partitions");
        var cluster = flags.Cluster();
        var urls = flags.Urls();
        var partitions = flags.Partitions();
        var location = flags.Store();
        ClusterHosting.RequirePostgres(location);
        var schedule = flags.Value("--calendar") is { } file
            ? new WindowSchedule(TradingCalendarReader.Load(file), partitions, EngineVersion, BallastStore.DefaultTenantName, TimeSpan.FromMinutes(1))
            : null;
        // The grains' store waits longer for the write lock than a command does: a window's partitions queue for it, batch after batch.
        var storeOptions = new StoreOptions { Actor = "node", BusyTimeout = ClusterHosting.StoreBusyTimeout };
        // The store must be at this build's schema (migration 15 made the cluster's tables): 'ballast init' migrates it.
        BallastStore.Open(location, storeOptions);
        var options = new ServiceOptions
        {
            Store = location,
            StoreOptions = new StoreOptions { Actor = "service" },
            Urls = urls,
            ConfigureHost = builder =>
            {
                // Orleans' own information (membership, placement) is verbose; its warnings and errors are kept.
                builder.Logging.AddFilter("Orleans", LogLevel.Warning);
                builder.UseOrleans(silo =>
                {
                    silo.UseBallastCluster(location, storeOptions, cluster);
                    if (schedule is not null) silo.AddWindowSchedule(schedule);
                });
            },
        };
        var windows = schedule is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; the windows of {flags.Value("--calendar")} run by themselves in {partitions} partitions");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ballast-node: silo of cluster '{cluster.ClusterId}' on port {cluster.SiloPort} (gateway {cluster.GatewayPort}), service on {string.Join(", ", urls)}{windows}"));
        try
        {
            BallastService.Build(options).Run();
        }
        catch (Exception e) when (e is not InputException and not StoreVersionException and not StoreUnavailableException and not StoreBusyException)
        {
            // A port in use, the database gone while joining: one line, never a trace.
            Console.Error.WriteLine($"ballast-node: error: the silo stopped: {OneLine(e.Message)}");
            return 3;
        }
        return 0;
    }

    private static int Window(Flags flags)
    {
        flags.Allow("--db", "--calendar", "--at", "--partitions", "--tenant", "--cluster-id");
        var partitions = flags.Partitions();
        var clusterId = flags.Value("--cluster-id") ?? "ballast";
        var tenant = flags.Value("--tenant") ?? BallastStore.DefaultTenantName;
        var location = flags.Store();
        ClusterHosting.RequirePostgres(location);
        var calendarFile = flags.Value("--calendar") ?? throw new InputException(new InputProblem("name the trading calendar file", Field: "--calendar"));
        var calendar = TradingCalendarReader.Load(calendarFile);
        var store = BallastStore.Open(location, new StoreOptions { Actor = "node" });
        if (tenant != BallastStore.DefaultTenantName) store = store.ForTenant(tenant);
        var window = WindowRunner.WindowAt(calendar, WindowTimes.Parse(flags.Value("--at"), calendar, store.Options.Time.GetUtcNow(), "--at"));

        var host = Host.CreateApplicationBuilder([]);
        host.Logging.ClearProviders();
        host.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "ballast";
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterHosting.PostgresInvariant;
                o.ConnectionString = location.ConnectionString;
            });
            // A call waits at most WaitPerCall for the run; one that has no answer well after that was lost with its silo or gateway.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
        });
        using var app = host.Build();
        var request = ClusterWindowRequest.For(calendar, window, partitions, EngineVersion, tenant);
        ClusterRunReport report;
        try
        {
            app.Start();
            var grains = app.Services.GetRequiredService<IClusterClient>();
            report = Coordinate(grains, request);
        }
        catch (Exception e) when (e is not InputException)
        {
            Console.Error.WriteLine($"ballast-node: error: window {window.Id} did not finish through cluster '{clusterId}': {OneLine(e.Message)}; run it again to resume it");
            return 3;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"window {report.WindowId}: run {report.RunId} {report.Status}{(report.AlreadyDone ? " (already run: nothing added)" : report.Resumed ? " (resumed)" : "")}, " +
            $"{report.Accounts} accounts, {report.Evaluated} evaluated, {report.Rebalanced} rebalanced, {report.Skipped} skipped; " +
            $"{report.Partitions} partitions, {report.Attempts} partition calls on {report.Silos.Length} silos"));
        app.StopAsync().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// Asks the window's coordinator to run it, in short calls that each wait at most <see cref="WaitPerCall"/>. When a call
    /// fails (the coordinator's silo died, the gateway this client uses died), it asks again: the coordinator, placed again,
    /// resumes the run from the accounts recorded. Gives up after <see cref="FailedCalls"/> failed calls in a row.
    /// </summary>
    private static ClusterRunReport Coordinate(IClusterClient grains, ClusterWindowRequest request)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                var report = grains.GetGrain<IWindowCoordinator>(request.Key).Wait(request, WaitPerCall).GetAwaiter().GetResult();
                failures = 0;
                if (report is not null) return report;
            }
            catch (Exception e) when (++failures < FailedCalls && e is not InputException)
            {
                Console.Error.WriteLine($"ballast-node: window {request.Key}: a call to its coordinator failed ({OneLine(e.Message)}); asking again");
                Thread.Sleep(TimeSpan.FromSeconds(Math.Min(5, failures)));
            }
        }
    }

    private static readonly TimeSpan WaitPerCall = TimeSpan.FromSeconds(15);
    private const int FailedCalls = 30;

    /// <summary>The engine's version, recorded on proposals (as the CLI and the service record it).</summary>
    internal static readonly string EngineVersion =
        typeof(Ballast.Planning.Planner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

/// <summary>The command line: a command, then <c>--flag value</c> pairs.</summary>
internal sealed class Flags
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static (string Command, Flags Flags) Parse(IReadOnlyList<string> args)
    {
        var flags = new Flags();
        var command = "serve";
        var i = 0;
        if (args.Count > 0 && !args[0].StartsWith('-')) command = args[i++];
        for (; i < args.Count; i++)
        {
            var name = args[i];
            string value;
            if (!name.StartsWith("--", StringComparison.Ordinal))
                throw new InputException(new InputProblem($"unexpected '{name}': flags are --name VALUE (ballast-node --help)", Field: name));
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new InputException(new InputProblem("needs a value", Field: name));
                value = args[++i];
            }
            if (!flags._values.TryAdd(name, value)) throw new InputException(new InputProblem("given twice", Field: name));
        }
        return (command, flags);
    }

    /// <summary>Refuses a flag the command does not take.</summary>
    public void Allow(params string[] names)
    {
        foreach (var name in _values.Keys)
            if (!names.Contains(name, StringComparer.Ordinal))
                throw new InputException(new InputProblem($"unknown flag; this command takes {string.Join(", ", names)}", Field: name));
    }

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public StoreLocation Store()
    {
        var db = Value("--db") ?? Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(db))
            throw new InputException(new InputProblem($"name the cluster's PostgreSQL store (postgres://USER:PASSWORD@HOST:PORT/DATABASE), or set {StoreLocation.EnvironmentVariable}", Field: "--db"));
        return StoreLocation.Parse(db, Directory.GetCurrentDirectory());
    }

    public int Int(string name, int min, int max, int fallback, string what)
    {
        if (Value(name) is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new InputException(new InputProblem(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not {what} ({min} to {max})"), Field: name));
    }

    public int Partitions() => Int("--partitions", 1, AccountPartition.MaxCount, WindowCoordinator.DefaultPartitions, "a number of partitions");

    public BallastClusterOptions Cluster()
    {
        var silo = Int("--silo-port", 1, 65535, BallastClusterOptions.DefaultSiloPort, "a port");
        var gateway = Int("--gateway-port", 1, 65535, BallastClusterOptions.DefaultGatewayPort, "a port");
        if (silo == gateway) throw new InputException(new InputProblem(string.Create(CultureInfo.InvariantCulture, $"the silo and gateway ports must differ (both {silo})"), Field: "--gateway-port"));
        var id = Value("--cluster-id") ?? "ballast";
        if (id.Length is 0 or > 150 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new InputException(new InputProblem($"'{id}' is not a cluster id: 1 to 150 letters, digits, '-', '_' or '.'", Field: "--cluster-id"));
        IPAddress? advertise = null;
        if (Value("--advertise") is { } a && !IPAddress.TryParse(a, out advertise))
            throw new InputException(new InputProblem($"'{a}' is not an IP address", Field: "--advertise"));
        return new BallastClusterOptions { SiloPort = silo, GatewayPort = gateway, ClusterId = id, AdvertisedAddress = advertise };
    }

    public IReadOnlyList<string> Urls()
    {
        var listen = (Value("--urls") ?? "http://127.0.0.1:8080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var u in listen)
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new InputException(new InputProblem($"'{u}' is not an http or https url such as http://127.0.0.1:8080", Field: "--urls"));
        return listen.Length == 0 ? ["http://127.0.0.1:8080"] : listen;
    }
}
