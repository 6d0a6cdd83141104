using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>Cash flows go through the engine's cash-flow methods; volatility rules get the portfolio's own realized volatility.</summary>
public sealed class CashFlowAndVolatilityTests
{
    private static readonly DateOnly[] Dates = [new(2020, 1, 2), new(2020, 1, 15), new(2020, 2, 3), new(2020, 2, 14), new(2020, 3, 2)];
    private static readonly TargetWeight[] Targets = [new("A", 0.5m), new("B", 0.5m)];

    [Fact]
    public void MonthlyDeposit_IsInvestedBuyOnlyIntoTheShortfall_AndLeftOutOfTheIndex()
    {
        // 1,000 buys 5 A and 5 B at 100. A doubles by 2020-02-03 while B stays at 100.
        double[] a = [100, 150, 200, 200, 200];
        double[] b = [100, 100, 100, 100, 100];
        var market = new Market(Dates, ["A", "B"], [a, b]);
        var flows = new CashFlowSchedule(300m, new LookSchedule(LookFrequency.Monthly), CashFlowMethod.Proportional);
        var run = new Backtester(market, Targets, ExecutionOptions.Default, 1_000m, flows)
            .Run("hold", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Never), new BacktestOptions { RecordLedger = true });

        // 2020-02-03 (first date of February): A is worth 5 × 200 = 1,000 and B 500, total 1,500 + 300 deposited.
        // At the new total 1,800 each target is 900: only B is short (by 400), so all 300 buy B: 3 shares at 100.
        var deposit = run.Ledger.Single(l => l.Row == 2);
        Assert.Equal(PlanAction.InvestCash, deposit.Action);
        Assert.Equal(300m, deposit.Deposit);
        var trade = Assert.Single(deposit.Trades);
        Assert.Equal(("B", TradeSide.Buy, 300m, 3m), (trade.Ticker, trade.Side, trade.Value, trade.Quantity!.Value));
        Assert.Equal([5m, 8m], deposit.Quantities);
        Assert.Equal(1_800, run.Values[2], 9);
        // The index grows with the market only: 1,250 → 1,500 before the deposit, so × 1.2 from row 1 to row 2.
        Assert.Equal(run.Index[1] * 1.2, run.Index[2], 12);
        // 2020-03-02: the next deposit, A short now (1,000 against 1,000 + 800 + 300 = 2,100 / 2 = 1,050): 50 A, 250 B by shortfalls 50 and 250.
        var march = run.Ledger.Single(l => l.Row == 4);
        Assert.Equal([("A", 50m), ("B", 250m)], march.Trades.Select(t => (t.Ticker, t.Value)).ToArray());
        Assert.Equal(0, run.Rebalances);
    }

    [Theory]
    [InlineData("0%", 2)]      // any volatility is above 0 %: every monthly look once the window is filled rebalances
    [InlineData("1000%", 0)]   // never above 1,000 %
    public void VolatilityTrigger_SeesThePortfoliosRealizedVolatility(string level, int expectedRebalances)
    {
        var text = $$"""
            prices: p.csv
            targets: { A: 50%, B: 50% }
            policies:
              vol: { look: monthly, trigger: volatility, volatility: { window: 2, level: {{level}} } }
            """;
        var experiment = ExperimentReader.Parse(text, "exp.yaml", TestPaths.TempDirectory());
        double[] a = [100, 110, 90, 120, 95];
        double[] b = [100, 100, 101, 99, 100];
        var market = new Market(Dates, ["A", "B"], [a, b]);
        var run = Backtester.For(experiment, market).Run("vol", experiment.Policies[0].Policy);
        // Monthly looks fall on rows 2 (2020-02-03) and 4 (2020-03-02); both have at least 2 returns of history.
        Assert.Equal(expectedRebalances, run.Rebalances);
    }
}
