using Ballast.Drift;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Policies.Triggers;
using Ballast.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Tests.Policies;

public sealed class LookScheduleTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(LookFrequency.Monthly, "2025-01-31", "2025-02-03", true)]
    [InlineData(LookFrequency.Monthly, "2025-02-03", "2025-02-28", false)]
    [InlineData(LookFrequency.Quarterly, "2025-03-31", "2025-04-01", true)]
    [InlineData(LookFrequency.Quarterly, "2025-04-01", "2025-06-30", false)]
    [InlineData(LookFrequency.Semiannual, "2025-06-30", "2025-07-01", true)]
    [InlineData(LookFrequency.Semiannual, "2025-01-02", "2025-06-30", false)]
    [InlineData(LookFrequency.Annual, "2024-12-31", "2025-01-02", true)]
    [InlineData(LookFrequency.Annual, "2025-01-02", "2025-12-31", false)]
    [InlineData(LookFrequency.Weekly, "2025-06-27", "2025-06-30", true)]  // Friday, then Monday
    [InlineData(LookFrequency.Weekly, "2025-06-30", "2025-07-04", false)] // Monday, then Friday of the same week
    [InlineData(LookFrequency.Biweekly, "2025-06-30", "2025-07-07", false)]
    [InlineData(LookFrequency.Biweekly, "2025-06-30", "2025-07-14", true)]
    [InlineData(LookFrequency.Daily, "2025-06-30", "2025-06-30", false)]
    [InlineData(LookFrequency.Daily, "2025-06-30", "2025-07-01", true)]
    public void IsDue_FollowsTheCalendar(LookFrequency frequency, string last, string date, bool due) =>
        Assert.Equal(due, new LookSchedule(frequency).IsDue(D(last), D(date)));

    [Fact]
    public void EveryNDays_IsDueAfterNDays()
    {
        var look = new LookSchedule(LookFrequency.EveryNDays, 14);
        Assert.False(look.IsDue(D("2025-06-01"), D("2025-06-14")));
        Assert.True(look.IsDue(D("2025-06-01"), D("2025-06-15")));
        Assert.Equal(D("2025-06-15"), look.NextLook(D("2025-06-01")));
    }

    [Theory]
    [InlineData(LookFrequency.Quarterly, "2025-05-20", "2025-07-01")]
    [InlineData(LookFrequency.Monthly, "2025-12-15", "2026-01-01")]
    [InlineData(LookFrequency.Weekly, "2025-07-02", "2025-07-07")]
    [InlineData(LookFrequency.Semiannual, "2025-08-01", "2026-01-01")]
    public void NextLook_IsTheStartOfTheNextPeriod(LookFrequency frequency, string last, string next) =>
        Assert.Equal(D(next), new LookSchedule(frequency).NextLook(D(last)));

    [Fact]
    public void NeverLooked_IsDue() => Assert.True(new LookSchedule(LookFrequency.Annual).IsDue(null, D("2025-06-30")));
}

public sealed class BandTests
{
    [Theory]
    // The 5/25 rule: half-width min(5pp, 25% of target). A 10% target trades outside 7.5..12.5, a 60% target outside 55..65.
    [InlineData(0.10, 0.025)]
    [InlineData(0.60, 0.05)]
    [InlineData(0.20, 0.05)]
    public void FiveTwentyFive_HalfWidthIsTheSmallerOfTheTwo(double target, double half) =>
        Assert.Equal((decimal)half, new BandSpec(0.05m, 0.25m).HalfWidth((decimal)target));

