using System.Globalization;
using System.Text;
using Ballast.Operations.Blocks;
using Ballast.Operations.Windows;
using Ballast.Store;

namespace Ballast.Cluster.Tests;

/// <summary>
/// A generated book: the same accounts, holdings, prices, models, holds, deposits and cash needs in any store it is loaded into,
/// so a window run through the cluster and one in a single process can be compared account by account.
/// </summary>
internal static class Book
{
    public static readonly TradingCalendar Calendar = TradingCalendar.Default;

    /// <summary>The window the tests run: Monday 2026-03-02 at 10:00 New York.</summary>
    public static TradingWindow Window => Calendar.On(new DateOnly(2026, 3, 2)).First();

    /// <summary>Every write dated a day before the window; the run itself sees the clock a minute after the window opens.</summary>
    public static StoreOptions Options(DateTimeOffset now) => new() { Actor = "tester", Time = new FixedClock(now), BusyTimeout = TimeSpan.FromSeconds(30) };

    public static BallastStore Load(StoreLocation location, int accounts, string directory)
    {
        var setup = BallastStore.Initialize(location, Options(new DateTimeOffset(2026, 2, 27, 20, 0, 0, TimeSpan.Zero)));
        string[] tickers = ["VTI", "VXUS", "BND", "GLD"];
        foreach (var t in tickers) setup.AddSecurity(t);
        var asOf = new DateOnly(2026, 2, 27);
        foreach (var (t, close) in tickers.Zip(new[] { 100m, 50m, 80m, 200m })) setup.SetPrice(t, asOf, close);
        setup.SetModel("growth", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["VXUS"] = 0.2m, ["BND"] = 0.1m, ["GLD"] = 0.1m }, "{ look: daily, trigger: threshold, relative: 20%, cashBand: 2% }");
        setup.SetModel("income", new Dictionary<string, decimal> { ["VTI"] = 0.3m, ["BND"] = 0.7m }, "{ look: daily, trigger: threshold, relative: 20%, cashBand: 2%, rebalanceTo: inner-rail, rail: 10% }");

        var accountsCsv = new StringBuilder("account,type,currency,household,model\n");
        var positions = new StringBuilder("account,ticker,quantity,cost_basis\n");
        for (var a = 0; a < accounts; a++)
        {
            var name = Name(a);
            accountsCsv.Append(name).Append(a % 3 == 0 ? ",taxable" : a % 3 == 1 ? ",tax-deferred" : ",tax-free").Append(",USD,hh-").Append(a / 3)
                .Append(a % 4 == 0 ? ",income\n" : ",growth\n");
            // One account in ten (and those given a deposit below) outside its bands, as in a firm's book: its quantities spread at
            // random; the others hold their model's weights within a few percent. Worth from a few thousand to a few hundred thousand.
            var scale = 1 + a * 7919 % 40;
            var drifted = a % 10 == 7;
            foreach (var (t, i) in tickers.Select((t, i) => (t, i)))
            {
                if (a % 4 == 0 && t is "VXUS" or "GLD") continue;
                // Shares of each ticker at the model's weights for 8,000 of value (growth 60/20/10/10, income 30/70 at the prices above).
                var onModel = a % 4 == 0 ? (t == "VTI" ? 24 : 70) : t switch { "VTI" => 48, "VXUS" => 32, "BND" => 10, _ => 4 };
                var q = drifted ? scale * (1 + (a * 31 + i * 17) % 23) : onModel * scale * (97 + (a * 31 + i * 17) % 7) / 100m;
                positions.Append(name).Append(',').Append(t).Append(',').Append(q.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append((q * 40).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            // Cash under 1% of the account (inside the models' 2% cash band) unless it drifted.
            positions.Append(name).Append(",CASH,").Append((drifted ? a * 37 % 500 : a * 37 % 50).ToString(CultureInfo.InvariantCulture)).Append(".25,\n");
        }
        var accountsFile = Path.Combine(directory, "accounts.csv");
        var positionsFile = Path.Combine(directory, "positions.csv");
        File.WriteAllText(accountsFile, accountsCsv.ToString());
        File.WriteAllText(positionsFile, positions.ToString());
        setup.ImportAccounts(accountsFile);
        setup.ImportPositions(positionsFile, asOf: new DateOnly(2026, 1, 2));
        // A few held accounts, deposits (some still unsettled at the window) and withdrawal requests.
        for (var a = 5; a < accounts; a += 97) setup.SetHold(Name(a), "client on the phone");
        for (var a = 11; a < accounts; a += 89) setup.Deposit(Name(a), 1000m + a, a % 2 == 0 ? new DateOnly(2026, 2, 27) : new DateOnly(2026, 2, 20));
        for (var a = 13; a < accounts; a += 101) setup.AddCashNeed(Name(a), 500m, new DateOnly(2026, 3, 20), "tuition");
        return BallastStore.Open(location, Options(Window.Start.AddMinutes(1)));
    }

    public static string Name(int a) => "acct-" + a.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Everything a window run leaves, by account name (ids differ between stores): verdicts, proposals with their orders, the run's counts, and its blocks.</summary>
    /// <param name="gather">Gather the window's blocks (<see cref="BlockDesk.CreateForWindow"/>) and list them; false: none made, none listed.</param>
    public static Outcome Read(BallastStore store, string windowId, bool gather = true)
    {
        var run = store.FindWindowRun(windowId) ?? throw new InvalidOperationException($"no run of {windowId}");
        var accounts = store.WindowRunAccounts(run.Id);
        var verdicts = accounts.Select(v => $"{v.Account}|{v.Decision}|{v.Outcome}|{v.Reason}|{(v.ProposalId is null ? "" : "proposal")}").ToList();
        // Every proposal of the store in one read (a window's thousands, one by one, take long); each of the run's is looked up by its id.
        var stored = store.Proposals().ToDictionary(p => p.Id);
        var proposals = accounts.Where(v => v.ProposalId is not null).Select(v =>
        {
            var p = stored[v.ProposalId!.Value];
            return $"{v.Account}|{p.Status}|{p.Scope}|" + string.Join(";", p.Orders.Select(o => $"{o.Account}:{o.Ticker}:{o.Side}:{o.Quantity}:{o.Price}"));
        }).ToList();
        var (after, blocks) = gather ? new BlockDesk(store).CreateForWindow(windowId) : (run, []);
        var blockLines = blocks.OrderBy(b => b.Ticker, StringComparer.Ordinal).ThenBy(b => b.Side)
            .Select(b => $"{b.Ticker}|{b.Side}|{b.Quantity}|{b.Window}|" + string.Join(";", b.Lines.OrderBy(l => l.Account, StringComparer.Ordinal).Select(l => $"{l.Account}:{l.Quantity}"))).ToList();
        return new Outcome($"{after.Status}|{run.Accounts}|{run.Evaluated}|{run.Rebalanced}|{run.Skipped}", verdicts, proposals, blockLines,
            store.WindowRunCounts(run.Id).Select(c => $"{c.Outcome}|{c.Kind}|{c.Count}").ToList());
    }

    public sealed record Outcome(string Run, List<string> Verdicts, List<string> Proposals, List<string> Blocks, List<string> Counts);
}
