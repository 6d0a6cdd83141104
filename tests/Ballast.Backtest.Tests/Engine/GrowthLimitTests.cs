using Ballast.Backtest.Engine;
using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>A run whose portfolio grows past the largest amount Ballast plans exactly stops with an input error, on both steps.</summary>
public sealed class GrowthLimitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PortfolioPastTheAmountLimit_StopsWithAnInputError(bool exact)
    {
        // 5e12 half in an asset that triples each month: 2.5e12 × 3 + 2.5e12 = 1e13 at the February look (on the limit),
        // then 5e12 × 3 + 5e12 = 2e13 at the March look, past it.
        var market = new Market([new(2020, 1, 1), new(2020, 2, 3), new(2020, 3, 2)], ["A", "B"], [[100, 300, 900], [100, 100, 100]]);
        var backtester = new Backtester(market, [new TargetWeight("A", 0.5m), new TargetWeight("B", 0.5m)], ExecutionOptions.Default, 5_000_000_000_000m);

        var e = Assert.Throws<InputException>(() => backtester.Run("monthly", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Always), new BacktestOptions { Exact = exact }));

        Assert.Contains("grew past 10,000,000,000,000 by 2020-03-02", e.Problems[0].Message);
    }
}