    [Fact]
    public void BreachIsStrictlyOutside()
    {
        // 60/40 with a 5pp band: 65% exactly is inside, 65.01% is outside.
        var atEdge = new PortfolioBuilder().Value("A", 6_500m).Value("B", 3_500m).Target("A", 60).Target("B", 40)
            .Policy(new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, null))).Build();
        var over = atEdge with { Positions = [new("A", 6_501m), new("B", 3_499m)] };

        Assert.False(DriftEvaluator.Evaluate(atEdge).NeedsRebalancing);
        Assert.True(DriftEvaluator.Evaluate(over).NeedsRebalancing);
    }

    [Fact]
    public void PerAssetOverride_ReplacesTheDefaultBand()
    {
        // SHY at 12% against 10% breaches a 2pp override though the default 5pp band would hold it.
        var p = new PortfolioBuilder().Value("VTI", 8_800m).Value("SHY", 1_200m).Target("VTI", 90).Target("SHY", 10)
            .Policy(new Policy(LookSchedule.Daily, new Trigger(TriggerKind.Threshold, new BandSpec(0.05m, null),
                new Dictionary<string, BandSpec> { ["SHY"] = new(0.01m, null) }))).Build();

        var report = DriftEvaluator.Evaluate(p);

        Assert.True(report.NeedsRebalancing);
        Assert.Equal(BandStatus.Above, report.Positions.Single(x => x.Ticker == "SHY").Status);
        Assert.Equal(BandStatus.Within, report.Positions.Single(x => x.Ticker == "VTI").Status);
    }

    [Fact]
    public void MaxInterval_RebalancesAtALookEvenWithinBands()
    {
        var p = new PortfolioBuilder().Value("A", 600m).Value("B", 400m).Target("A", 60).Target("B", 40)
            .LastRebalanced(new DateOnly(2025, 1, 1)).AsOf(new DateOnly(2025, 6, 30))
            .Policy(new Policy(new LookSchedule(LookFrequency.Daily, maxIntervalDays: 180), Trigger.Threshold(0.05m, 0.25m))).Build();

        var report = DriftEvaluator.Evaluate(p);

        Assert.True(report.NeedsRebalancing);
        Assert.Contains("180 days since the last rebalance", report.Reasons[0]);
    }

    [Fact]
    public void VolatilityTrigger_FiresAboveItsLevel()
    {
        var policy = new Policy(LookSchedule.Daily, new Trigger(TriggerKind.Volatility, volatility: new VolatilityRule(21, 0.20m)));
        var p = new PortfolioBuilder().Value("A", 600m).Value("B", 400m).Target("A", 60).Target("B", 40).Policy(policy).Build();

        Assert.False(DriftEvaluator.Evaluate(p with { Market = new MarketInputs { RealizedVolatility = 0.15m } }).NeedsRebalancing);
        Assert.True(DriftEvaluator.Evaluate(p with { Market = new MarketInputs { RealizedVolatility = 0.25m } }).NeedsRebalancing);
        Assert.Contains(DriftEvaluator.Evaluate(p).Warnings, w => w.Contains("needs the portfolio's realized volatility", StringComparison.Ordinal));
    }

    [Fact]
    public void WideningBands_HoldADriftThatPlainBandsTrade()
    {
        // 67/33 against 60/40 with a 5pp band breaches; at volatility 30% over a 15% reference the band doubles to 10pp.
        var rule = new VolatilityRule(21, null, BandScaling.Widen, 0.15m);
        var p = new PortfolioBuilder().Value("A", 670m).Value("B", 330m).Target("A", 60).Target("B", 40)
            .Policy(new Policy(LookSchedule.Daily, new Trigger(TriggerKind.Threshold, new BandSpec(0.05m, null), volatility: rule))).Build();

        Assert.True(DriftEvaluator.Evaluate(p with { Market = new MarketInputs { RealizedVolatility = 0.15m } }).NeedsRebalancing);
        var calm = DriftEvaluator.Evaluate(p with { Market = new MarketInputs { RealizedVolatility = 0.30m } });
        Assert.False(calm.NeedsRebalancing);
        Assert.Equal(0.70m, calm.Positions[0].Upper);
    }

    [Fact]
    public void RealizedVolatility_OfAlternatingReturns()
    {
        // Returns +1%, −1%, +1%, …: sample stdev of 20 such returns is 0.01 × √(20/19); annualized × √252.
        var values = new double[21];
        values[0] = 100;
        for (var i = 1; i < values.Length; i++) values[i] = values[i - 1] * (i % 2 == 1 ? 1.01 : 0.99);

        var vol = RealizedVolatility.Annualized(values, 20, 252)!.Value;

        Assert.Equal(0.01 * Math.Sqrt(20.0 / 19.0) * Math.Sqrt(252), vol, 10);
        Assert.Null(RealizedVolatility.Annualized(values.AsSpan(0, 10), 20, 252));
    }
}

