using Ballast.Operations;
using Ballast.Operations.Blocks;
using Ballast.Operations.Windows;
using Ballast.Store;
using Ballast.Store.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Service.Tests.Dashboard;

/// <summary>A clock the test moves: to a window's start for the run, then on.</summary>
internal sealed class DeskClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// <c>ballast serve</c> (<see cref="BallastService.Build"/>) on Kestrel at 127.0.0.1 on a free port over a store set up the way a desk
/// finds it, through the store and the operations layer as the command line would: tenant acme with an approver and a viewer key;
/// VTI, BND and VXUS priced; model core (60/40 VTI/BND, then a second version with VXUS); accounts that breach, are balanced, hold idle
/// cash, have a do-not-sell holding, and one whose name is markup; a window run of Monday 2026-01-05 with the firm's approval rule
/// <c>all</c>, one proposal approved, blocked and partly filled, the others awaiting approval; and a webhook whose delivery failed.
/// </summary>
internal sealed class DeskHost : IAsyncDisposable
{
    public const string Window = "2026-01-05T10:00";
    public const string EvilName = "evil <script>window.pwned=1</script> & co";
    private static readonly DateOnly Day = new(2026, 1, 2);

    private readonly WebApplication _app;

    private DeskHost(WebApplication app, Uri address, BallastStore store, DeskClock clock, string approver, string viewer, string directory)
    {
        _app = app;
        Address = address;
        Store = store;
        Clock = clock;
        ApproverKey = approver;
        ViewerKey = viewer;
        Directory = directory;
    }

    public Uri Address { get; }

    /// <summary>The store as tenant acme sees it.</summary>
    public BallastStore Store { get; }

    public DeskClock Clock { get; }
    public string ApproverKey { get; }
    public string ViewerKey { get; }
    public string Directory { get; }

    /// <summary>The window's proposal for <paramref name="account"/>.</summary>
    public long ProposalOf(string account) => Store.WindowRunAccounts(Store.FindWindowRun(Window)!.Id).Single(a => a.Account == account).ProposalId!.Value;

    public static async Task<DeskHost> Start(StoreLocation location, string directory)
    {
        var clock = new DeskClock(new DateTimeOffset(2026, 1, 2, 12, 0, 0, TimeSpan.Zero));
        var root = BallastStore.Initialize(location, new StoreOptions { Actor = "tester", Time = clock, BusyTimeout = TimeSpan.FromSeconds(10) });
        var approver = root.CreateApiKey("acme", ApiRoles.Approver);
        var viewer = root.CreateApiKey("acme", ApiRoles.Viewer).Key;
        var tenant = root.Authenticate(approver.Key)!.TenantId;
        var store = root.ForTenant(tenant, "tester");
        Seed(store, clock, directory);

        var options = new ServiceOptions
        {
            Store = location,
            StoreOptions = new StoreOptions { Actor = "service", Time = clock, BusyTimeout = TimeSpan.FromSeconds(10) },
            Urls = ["http://127.0.0.1:0"],
            Logging = false,
            RateLimit = 10_000,
        };
        var app = BallastService.Build(options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DeskHost(app, new Uri(address), store, clock, approver.Key, viewer, directory);
    }

    private static void Seed(BallastStore store, DeskClock clock, string directory)
    {
        foreach (var (ticker, price) in new[] { ("VTI", 100m), ("BND", 100m), ("VXUS", 50m) })
        {
            store.AddSecurity(ticker);
            store.SetPrice(ticker, Day, price);
        }
        const string policy = "{ look: daily, trigger: threshold, relative: 20% }";
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, policy);
        Account(store, directory, "breaching", 240, 60, 90m);          // 80/20 against 60/40: outside the 48-72 band
        Account(store, directory, "large-breach", 2600, 400, 95m);     // 86.7/13.3: breaching more
        Account(store, directory, "balanced", 180, 120, 80m);          // 60/40
        Account(store, directory, EvilName, 250, 50, 100m);            // a name that is markup, breaching too
        Account(store, directory, "restricted", 185, 115, 110m);       // near 60/40, with a do-not-sell VTI
        store.SetRestriction(RestrictionScope.Account, "restricted", "VTI", RestrictionKind.DoNotSell, reason: "client's request");
        store.AddAccount(new NewAccount("cashy", AccountType.Taxable, "USD", Model: "core"));
        store.Deposit("cashy", 50_000m, Day);                          // all cash: waits to be invested

        FirmSettings.Set(store, approval: "all");
        var window = TradingCalendar.Default.On(new DateOnly(2026, 1, 5)).First();
        clock.Now = window.Start.AddMinutes(1);
        new WindowRunner(store, "test").Run(TradingCalendar.Default, window);

        // One proposal approved, gathered into the window's blocks, and its sell block partly filled.
        var run = store.FindWindowRun(Window)!;
        var large = store.WindowRunAccounts(run.Id).Single(a => a.Account == "large-breach").ProposalId!.Value;
        store.SetProposalStatus(large, ProposalStatus.Approved, "desk test");
        var desk = new BlockDesk(store);
        var (_, blocks) = desk.CreateForWindow(Window);
        var sell = blocks.Single(b => b.Side == OrderSide.Sell);
        var fills = Path.Combine(directory, "block-fills.csv");
        File.WriteAllText(fills, $"execution_id,block,date,quantity,price,fee\nx1,{sell.Id},2026-01-05,{Math.Floor(sell.Quantity * 0.6m)},100.10,1.50\n");
        desk.ImportFills(fills, UnfilledRest.Carry);

        // A webhook whose receiver is down: its delivery failed and waits.
        var hook = store.AddWebhook("http://127.0.0.1:9/hooks/ballast", "s3cret", sinceId: 0);
        store.RecordDeliveries(hook.Id, [new DeliveryOutcome(store.LastEventId(), false, 4, "connection refused (127.0.0.1:9)", clock.Now)]);

        // The model's second version: VXUS joins, so the balanced accounts breach after the change.
        clock.Now = clock.Now.AddDays(2);
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["VXUS"] = 0.2m }, policy);
        clock.Now = new DateTimeOffset(2026, 1, 8, 15, 0, 0, TimeSpan.Zero);
    }

    private static void Account(BallastStore store, string directory, string name, decimal vti, decimal bnd, decimal cost)
    {
        store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", Model: "core"));
        var file = Path.Combine(directory, $"positions-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, $"ticker,quantity,cost_basis\nVTI,{vti},{vti * cost}\nBND,{bnd},{bnd * 101m}\n");
        store.ImportPositions(file, name, asOf: Day);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
