using Ballast.Input;
using Ballast.Operations.Windows;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Restrictions and holds (<see cref="BallastStore.SetRestriction"/>, <see cref="BallastStore.SetHouseholdHold"/>) as a window run
/// applies them through <see cref="Ballast.Operations.Accounts.AccountPlanning"/>, on SQLite and PostgreSQL. Every account is worth
/// 30,000 (looked at every window) on a 60/40 model with a to-target policy whose band is 48-72 %.
/// </summary>
public abstract class RestrictionSuite : IDisposable
{
    private const string ToTarget = "{ look: daily, trigger: threshold, relative: 20% }";
    private static readonly TradingCalendar Calendar = TradingCalendar.Default;

    private readonly MovableClock _clock = new(new DateTimeOffset(2026, 1, 2, 12, 0, 0, TimeSpan.Zero));

    protected RestrictionSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-restriction-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    public virtual void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }

    private BallastStore NewStore()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = _clock, BusyTimeout = TimeSpan.FromSeconds(10) });
        foreach (var t in new[] { "VTI", "VXUS", "BND" })
        {
            store.AddSecurity(t);
            store.SetPrice(t, new DateOnly(2026, 1, 2), 100m);
        }
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        store.SetModel("global", new Dictionary<string, decimal> { ["VTI"] = 0.4m, ["VXUS"] = 0.2m, ["BND"] = 0.4m }, ToTarget);
        return store;
    }

    private void Account(BallastStore store, string name, string model, string? household, params (string Ticker, decimal Quantity)[] holdings)
    {
        store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", Household: household, Model: model));
        var file = Path.Combine(Directory, name + ".csv");
        File.WriteAllText(file, "ticker,quantity\n" + string.Join("", holdings.Select(h => $"{h.Ticker},{h.Quantity}\n")));
        store.ImportPositions(file, name, asOf: new DateOnly(2026, 1, 2));
    }

    private WindowRunResult RunWindow(BallastStore store)
    {
        var window = Calendar.On(new DateOnly(2026, 1, 5)).First();
        _clock.Now = window.Start.AddMinutes(1);
        return new WindowRunner(store, "test").Run(Calendar, window);
    }

    private static WindowRunAccount Verdict(BallastStore store, WindowRunResult run, string account) =>
        store.WindowRunAccounts(run.Run.Id).Single(a => a.Account == account);

    private static decimal Ordered(BallastStore store, WindowRunAccount v, string ticker, OrderSide side) =>
        v.ProposalId is { } id ? store.GetProposal(id).Orders.Where(o => o.Ticker == ticker && o.Side == side).Sum(o => o.Quantity) : 0;

    [Fact]
    public void Window_ADoNotBuyTicker_IsNotBought_AndTheReasonSaysSo()
    {
        var store = NewStore();
        // 24,000 + 6,000: 80/20 against 60/40. Free, it sells 60 VTI and buys 60 BND; BND may not be bought.
        Account(store, "free", "core", null, ("VTI", 240), ("BND", 60));
        Account(store, "limited", "core", null, ("VTI", 240), ("BND", 60));
        store.SetRestriction(RestrictionScope.Account, "limited", "BND", RestrictionKind.DoNotBuy, reason: "client's request");

        var run = RunWindow(store);

        Assert.Equal(60m, Ordered(store, Verdict(store, run, "free"), "BND", OrderSide.Buy));
        var v = Verdict(store, run, "limited");
        Assert.Equal("rebalanced", v.Outcome);
        Assert.Equal(0m, Ordered(store, v, "BND", OrderSide.Buy));
        Assert.Equal(60m, Ordered(store, v, "VTI", OrderSide.Sell));
        Assert.EndsWith("; 1 orders; do-not-buy BND", v.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-buy", Verdict(store, run, "free").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_ADoNotSellTicker_IsNotSold_AndTheReasonSaysSo()
    {
        var store = NewStore();
        Account(store, "limited", "core", null, ("VTI", 240), ("BND", 60));
        store.SetRestriction(RestrictionScope.Account, "limited", "VTI", RestrictionKind.DoNotSell);

        var run = RunWindow(store);

        // VTI may not be sold and there is no cash: nothing can be bought either.
        var v = Verdict(store, run, "limited");
        Assert.Equal(("look", "no trades"), (v.Decision, v.Outcome));
        Assert.EndsWith("; do-not-sell VTI", v.Reason, StringComparison.Ordinal);
        Assert.Empty(run.Proposals);
    }

    [Fact]
    public void Window_AMaximumWeight_CapsABuy()
    {
        var store = NewStore();
        // 9,000 + 21,000: VTI at 30 % against 60 %. Free, it buys 90 VTI; at most 50 %, VTI may reach 15,000: 60 shares
        // (its target is lowered to 50 %, BND's raised to 50 %: the band is 40-60 %, and 30 % is outside it).
        Account(store, "free", "core", null, ("VTI", 90), ("BND", 210));
        Account(store, "capped", "core", null, ("VTI", 90), ("BND", 210));
        store.SetRestriction(RestrictionScope.Account, "capped", "VTI", RestrictionKind.MaxWeight, 0.5m);

        var run = RunWindow(store);

        Assert.Equal(90m, Ordered(store, Verdict(store, run, "free"), "VTI", OrderSide.Buy));
        var v = Verdict(store, run, "capped");
        Assert.Equal("rebalanced", v.Outcome);
        Assert.Equal(60m, Ordered(store, v, "VTI", OrderSide.Buy));
        Assert.Equal(60m, Ordered(store, v, "BND", OrderSide.Sell));
        Assert.EndsWith("; max-weight VTI 50%", v.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_AnAccountAboveItsMaximumWeight_IsSoldDownToIt()
    {
        var store = NewStore();
        // 20,000 + 10,000: VTI at 66.7 %, inside its band (48-72 %): not rebalanced freely. At most 50 %: 50 VTI are sold.
        Account(store, "within", "core", null, ("VTI", 200), ("BND", 100));
        Account(store, "over", "core", null, ("VTI", 200), ("BND", 100));
        store.SetRestriction(RestrictionScope.Account, "over", "VTI", RestrictionKind.MaxWeight, 0.5m);

        var run = RunWindow(store);

        Assert.Equal("no trades", Verdict(store, run, "within").Outcome);
        var v = Verdict(store, run, "over");
        Assert.Equal(50m, Ordered(store, v, "VTI", OrderSide.Sell));
        Assert.Equal(50m, Ordered(store, v, "BND", OrderSide.Buy));
        Assert.EndsWith("; max-weight VTI 50% (above it: sold down)", v.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_AHouseholdHold_SkipsEveryAccountOfTheHousehold_WithItsReason()
    {
        var store = NewStore();
        Account(store, "smith-ira", "core", "smith", ("VTI", 240), ("BND", 60));
        Account(store, "smith-taxable", "core", "smith", ("VTI", 240), ("BND", 60));
        Account(store, "jones", "core", "jones", ("VTI", 240), ("BND", 60));
        store.SetHouseholdHold("smith", "estate being settled");

        var run = RunWindow(store);

        foreach (var name in new[] { "smith-ira", "smith-taxable" })
            Assert.Equal(("skipped", "hold: household smith: estate being settled"), (Verdict(store, run, name).Outcome, Verdict(store, run, name).Reason));
        Assert.Equal("rebalanced", Verdict(store, run, "jones").Outcome);
        Assert.Contains(run.Counts, c => c == ("skipped", "hold", 2L));
        Assert.Contains(store.Read(c => c.Query<string>("SELECT summary FROM audit").ToList()), x => x == "hold on household smith: estate being settled");

        // Lifted, the next window plans them.
        store.SetHouseholdHold("smith", null);
        Assert.Null(store.RestrictionsOfAccount("smith-ira").Hold);
    }

    [Fact]
    public void Window_AFirmUntradableTicker_SkipsEveryAccountOfTheModelsTargetingIt_WithTheStatedReason()
    {
        var store = NewStore();
        Account(store, "a", "global", null, ("VTI", 200), ("VXUS", 10), ("BND", 90));
        Account(store, "b", "global", null, ("VTI", 120), ("VXUS", 60), ("BND", 120));
        Account(store, "c", "core", null, ("VTI", 240), ("BND", 60));
        store.SetRestriction(RestrictionScope.Firm, null, "VXUS", RestrictionKind.Untradable, reason: "delisted");

        var run = RunWindow(store);

        foreach (var name in new[] { "a", "b" })
        {
            var v = Verdict(store, run, name);
            Assert.Equal(("skipped", "restricted: model global needs adjustment: VXUS is untradable"), (v.Outcome, v.Reason));
        }
        Assert.Equal("rebalanced", Verdict(store, run, "c").Outcome);
        Assert.Contains(run.Counts, c => c == ("skipped", "restricted", 2L));
    }

    [Fact]
    public void Restrictions_OfAnAccount_AreItsOwnItsHouseholdsAndTheFirms()
    {
        var store = NewStore();
        Account(store, "smith-ira", "core", "smith", ("VTI", 240), ("BND", 60));
        Account(store, "jones", "core", "jones", ("VTI", 240), ("BND", 60));
        store.SetRestriction(RestrictionScope.Account, "smith-ira", "BND", RestrictionKind.DoNotBuy);
        store.SetRestriction(RestrictionScope.Household, "smith", "VTI", RestrictionKind.MaxWeight, 0.25m, "concentration");
        store.SetRestriction(RestrictionScope.Firm, null, "VXUS", RestrictionKind.Untradable);
        // Set again: replaced, not added.
        store.SetRestriction(RestrictionScope.Household, "smith", "VTI", RestrictionKind.MaxWeight, 0.3m, "concentration");

        var smith = store.RestrictionsOfAccount("smith-ira");
        var jones = store.RestrictionsOfAccount("jones");

        Assert.Equal(["untradable VXUS", "max-weight VTI 30%", "do-not-buy BND"], smith.Restrictions.Select(r => r.Describe()));
        Assert.Equal(["untradable VXUS"], jones.Restrictions.Select(r => r.Describe()));
        Assert.Equal(3, store.Restrictions().Count);
        Assert.Equal("tester", smith.Restrictions[1].Actor);
        Assert.Equal(2, store.Read(c => c.Query<string>("SELECT action FROM audit WHERE action = 'restriction set' AND summary LIKE '%VTI%'").Count()));

        Assert.True(store.RemoveRestriction(RestrictionScope.Household, "smith", "VTI", RestrictionKind.MaxWeight));
        Assert.False(store.RemoveRestriction(RestrictionScope.Household, "smith", "VTI", RestrictionKind.MaxWeight));
        Assert.Equal(2, store.Restrictions().Count);
    }

    [Fact]
    public void Restrictions_BadInput_IsRefusedNamingTheField_AndWritesNothing()
    {
        var store = NewStore();
        Account(store, "a", "core", null, ("VTI", 240), ("BND", 60));
        var audit = store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM audit"));

        void Refused(Action act, string field, string message)
        {
            var e = Assert.Throws<InputException>(act);
            Assert.Equal(field, e.Problems[0].Field);
            Assert.Contains(message, e.Problems[0].Message, StringComparison.Ordinal);
        }
        Refused(() => store.SetRestriction(RestrictionScope.Account, "nobody", "VTI", RestrictionKind.DoNotBuy), "--account", "no account named 'nobody'");
        Refused(() => store.SetRestriction(RestrictionScope.Household, "nobody", "VTI", RestrictionKind.DoNotBuy), "--household", "no household named 'nobody'");
        Refused(() => store.SetRestriction(RestrictionScope.Account, "a", "ZZZ", RestrictionKind.DoNotBuy), "--ticker", "no security with ticker 'ZZZ'");
        Refused(() => store.SetRestriction(RestrictionScope.Account, "a", "VTI", RestrictionKind.MaxWeight, 1.5m), "--max-weight", "from 0% to 100%, not 150%");
        Refused(() => store.SetRestriction(RestrictionScope.Account, "a", "VTI", RestrictionKind.MaxWeight, -0.1m), "--max-weight", "from 0% to 100%");
        Refused(() => store.SetRestriction(RestrictionScope.Account, "a", "VTI", RestrictionKind.Untradable), "--untradable", "firm-wide");
        Refused(() => store.SetHouseholdHold("nobody", "x"), "--household", "no household named 'nobody'");

        Assert.Empty(store.Restrictions());
        Assert.Equal(audit, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM audit")));
    }
}

public sealed class SqliteRestrictionTests : RestrictionSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresRestrictionTests : RestrictionSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override void Dispose()
    {
        _database.Dispose();
        base.Dispose();
    }
}