public sealed class CashFlowTests
{
    private static Dictionary<string, decimal> Buys(Plan plan) => plan.Trades.ToDictionary(t => t.Ticker, t => t.Value);

    private static PortfolioBuilder ThreeAssets() => new PortfolioBuilder()
        .Value("A", 5_000m).Value("B", 3_000m).Value("C", 2_000m)
        .Target("A", 40).Target("B", 30).Target("C", 30)
        .Policy(new Policy(LookSchedule.Daily, Trigger.Never));

    [Fact]
    public void Relative_SplitsByRelativeDistance_CappedAtShortfall()
    {
        // T' = 11,000. Shortfalls: B 3,300 − 3,000 = 300 (relative 300/3,300), C 3,300 − 2,000 = 1,300 (relative 1,300/3,300).
        // 1,000 split 300:1,300 gives B 187.5, C 812.5, both under their shortfalls.
        var plan = Planner.Create(ThreeAssets().Build(), new PlanRequest { Deposit = 1_000m, Method = CashFlowMethod.Relative });

        var buys = Buys(plan);
        Assert.Equal(187.50m, buys["B"]);
        Assert.Equal(812.50m, buys["C"]);
        Assert.False(buys.ContainsKey("A"));
    }

    [Fact]
    public void Relative_RedistributesWhatACappedAssetCannotTake()
    {
        // Targets 60/10/30, A 7,000, B 0, C 2,000; deposit 2,000: T' = 11,000, goals A 6,600 (over), B 1,100, C 3,300.
        // Relative gaps: B 1,100/1,100 = 1, C 1,300/3,300 = 0.3939. B's share 2,000 / 1.3939 = 1,434.8 exceeds its
        // 1,100 gap, so B is capped at 1,100 and the other 900 goes to C (under its 1,300 gap).
        var p = new PortfolioBuilder().Value("A", 7_000m).Value("C", 2_000m).Target("A", 60).Target("B", 10).Target("C", 30)
            .Policy(new Policy(LookSchedule.Daily, Trigger.Never)).Build();

        var plan = Planner.Create(p, new PlanRequest { Deposit = 2_000m, Method = CashFlowMethod.Relative });

        var buys = Buys(plan);
        Assert.Equal(1_100m, buys["B"]);
        Assert.Equal(900m, buys["C"]);
        Assert.False(buys.ContainsKey("A"));
    }

    [Fact]
    public void Equalize_FillsTheMostUnderweightFirst()
    {
        // T' = 10,600. Goals: A 4,240, B 3,180, C 3,180. Relative gaps: B 180/3,180 = 5.7%, C 1,180/3,180 = 37.1%.
        // 600 goes to C alone (it ends at 2,600, a gap of 18.2%, still above B's), so B gets nothing.
        var plan = Planner.Create(ThreeAssets().Build(), new PlanRequest { Deposit = 600m, Method = CashFlowMethod.Equalize });

        var buys = Buys(plan);
        Assert.Equal(600m, buys["C"]);
        Assert.Single(buys);
    }

    [Fact]
    public void Equalize_LeavesTheBoughtAssetsEquallyFarBelowTarget()
    {
        // T' = 11,500: goals B 3,450, C 3,450. With 1,500: level L solves (3,450(1−L) − 3,000) + (3,450(1−L) − 2,000) = 1,500,
        // so 3,450(1−L) = 3,250: B buys 250 and C buys 1,250; both end at 3,250, the same relative gap.
        var plan = Planner.Create(ThreeAssets().Build(), new PlanRequest { Deposit = 1_500m, Method = CashFlowMethod.Equalize });

        var buys = Buys(plan);
        Assert.Equal(250m, buys["B"]);
        Assert.Equal(1_250m, buys["C"]);
    }

