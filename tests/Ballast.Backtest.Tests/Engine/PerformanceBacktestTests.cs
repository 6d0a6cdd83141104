using Ballast.Backtest.Engine;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Policies.Triggers;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// The performance trigger in a backtest, small enough to check by hand: S and B start at 100, 10,000 is bought
/// 60/40, the policy looks monthly and rebalances when S beats (or trails) B by more than 15 pp since the last rebalance.
/// </summary>
public sealed class PerformanceBacktestTests
{
    private static readonly DateOnly[] Dates =
        [new(2020, 1, 1), new(2020, 2, 3), new(2020, 3, 2), new(2020, 4, 1), new(2020, 5, 1), new(2020, 6, 1)];
    private static readonly double[] S = [100, 105, 112, 118, 120, 140];
    private static readonly double[] B = [100, 101, 99, 100, 102, 103];

    private static readonly Policy SpreadPolicy = new(new LookSchedule(LookFrequency.Monthly),
        new Trigger(TriggerKind.Performance, performance: new PerformanceRule("S", "B", 0.15m)));

    private static PolicyRunResult Run(bool exact) =>
        new Backtester(new Market(Dates, ["S", "B"], [S, B]), [new TargetWeight("S", 0.6m), new TargetWeight("B", 0.4m)], ExecutionOptions.Default, 10_000m)
            .Run("spread", SpreadPolicy, new BacktestOptions { Exact = exact, RecordLedger = exact });

    [Fact]
    public void Spread_FiresOnlyWhenBeyondTheLevel_FromTheLastRebalance()
    {
        // Since the purchase at 100/100: Feb S +5%, B +1% (4 pp); Mar +12%, −1% (13 pp); Apr +18%, 0% (18 pp > 15):
        // rebalance, and the prices then become 118/100. May: S 120/118 − 1 = +1.69%, B +2% (−0.31 pp).
        // Jun: S 140/118 − 1 = +18.64%, B +3% (15.64 pp > 15): rebalance again.
        var fast = Run(exact: false);
        var exact = Run(exact: true);

        DateOnly[] expected = [new(2020, 4, 1), new(2020, 6, 1)];
        Assert.Equal(expected, fast.RebalanceDates);
        Assert.Equal(expected, exact.RebalanceDates);
        for (var t = 0; t < Dates.Length; t++) Assert.Equal(exact.Values[t], fast.Values[t], 1e-9 * exact.Values[t]);
    }

    [Fact]
    public void FirstRebalance_TradesByHand()
    {
        // April: 60 S × 118 = 7,080 and 40 B × 100 = 4,000, total 11,080; to 60/40: S to 6,648 (sell 432 = 3.661016 shares
        // rounded toward zero), B to 4,432 (buy 432, 4.32 shares).
        var ledger = Run(exact: true).Ledger;
        var april = ledger.Single(l => l.Date == new DateOnly(2020, 4, 1));

        Assert.Equal(PlanAction.Rebalance, april.Action);
        Assert.Equal(("S", TradeSide.Sell, 432m), (april.Trades[0].Ticker, april.Trades[0].Side, april.Trades[0].Value));
        Assert.Equal(("B", TradeSide.Buy, 432m, 4.32m), (april.Trades[1].Ticker, april.Trades[1].Side, april.Trades[1].Value, april.Trades[1].Quantity!.Value));
    }
}
