using Ballast.Backtest.Engine;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// A two-asset series small enough to check by hand. A and B start at 100; 10,000,000 is invested 60/40;
/// the policy looks once a year (first date of each calendar year) and always rebalances to target.
/// Fractional shares, no costs: money rounds to cents, quantities to 6 decimals (the engine's defaults).
/// </summary>
public sealed class GoldenBacktestTests
{
    private static readonly DateOnly[] Dates =
        [new(2020, 1, 1), new(2020, 7, 1), new(2021, 1, 4), new(2021, 7, 1), new(2022, 1, 3)];
    private static readonly double[] A = [100, 110, 125, 90, 100];
    private static readonly double[] B = [100, 98, 95, 99, 100];

    private static PolicyRunResult Run(CostModel costs = default)
    {
        var market = new Market(Dates, ["A", "B"], [A, B]);
        var targets = new[] { new TargetWeight("A", 0.60m), new TargetWeight("B", 0.40m) };
        var backtester = new Backtester(market, targets, new ExecutionOptions { Costs = costs }, 10_000_000m);
        return backtester.Run("annual", new Policy(new LookSchedule(LookFrequency.Annual), Trigger.Always), new BacktestOptions { RecordLedger = true, RecordWeights = true });
    }

    [Fact]
    public void EveryRow_ValuesTradesAndCash_FollowByHand()
    {
        var run = Run();

        // Row 0, 2020-01-01: buy 6,000,000 / 100 = 60,000 A and 4,000,000 / 100 = 40,000 B; cash 0.
        var l0 = run.Ledger[0];
        Assert.Equal(0, l0.Row);
        Assert.Equal(PlanAction.Rebalance, l0.Action);
        Assert.Equal([new Trade("A", TradeSide.Buy, 6_000_000m, 60_000m, 100m, 0m), new Trade("B", TradeSide.Buy, 4_000_000m, 40_000m, 100m, 0m)], l0.Trades);
        Assert.Equal(0m, l0.Cash);
        Assert.Equal([60_000m, 40_000m], l0.Quantities);
        Assert.Equal(10_000_000, run.Values[0], 6);

        // Row 1, 2020-07-01: no look (same calendar year); only revalued: 60,000 × 110 + 40,000 × 98 = 10,520,000.
        Assert.Equal(10_520_000, run.Values[1], 6);

        // Row 2, 2021-01-04: the annual look. Before: 60,000 × 125 = 7,500,000 (+25 %) and 40,000 × 95 = 3,800,000 (−5 %),
        // total 11,300,000. To 60/40: A to 6,780,000 (sell 720,000 = 5,760 shares), B to 4,520,000 (buy 720,000;
        // 720,000 / 95 = 7,578.947368 shares rounded toward zero to 6 decimals). Sells before buys; cash back to 0.
        var l1 = run.Ledger[1];
        Assert.Equal(2, l1.Row);
        Assert.Equal(PlanAction.Rebalance, l1.Action);
        Assert.Equal(2, l1.Trades.Count);
        Assert.Equal(new Trade("A", TradeSide.Sell, 720_000m, 5_760m, 125m, 0m), l1.Trades[0]);
        Assert.Equal(("B", TradeSide.Buy, 720_000m, 7_578.947368m), (l1.Trades[1].Ticker, l1.Trades[1].Side, l1.Trades[1].Value, l1.Trades[1].Quantity!.Value));
        Assert.Equal(0m, l1.Cash);
        Assert.Equal([54_240m, 47_578.947368m], l1.Quantities);
        // Value from the quantities: 54,240 × 125 + 47,578.947368 × 95 = 6,780,000 + 4,519,999.99996.
        Assert.Equal(11_299_999.99996, run.Values[2], 5);
        Assert.Equal(0.6, run.Weights![0][2], 9);

        // Row 3, 2021-07-01: no look: 54,240 × 90 + 47,578.947368 × 99 = 4,881,600 + 4,710,315.789432.
        Assert.Equal(9_591_915.789432, run.Values[3], 5);

        // Row 4, 2022-01-03: the next annual look. Before: 5,424,000 + 4,757,894.7368 = 10,181,894.7368.
        // A's target 0.6 × that = 6,109,136.84208: buy 685,136.84208; B's target 4,072,757.89472: sell 685,136.84208.
        // The sell rounds up to the cent (685,136.85, 6,851.3685 shares); the buy rounds down (685,136.84), leaving 0.01 cash.
        var l2 = run.Ledger[2];
        Assert.Equal(4, l2.Row);
        Assert.Equal(("B", TradeSide.Sell, 685_136.85m, 6_851.3685m), (l2.Trades[0].Ticker, l2.Trades[0].Side, l2.Trades[0].Value, l2.Trades[0].Quantity!.Value));
        Assert.Equal(("A", TradeSide.Buy, 685_136.84m, 6_851.3684m), (l2.Trades[1].Ticker, l2.Trades[1].Side, l2.Trades[1].Value, l2.Trades[1].Quantity!.Value));
        Assert.Equal(0.01m, l2.Cash);
        Assert.Equal([61_091.3684m, 40_727.578868m], l2.Quantities);
        // 61,091.3684 × 100 + 40,727.578868 × 100 + 0.01 = 10,181,894.7368 (the value before, to the cent).
        Assert.Equal(10_181_894.7368, run.Values[4], 5);

        Assert.Equal(3, run.Ledger.Count);
        Assert.Equal(2, run.Rebalances); // the initial purchase is not counted
        Assert.Equal([new DateOnly(2021, 1, 4), new DateOnly(2022, 1, 3)], run.RebalanceDates);
        Assert.Equal(0, run.Costs);
        // Turnover: (1,440,000 / 2) / 11,300,000 + (1,370,273.69 / 2) / 10,181,894.7368, over 2 years and 2 days (733 / 365.25).
        var expectedTurnover = (720_000.0 / 11_300_000 + 685_136.845 / 10_181_894.7368) / (733 / 365.25);
        Assert.Equal(expectedTurnover, run.TurnoverPerYear, 9);
    }

    [Fact]
    public void Costs_ArePaidFromCash_AndTheIndexRemovesNothingButCosts()
    {
        // 10bp half-spread: buying 6,000,000 and 4,000,000 costs 6,000 and 4,000 (rounded up to the cent), paid from cash,
        // so the engine scales the buys to fit the 10,000,000 and some cash is left for the costs.
        var run = Run(new CostModel(0, 0, 10));
        var l0 = run.Ledger[0];
        var bought = l0.Trades.Sum(t => t.Value);
        var paid = l0.Trades.Sum(t => t.Cost);
        Assert.Equal(10_000_000m, bought + paid + l0.Cash);
        Assert.True(paid > 9_980m && paid <= 10_000m, $"costs {paid}");
        Assert.Equal((double)paid, run.InitialCosts, 6);
        // Index at row 0 is the value after costs over the initial capital.
        Assert.Equal(run.Values[0] / 10_000_000, run.Index[0], 12);
        Assert.True(run.Costs > 0);
    }
}