    [Fact]
    public void Withdrawal_SellsTheOverweightsInProportion()
    {
        // Withdraw 1,000 from 10,000: T' = 9,000, goals A 3,600, B 2,700, C 2,700. Excess: A 1,400, B 300. 1,000 × 14/17 and × 3/17.
        var plan = Planner.Create(ThreeAssets().Build(), new PlanRequest { Withdraw = 1_000m });

        Assert.All(plan.Trades, t => Assert.Equal(TradeSide.Sell, t.Side));
        var sells = Buys(plan);
        Assert.Equal(823.53m, sells["A"]);
        Assert.Equal(176.48m, sells["B"]);
        Assert.True(plan.CashAfter >= 0);
    }

    [Fact]
    public void KeepCash_LeavesCashAlone()
    {
        var plan = Planner.Create(ThreeAssets().Cash(5_000m).Build(), new PlanRequest { KeepCash = true });

        Assert.Empty(plan.Trades);
        Assert.Equal(5_000m, plan.CashAfter);
    }

    [Fact]
    public void CashTarget_WeighsCashAsAnAsset()
    {
        // Targets 50/45 and CASH 5%: 10,000 invested + 1,000 cash = 11,000. A at 6,000 is 54.5%; the rebalance keeps 550 cash.
        var p = new PortfolioBuilder().Value("A", 6_000m).Value("B", 4_000m).Cash(1_000m)
            .Target("A", 50).Target("B", 45).Target("CASH", 5).Build();

        var report = DriftEvaluator.Evaluate(p);
        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true });

        Assert.Equal(1_000m / 11_000m, report.Positions.Single(x => x.Ticker == "CASH").Weight);
        Assert.Equal(550m, plan.CashAfter);
        Assert.Equal(5_500m, plan.After.Single(h => h.Ticker == "A").Value);
        Assert.Equal(4_950m, plan.After.Single(h => h.Ticker == "B").Value);
    }
}

public sealed class ExecutionTests
{
    [Fact]
    public void Costs_AreEstimated_AndCashNeverGoesNegative()
    {
        // Sell 720,000 of A: commission 1 + 10bps + 5bps half-spread = 1 + 1,080 = 1,081.
        var p = new PortfolioBuilder().Value("A", 7_500_000m).Value("B", 3_800_000m).Target("A", 60).Target("B", 40)
            .Execution(new ExecutionOptions { Costs = new CostModel(1m, 10m, 5m) }).Build();

        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true });

        var sell = plan.Trades.Single(t => t.Side == TradeSide.Sell);
        Assert.Equal(720_000m, sell.Value);
        Assert.Equal(1_081m, sell.Cost);
        var buy = plan.Trades.Single(t => t.Side == TradeSide.Buy);
        Assert.True(buy.Value < 720_000m);
        Assert.True(plan.CashAfter >= 0);
        Assert.Equal(plan.Trades.Sum(t => t.Cost), plan.EstimatedCosts);
        Assert.Equal(0m, 720_000m - sell.Cost - buy.Value - buy.Cost - plan.CashAfter);
    }

    [Fact]
    public void MinimumTrade_DropsSmallTrades()
    {
        // 60.3/39.7: the trades are 30 each, under a minimum of 50.
        var p = new PortfolioBuilder().Value("A", 6_030m).Value("B", 3_970m).Target("A", 60).Target("B", 40)
            .Execution(new ExecutionOptions { MinTrade = 50m }).Build();

        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true });

        Assert.Empty(plan.Trades);
        Assert.Contains(plan.Warnings, w => w.Contains("below the minimum trade", StringComparison.Ordinal));
    }

    [Fact]
    public void Reserve_IsKeptOutOfTheRebalance()
    {
        var p = new PortfolioBuilder().Value("A", 5_000m).Value("B", 5_000m).Cash(1_000m).Target("A", 50).Target("B", 50)
            .Execution(new ExecutionOptions { CashReserve = 400m }).Build();

        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true });

        Assert.Equal(400m, plan.CashAfter);
        Assert.Equal(300m, plan.Trades.Single(t => t.Ticker == "A").Value);
    }

    [Fact]
    public void WholeShares_LeftoverCashBuysTheFurthestBelowTarget()
    {
        // 1,000 cash into A (price 300) and B (price 90), 50/50: ideal 500 each. Nearest shares: A 2 (600), B 6 (540) = 1,140 > 1,000.
        // A share of A is taken back (A is most over its ideal): A 1 (300), B 6 (540), 160 left; one more B fits (B ends 630, 70 left).
        // B stays within one share of its ideal (5.56 shares), A within one (1.67 shares).
        var p = new PortfolioBuilder().Price("A", 300m).Price("B", 90m).Cash(1_000m).Target("A", 50).Target("B", 50)
            .Execution(new ExecutionOptions { WholeShares = true }).Build();

        var plan = Planner.Create(p);

        var trades = plan.Trades.ToDictionary(t => t.Ticker);
        Assert.Equal(1m, trades["A"].Quantity);
        Assert.Equal(6m, trades["B"].Quantity);
        Assert.Equal(160m, plan.CashAfter);
    }

    [Fact]
    public void WholeShares_NeverSpendMoreThanThereIs()
    {
        var p = new PortfolioBuilder().Price("A", 333.33m).Price("B", 77.77m).Cash(999.99m).Target("A", 50).Target("B", 50)
            .Execution(new ExecutionOptions { WholeShares = true, Costs = new CostModel(1m, 0, 0) }).Build();

        var plan = Planner.Create(p);

        Assert.True(plan.CashAfter >= 0);
        Assert.All(plan.Trades, t => Assert.Equal(decimal.Truncate(t.Quantity!.Value), t.Quantity));
    }

    [Fact]
    public void FractionalFalse_OnOneSecurity_TradesItInWholeShares()
    {
        var p = new PortfolioBuilder().Price("A", 300m, fractional: false).Price("B", 90m).Cash(1_000m).Target("A", 50).Target("B", 50).Build();

        var plan = Planner.Create(p);

        var trades = plan.Trades.ToDictionary(t => t.Ticker);
        Assert.Equal(decimal.Truncate(trades["A"].Quantity!.Value), trades["A"].Quantity);
        Assert.NotEqual(decimal.Truncate(trades["B"].Quantity!.Value), trades["B"].Quantity);
    }
}

