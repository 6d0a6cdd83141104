using Ballast.Drift;
using Ballast.Input;
using Ballast.Planning;

namespace Ballast.Store.Tests;

/// <summary>Complete proposals, their status, reconciled fills and monitoring, on both providers.</summary>
public abstract partial class StoreSuite
{
    private const string MonthlyPolicy = "{ look: monthly, trigger: threshold, absolute: 5% }";

    /// <summary>
    /// The seeded store with model <c>core</c> (VTI 50 %, BND 30 %, VXUS 20 %, looked at monthly) followed by both accounts:
    /// alice-taxable holds 20 VTI and 4,000 cash (no BND, no VXUS); alice-ira holds 40 BND, 10 VXUS and 1,000 cash.
    /// </summary>
    private BallastStore CoreModel(string actor = "tester")
    {
        var store = Seeded(actor);
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["VXUS"] = 0.2m }, MonthlyPolicy);
        store.AssignModel("alice-taxable", "core");
        store.AssignModel("alice-ira", "core");
        store.Deposit("alice-taxable", 10_205m, new DateOnly(2025, 9, 1));
        store.RecordFill(new Fill("seed-1", "alice-taxable", new DateOnly(2025, 9, 2), "VTI", OrderSide.Buy, 20, 310.25m));
        store.Deposit("alice-ira", 4561m, new DateOnly(2025, 9, 1));
        store.RecordFill(new Fill("seed-2", "alice-ira", new DateOnly(2025, 9, 2), "BND", OrderSide.Buy, 40, 72.75m));
        store.RecordFill(new Fill("seed-3", "alice-ira", new DateOnly(2025, 9, 2), "VXUS", OrderSide.Buy, 10, 66.10m));
        return store;
    }

    private static StoredPortfolio Convert(BallastStore store, string account, StoredPortfolios? converter = null) =>
        (converter ?? new StoredPortfolios(Today)).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: account)).Single());

    private static IReadOnlyList<ProposedOrder> PlanOrders(StoredPortfolio stored)
    {
        Assert.True(stored.Portfolio is not null, stored.Error);
        return BallastStore.OrdersFromPlan(stored.Account.Name, Planner.Create(stored.Portfolio!));
    }

    private static long SaveFor(BallastStore store, string account, IReadOnlyList<ProposedOrder> orders) =>
        store.SaveProposal(new NewProposal($"account {account}", "test", MonthlyPolicy, "{}", "{}", orders));

    [Fact]
    public void Proposal_BuyOfATickerTheAccountDoesNotHold_IsPricedFromTheStore_AndExportedWithItsQuantity()
    {
        var store = CoreModel();
        var stored = Convert(store, "alice-taxable");
        Assert.Null(stored.Error);
        // The targets the account does not hold are priced from the store's closes on the as-of date.
        Assert.Equal(72.75m, stored.Portfolio!.Securities["BND"].Price);
        Assert.Equal(66.10m, stored.Portfolio.Securities["VXUS"].Price);
        var plan = Planner.Create(stored.Portfolio);
        Assert.All(plan.Trades, t => Assert.NotNull(t.Quantity));
        var orders = BallastStore.OrdersFromPlan("alice-taxable", plan);
        Assert.Equal(plan.Trades.Count, orders.Count);
        Assert.Contains(orders, o => o.Ticker == "BND" && o.Side == OrderSide.Buy && o.Quantity > 0);
        Assert.Contains(orders, o => o.Ticker == "VXUS" && o.Side == OrderSide.Buy && o.Quantity > 0);

        var id = SaveFor(store, "alice-taxable", orders);
        var saved = store.GetProposal(id);
        Assert.Equal(orders, saved.Orders);
        var csv = new StringWriter();
        store.WriteOrdersCsv(id, csv);
        var lines = csv.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(plan.Trades.Count + 1, lines.Length);
        foreach (var t in plan.Trades)
            Assert.Contains(lines, l => l.Contains($",alice-taxable,{t.Ticker},{(t.Side == TradeSide.Buy ? "buy" : "sell")},{Scaled.Format(t.Quantity!.Value)},", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_SameAccountAloneAndAmongAll_GivesIdenticalOrders()
    {
        var store = CoreModel();
        // Under "all", alice-ira is converted after alice-taxable (and would once have learned prices from it only).
        var together = new StoredPortfolios(Today);
        var all = store.ReadAccounts(new SnapshotQuery(Today)).Select(together.Convert).ToDictionary(s => s.Account.Name);
        foreach (var name in new[] { "alice-taxable", "alice-ira" })
        {
            var alone = PlanOrders(Convert(store, name));
            Assert.Equal(alone, PlanOrders(all[name]));
            Assert.NotEmpty(alone);
        }
    }

    [Fact]
    public void Plan_TargetWithoutAPrice_IsAnErrorNamingTheTicker()
    {
        var store = CoreModel();
        store.SetPrice("GLD", new DateOnly(2025, 9, 30), 250m);
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["GLD"] = 0.2m }, MonthlyPolicy);
        var stored = new StoredPortfolios(new DateOnly(2025, 9, 29)).Convert(store.ReadAccounts(new SnapshotQuery(new DateOnly(2025, 9, 29), Account: "alice-taxable")).Single());
        Assert.Null(stored.Portfolio);
        Assert.Contains("GLD has no price on or before 2025-09-29", stored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void OrdersFromPlan_ATradeWithoutQuantity_IsRefusedNotDropped()
    {
        var plan = Planner.Create(Convert(CoreModel(), "alice-taxable").Portfolio!);
        var broken = plan with { Trades = [.. plan.Trades.Select((t, i) => i == 0 ? t with { Quantity = null } : t)] };
        var e = Assert.Throws<InputException>(() => BallastStore.OrdersFromPlan("alice-taxable", broken));
        Assert.Contains(plan.Trades[0].Ticker, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Proposal_Status_FollowsEventsAndFills()
    {
        var store = CoreModel();
        var first = SaveFor(store, "alice-taxable", [new ProposedOrder("alice-taxable", "BND", OrderSide.Buy, 10, 72.75m)]);
        Assert.Equal(ProposalStatus.Proposed, store.GetProposal(first).Status);
        Assert.Equal(ProposalStatus.Approved, store.SetProposalStatus(first, ProposalStatus.Approved));
        // A newer proposal for the account supersedes one that was neither sent nor filled.
        var second = SaveFor(store, "alice-taxable", [new ProposedOrder("alice-taxable", "BND", OrderSide.Buy, 10, 72.75m)]);
        Assert.Equal(ProposalStatus.Expired, store.GetProposal(first).Status);
        Assert.Equal(ProposalStatus.Sent, store.SetProposalStatus(second, ProposalStatus.Sent));
        store.RecordFill(new Fill("p-1", "alice-taxable", new DateOnly(2025, 9, 30), "BND", OrderSide.Buy, 4, 72.75m, ProposalId: second));
        var partly = store.GetProposal(second);
        Assert.Equal(ProposalStatus.PartlyFilled, partly.Status);
        Assert.Equal([4m], partly.Filled);
        store.RecordFill(new Fill("p-2", "alice-taxable", new DateOnly(2025, 9, 30), "BND", OrderSide.Buy, 6, 72.80m, ProposalId: second));
        Assert.Equal(ProposalStatus.Filled, store.GetProposal(second).Status);
        Assert.Equal([second], store.Proposals(status: ProposalStatus.Filled).Select(p => p.Id));
        Assert.Equal([first], store.Proposals("alice-taxable", ProposalStatus.Expired).Select(p => p.Id));
        // Filled and expired proposals cannot be cancelled; fills for an expired one are refused.
        Assert.Throws<InputException>(() => store.SetProposalStatus(second, ProposalStatus.Cancelled));
        Assert.Throws<InputException>(() => store.SetProposalStatus(first, ProposalStatus.Cancelled));
        var e = Assert.Throws<InputException>(() => store.RecordFill(new Fill("p-3", "alice-taxable", new DateOnly(2025, 9, 30), "BND", OrderSide.Buy, 1, 72m, ProposalId: first)));
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
        var third = SaveFor(store, "alice-taxable", [new ProposedOrder("alice-taxable", "VXUS", OrderSide.Buy, 3, 66.10m)]);
        Assert.Equal(ProposalStatus.Cancelled, store.SetProposalStatus(third, ProposalStatus.Cancelled, "client asked to wait"));
        Assert.Equal(ProposalStatus.Cancelled, store.GetProposal(third).Status);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Fills_ForAnotherAccount_BeyondTheOrder_OrIntoNegativeCash_AreRefusedWithFileAndLine()
    {
        var store = CoreModel();
        var proposal = SaveFor(store, "alice-taxable", [new ProposedOrder("alice-taxable", "BND", OrderSide.Buy, 10, 72.75m)]);

        var wrongAccount = WriteFile("wrong-account.csv", $"""
            execution_id,account,date,ticker,side,quantity,price,fee,proposal
            W-1,alice-ira,2025-09-30,BND,buy,5,72.75,0,{proposal}
            """);
        AssertRefused(store, () => store.ImportFills(wrongAccount), wrongAccount, 2, "account", "no order for account 'alice-ira'");

        var wrongTicker = WriteFile("wrong-ticker.csv", $"""
            execution_id,account,date,ticker,side,quantity,price,fee,proposal
            T-1,alice-taxable,2025-09-30,VXUS,buy,5,66,0,{proposal}
            """);
        AssertRefused(store, () => store.ImportFills(wrongTicker), wrongTicker, 2, "ticker", "no order for VXUS");

        var wrongSide = WriteFile("wrong-side.csv", $"""
            execution_id,account,date,ticker,side,quantity,price,fee,proposal
            S-1,alice-taxable,2025-09-30,BND,sell,5,72.75,0,{proposal}
            """);
        AssertRefused(store, () => store.ImportFills(wrongSide), wrongSide, 2, "side", "does not sell BND");

        // Two fills that each fit but together exceed the order: the second line is refused and nothing is written.
        var over = WriteFile("over.csv", $"""
            execution_id,account,date,ticker,side,quantity,price,fee,proposal
            O-1,alice-taxable,2025-09-30,BND,buy,6,72.75,0,{proposal}
            O-2,alice-taxable,2025-09-30,BND,buy,6,72.75,0,{proposal}
            """);
        AssertRefused(store, () => store.ImportFills(over), over, 3, "quantity", "beyond the order");
        var result = store.ImportFills(over, allowOverfill: true);
        Assert.Equal(2, result.Added);
        Assert.Equal(12m, store.Position("alice-taxable").Holdings["BND"]);
        Assert.Equal(ProposalStatus.Filled, store.GetProposal(proposal).Status);

        // alice-taxable has 4,000 - 12 * 72.75 = 3,127 left: a buy of 11 VTI at 310.25 (3,412.75) would take it to -285.75.
        var negative = WriteFile("negative.csv", """
            execution_id,account,date,ticker,side,quantity,price
            N-1,alice-taxable,2025-09-30,VTI,buy,1,310.25
            N-2,alice-taxable,2025-09-30,VTI,buy,10,310.25
            """);
        AssertRefused(store, () => store.ImportFills(negative), negative, 3, "quantity", "cash to -285.75");
        store.SetMargin("alice-taxable", true);
        store.ImportFills(negative);
        Assert.Equal(-285.75m, store.Position("alice-taxable").Cash);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Fills_TooLargeForTheStore_OrWithAPriceOrFeeItCannotKeep_AreRefusedNotWrapped()
    {
        var store = CoreModel();
        store.SetMargin("alice-taxable", true);
        // 1,000,000,000 shares at 1,000,000 is 10^15 of cash: within decimal, far past the store's 64-bit scaled money.
        var huge = WriteFile("huge.csv", "execution_id,account,date,ticker,side,quantity,price\nH-1,alice-taxable,2025-09-30,VTI,buy,1000000000,1000000\n");
        AssertRefused(store, () => store.ImportFills(huge), huge, 2, "quantity", "too large an amount for the store");
        var tiny = WriteFile("tiny.csv", "execution_id,account,date,ticker,side,quantity,price\nP-1,alice-taxable,2025-09-30,VTI,buy,1,0.0000001\n");
        AssertRefused(store, () => store.ImportFills(tiny), tiny, 2, "price", "rounds to 0");
        var fee = WriteFile("fee.csv", "execution_id,account,date,ticker,side,quantity,price,fee\nF-1,alice-taxable,2025-09-30,VTI,buy,1,310,99999999999999999\n");
        AssertRefused(store, () => store.ImportFills(fee), fee, 2, "fee", "");
    }

    [Fact]
    public void SaveProposals_IsOneWrite_AllOrNone()
    {
        var store = CoreModel();
        var good = new NewProposal("account alice-taxable", "0.1.0", null, "{}", "{}", [new ProposedOrder("alice-taxable", "BND", OrderSide.Buy, 1, 72.75m)]);
        var bad = new NewProposal("account alice-ira", "0.1.0", null, "{}", "{}", [new ProposedOrder("alice-ira", "NOPE", OrderSide.Buy, 1, 1m)]);
        var before = Fingerprint(store);
        Assert.Throws<InputException>(() => store.SaveProposals([good, bad]));
        Assert.Equal(before, Fingerprint(store));
        var ids = store.SaveProposals([good, good with { Scope = "account alice-taxable again" }]);
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0] + 1, ids[1]);
    }

    [Fact]
    public void Monitoring_APartlyFilledProposalLeavesTheAccountDue_AFilledOneDoesNot()
    {
        var store = CoreModel();
        // The plan invests all the cash; quantities rounded to 6 decimals can overshoot it by a few ten-thousandths.
        store.SetMargin("alice-taxable", true);
        var orders = PlanOrders(Convert(store, "alice-taxable"));
        var id = SaveFor(store, "alice-taxable", orders);
        var first = orders[0];
        store.RecordFill(new Fill("part-1", "alice-taxable", new DateOnly(2025, 9, 30), first.Ticker, first.Side, first.Quantity, first.Price!.Value, ProposalId: id));
        var partly = Convert(store, "alice-taxable");
        Assert.Null(partly.Account.LastRebalance);
        Assert.True(DriftEvaluator.Evaluate(partly.Portfolio!).LookDue);

        var line = 0;
        foreach (var o in orders.Skip(1))
            store.RecordFill(new Fill($"rest-{++line}", "alice-taxable", new DateOnly(2025, 9, 30), o.Ticker, o.Side, o.Quantity, o.Price!.Value, ProposalId: id));
        Assert.Equal(ProposalStatus.Filled, store.GetProposal(id).Status);
        var filled = Convert(store, "alice-taxable");
        Assert.Equal(new DateOnly(2025, 9, 30), filled.Account.LastRebalance);
        // Looked at monthly: on the day of the rebalance no further look is due.
        var september = new StoredPortfolios(new DateOnly(2025, 9, 30)).Convert(store.ReadAccounts(new SnapshotQuery(new DateOnly(2025, 9, 30), Account: "alice-taxable")).Single());
        Assert.False(DriftEvaluator.Evaluate(september.Portfolio!).LookDue);
        // The other account is untouched by these fills.
        Assert.Null(Convert(store, "alice-ira").Account.LastRebalance);
    }

    [Fact]
    public void Monitoring_ACancelledProposalCountsAsTheLookDone()
    {
        var store = CoreModel();
        var id = SaveFor(store, "alice-ira", PlanOrders(Convert(store, "alice-ira")));
        store.SetProposalStatus(id, ProposalStatus.Cancelled);
        Assert.Equal(Today, Convert(store, "alice-ira").Account.LastRebalance);
    }

    [Fact]
    public void Monitoring_AModelChangeMakesEveryAccountOnItDue_WhateverItsLookSchedule()
    {
        var store = CoreModel();
        foreach (var name in new[] { "alice-taxable", "alice-ira" })
        {
            var id = SaveFor(store, name, PlanOrders(Convert(store, name)));
            store.SetProposalStatus(id, ProposalStatus.Cancelled, "looked, no trade");
        }
        var look = new DateOnly(2025, 10, 1);
        Assert.All(store.ReadAccounts(new SnapshotQuery(look, Model: "core")), a =>
        {
            Assert.Null(a.ModelChangedOn);
            Assert.False(DriftEvaluator.Evaluate(new StoredPortfolios(look).Convert(a).Portfolio!).LookDue);
        });

        var later = BallastStore.Open(Location, Options() with { Time = new FixedClock(FixedClock.Default.AddHours(1)) });
        later.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.4m, ["BND"] = 0.4m, ["VXUS"] = 0.2m }, MonthlyPolicy);
        var accounts = later.ReadAccounts(new SnapshotQuery(look, Model: "core")).ToList();
        Assert.Equal(["alice-taxable", "alice-ira"], accounts.Select(a => a.Name));
        Assert.All(accounts, a =>
        {
            Assert.Equal(2, a.ModelVersion);
            Assert.Equal(look, a.ModelChangedOn);
            var stored = new StoredPortfolios(look).Convert(a);
            Assert.True(DriftEvaluator.Evaluate(stored.Portfolio!).LookDue);
            Assert.Contains(stored.Warnings, w => w.Contains("model core changed", StringComparison.Ordinal));
        });
    }
}
