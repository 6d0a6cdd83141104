using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Tests.Planning;

/// <summary><see cref="PlanRequest.BuyLimits"/>: the most each ticker may buy, in every rebalance-to rule and cash-flow plan.</summary>
public sealed class BuyLimitTests
{
    private static Dictionary<string, decimal> Limits(params (string Ticker, decimal Limit)[] limits) =>
        limits.ToDictionary(l => l.Ticker, l => l.Limit, StringComparer.Ordinal);

    private static decimal Bought(Plan plan, string ticker) =>
        plan.Trades.Where(t => t.Ticker == ticker && t.Side == TradeSide.Buy).Sum(t => t.Value);

    [Fact]
    public void ADeposit_NeverBuysADoNotBuyTicker_AndTheOthersTakeItsShare()
    {
        // 2,000 / 1,000 / 1,000 / 2,000 at 40/20/20/20 with a deposit of 600 (base 6,600): buying only, proportionally to
        // the shortfalls 640 / 320 / 320 / 0, A would get 300. A may not be bought: B and C take 300 each (room 320).
        var p = new PortfolioBuilder().Value("A", 2_000m).Value("B", 1_000m).Value("C", 1_000m).Value("D", 2_000m)
            .Target("A", 40).Target("B", 20).Target("C", 20).Target("D", 20)
            .Policy(new Policy(LookSchedule.Daily, Trigger.Never))
            .Execution(ExecutionOptions.Default with { CashFlowMethod = CashFlowMethod.Proportional }).Build();

        var free = Planner.Create(p, new PlanRequest { Deposit = 600m });
        var plan = Planner.Create(p, new PlanRequest { Deposit = 600m, BuyLimits = Limits(("A", 0m)) });

        Assert.Equal(300m, Bought(free, "A"));
        Assert.Equal(0m, Bought(plan, "A"));
        Assert.Equal(300m, Bought(plan, "B"));
        Assert.Equal(300m, Bought(plan, "C"));
        Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Sell);
    }

    [Fact]
    public void ADeposit_StaysCash_WhenOnlyTheDoNotBuyTickerIsBelowTarget()
    {
        // With the deposit (base 11,000) A is 400 short, B and C 300 each. A may not be bought and buying only never
        // passes a target: 400 stays cash.
        var p = new PortfolioBuilder().Value("A", 4_000m).Value("B", 3_000m).Value("C", 3_000m)
            .Target("A", 40).Target("B", 30).Target("C", 30).Build();

        var plan = Planner.Create(p, new PlanRequest { Deposit = 1_000m, BuyLimits = Limits(("A", 0m)) });

        Assert.Equal(0m, Bought(plan, "A"));
        Assert.True(Bought(plan, "B") + Bought(plan, "C") <= 600m, "B and C are bought no further than their share of the larger base");
        Assert.True(plan.CashAfter >= 400m);
    }

    [Fact]
    public void AFullRebalance_LeavesTheLimitedBuysCash_AndCapsAPartialLimit()
    {
        // 7,000 / 3,000 at 40/60 to target: sell 3,000 of A, buy 3,000 of B. A limit of 1,200 on B buys 1,200
        // and the rest of the sale stays cash (the others are at target: to-target never buys past it).
        var p = new PortfolioBuilder().Value("A", 7_000m).Value("B", 3_000m).Target("A", 40).Target("B", 60).Build();

        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true, BuyLimits = Limits(("B", 1_200m)) });

        Assert.Equal(3_000m, plan.Trades.Single(t => t.Side == TradeSide.Sell).Value);
        Assert.Equal(1_200m, Bought(plan, "B"));
        Assert.Equal(1_800m, plan.CashAfter);
        Assert.Contains(plan.Warnings, w => w.Contains("buy of B limited to 1200 (1800 left undone)", StringComparison.Ordinal));
    }

    [Fact]
    public void AnInnerRailRebalance_GivesTheLimitedBuysMoneyToTheOthersBelowTarget()
    {
        // 5,000 / 1,500 / 1,500 / 2,000 (targets 40/20/20/20), rails 10%: A sells down to 4,400; the 600 go to B and C
        // (500 short each), 300 each. B may buy at most 100: C takes the other 500, up to its target.
        var policy = new Policy(LookSchedule.Daily, Trigger.Threshold(null, 0.20m), RebalanceTarget.InnerRail, 0.10m);
        var p = new PortfolioBuilder().Value("A", 5_000m).Value("B", 1_500m).Value("C", 1_500m).Value("D", 2_000m)
            .Target("A", 40).Target("B", 20).Target("C", 20).Target("D", 20).Policy(policy).Build();

        var free = Planner.Create(p, new PlanRequest { ForceRebalance = true });
        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true, BuyLimits = Limits(("B", 100m)) });

        Assert.Equal(300m, Bought(free, "B"));
        Assert.Equal(300m, Bought(free, "C"));
        Assert.Equal(600m, plan.Trades.Single(t => t.Side == TradeSide.Sell).Value);
        Assert.Equal(100m, Bought(plan, "B"));
        Assert.Equal(500m, Bought(plan, "C"));
        Assert.Equal(0m, Bought(plan, "D"));
    }

    [Fact]
    public void WholeShares_RoundDownToTheLimit_NotToTheNearestShare()
    {
        // A deposit of 1,000 into B at 100 a share would buy 10 shares; a limit of 250 allows 2 (250 is 2.5 shares).
        var p = new PortfolioBuilder().Shares("A", 60m, 100m, fractional: false).Shares("B", 20m, 100m, fractional: false)
            .Target("A", 50).Target("B", 50).Execution(ExecutionOptions.Default with { WholeShares = true }).Build();

        var plan = Planner.Create(p, new PlanRequest { Deposit = 1_000m, BuyLimits = Limits(("B", 250m)) });

        Assert.Equal(2m, plan.Trades.Single(t => t.Ticker == "B").Quantity);
        Assert.Equal(0m, Bought(plan, "A"));
    }

    private static readonly Gen<(PlanPropertyTests.Spec Spec, bool Whole, CashFlowMethod Method, int[] Limits, int Deposit, bool Force, decimal MinTrade)> Cases =
        from n in Gen.Choose(2, 6)
        from targets in Gen.ArrayOf(Gen.Choose(1, 100), n)
        from prices in Gen.ArrayOf(Gen.Choose(100, 50_000), n)
        from quantities in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 2_000_000))), n)
        from byValue in Gen.ArrayOf(Gen.Elements(true, false), n)
        from cash in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(0, 50_000_000)))
        from policy in Gen.Choose(0, 2)
        from limits in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Constant(0)), (2, Gen.Choose(1, 2_000_000))), n)
        from whole in Gen.Elements(true, false)
        from method in Gen.Elements(CashFlowMethod.Proportional, CashFlowMethod.Relative, CashFlowMethod.Equalize)
        from deposit in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 10_000_000)))
        from force in Gen.Elements(true, false)
        from minTrade in Gen.Elements(0m, 0m, 10m)
        where quantities.Any(q => q > 0) || cash > 0
        select (new PlanPropertyTests.Spec(targets, prices, quantities, byValue, cash, 0, policy, 1), whole, method, limits, deposit, force, minTrade);

    [Fact]
    public void NoBuy_PassesItsLimit()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var p = c.Spec.Build(new ExecutionOptions { WholeShares = c.Whole, CashFlowMethod = c.Method, MinTrade = c.MinTrade });
            var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
            for (var i = 0; i < c.Limits.Length; i++)
                if (c.Limits[i] >= 0) limits[$"T{i}"] = c.Limits[i] / 100m;
            var plan = Planner.Create(p, new PlanRequest { Deposit = c.Deposit / 100m, ForceRebalance = c.Force, BuyLimits = limits });
            return plan.Trades.Where(t => t.Side == TradeSide.Buy).All(t => !limits.TryGetValue(t.Ticker, out var limit) || t.Value <= limit)
                && plan.CashAfter >= p.Execution.CashReserve;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