public sealed class ReaderTests
{
    [Fact]
    public void YamlAndJson_ReadToTheSamePortfolio()
    {
        const string yaml = "asOf: 2025-06-30\ncash: 10\nholdings:\n  - { ticker: vti, quantity: 2, price: 300 }\ntargets: { VTI: 100% }\npolicy: { look: monthly, absolute: 500bp }\n";
        const string json = """{ "asOf": "2025-06-30", "cash": 10, "holdings": [ { "ticker": "VTI", "quantity": 2, "price": 300 } ], "targets": { "VTI": 1.0 }, "policy": { "look": "monthly", "absolute": "5%" } }""";

        var a = PortfolioReader.Read("p.yaml", yaml).GetOrThrow();
        var b = PortfolioReader.Read("p.json", json).GetOrThrow();

        Assert.Equal(600m, a.Positions[0].Value);
        Assert.Equal(a.Positions, b.Positions);
        Assert.Equal(a.Targets, b.Targets);
        Assert.Equal(a.Policy.Look, b.Policy.Look);
        Assert.Equal(0.05m, a.Policy.Trigger.Band.Absolute);
        Assert.Equal(a.Policy.Trigger.Band, b.Policy.Trigger.Band);
    }

    [Theory]
    [InlineData("5%", 0.05)]
    [InlineData("500bp", 0.05)]
    [InlineData("5pp", 0.05)]
    [InlineData("0.05", 0.05)]
    [InlineData("7.5%", 0.075)]
    public void Fractions_AcceptPercentPointsAndBasisPoints(string text, double expected)
    {
        Assert.True(Values.TryParseFraction(text, out var v, out _));
        Assert.Equal((decimal)expected, v);
    }

    [Fact]
    public void ATargetWrittenAsAWholeNumber_IsRejectedWithAHint()
    {
        var result = PortfolioReader.Read("p.yaml", "asOf: 2025-06-30\nholdings: []\ntargets: { A: 60, B: 40 }\n");

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Message == "60 is not a fraction; write 60% or 0.6" && p.Line == 3);
    }

    [Fact]
    public void HybridPolicy_ReadsAllThreeParts()
    {
        var p = PortfolioReader.Read("p.yaml", "asOf: 2025-06-30\nholdings: []\ncash: 100\ntargets: { A: 50%, B: 50% }\npolicy: { look: quarterly, maxIntervalDays: 180, trigger: threshold, absolute: 5%, relative: 25%, bands: { B: { absolute: 3% } }, rebalanceTo: inner-rail, rail: 5% }\n").GetOrThrow();

        Assert.Equal(LookFrequency.Quarterly, p.Policy.Look.Frequency);
        Assert.Equal(180, p.Policy.Look.MaxIntervalDays);
        Assert.Equal(new BandSpec(0.03m, null), p.Policy.Trigger.BandFor("B"));
        Assert.Equal(RebalanceTarget.InnerRail, p.Policy.RebalanceTo);
        Assert.Equal(0.05m, p.Policy.Rail);
    }
}

public sealed class SellLimitTests
{
    [Fact]
    public void SellLimit_CapsTheSell_AndBuysShrinkToWhatItFunds()
    {
        // 7,500,000 / 3,800,000 at 60/40 wants to sell 720,000 of A; a 300,000 limit leaves 420,000 undone.
        var p = new PortfolioBuilder().Value("A", 7_500_000m).Value("B", 3_800_000m).Target("A", 60).Target("B", 40).Build();

        var plan = Planner.Create(p, new PlanRequest { ForceRebalance = true, SellLimits = new Dictionary<string, decimal> { ["A"] = 300_000m } });

        Assert.Equal(300_000m, plan.Trades.Single(t => t.Side == TradeSide.Sell).Value);
        Assert.Equal(300_000m, plan.Trades.Single(t => t.Side == TradeSide.Buy).Value);
        Assert.Contains(plan.Warnings, w => w.Contains("sell of A limited to 300000 (420000 left undone)", StringComparison.Ordinal));
    }
}


public sealed class WarningTests
{
    [Fact]
    public void ARaiseBelowTheMinimumTrade_SellsTheSharesThatReachIt()
    {
        // Raising 30 in whole shares of 40 under a 100 minimum trade: the 30 splits over A's and B's excess (18 and 12),
        // and each sell is raised to the 3 shares (120) that reach the minimum, rather than dropped. That raises 240 for
        // 30; on the 1,970 left, B at 680 is 108 below its 788 target, more than half of its 120 sell (one share less
        // would be 80, below the minimum), so B's sell is given back: the next plan would buy it back. A at 1,080 is
        // 102 below its 1,182, but giving back its sell too would leave cash at 90 − 120 < 0.
        var p = new PortfolioBuilder().Shares("A", 30m, 40m).Shares("B", 20m, 40m).Target("A", 60).Target("B", 40)
            .Policy(new Policy(LookSchedule.Daily, Trigger.Never))
            .Execution(new ExecutionOptions { WholeShares = true, MinTrade = 100m }).Build();

        var plan = Planner.Create(p, new PlanRequest { Withdraw = 30m });

        var sell = Assert.Single(plan.Trades);
        Assert.Equal(("A", TradeSide.Sell, 3m), (sell.Ticker, sell.Side, sell.Quantity!.Value));
        Assert.Equal(90m, plan.CashAfter);
    }

    [Fact]
    public void ARaisePlanThatNeedsARepair_ReportsEachDroppedTradeOnce()
    {
        // Positions worth less than the 100 minimum trade cannot be sold; cash stays short, so the repair runs execution
        // again, and each run would repeat the same dropped sells.
        var p = new PortfolioBuilder().Shares("A", 1m, 40m).Shares("B", 1m, 40m).Target("A", 60).Target("B", 40)
            .Policy(new Policy(LookSchedule.Daily, Trigger.Never))
            .Execution(new ExecutionOptions { WholeShares = true, MinTrade = 100m }).Build();

        var plan = Planner.Create(p, new PlanRequest { Withdraw = 30m });

        Assert.Empty(plan.Trades);
        Assert.Contains(plan.Warnings, w => w.Contains("below the minimum trade", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Contains("below the 0 the plan must keep", StringComparison.Ordinal));
        Assert.Equal(plan.Warnings.Count, plan.Warnings.Distinct().Count());
    }
}
