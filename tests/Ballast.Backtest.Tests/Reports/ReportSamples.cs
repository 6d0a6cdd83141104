using Ballast.Backtest.Data;
using Ballast.Backtest.MonteCarlo;
using Ballast.Backtest.Reports;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Report models for rendering tests. The two history policies are buy-and-hold (no trading, no bands) on the
/// shipped monthly example data, so their allocation and drift are real. The third is a synthetic sawtooth
/// whose weights reset at fixed dates, with a 5 % band: chart input only, to exercise rebalance markers, bands
/// and user-supplied names, not the outcome of any policy.
/// </summary>
internal static class ReportSamples
{
    public const string HostileName = "Sawtooth </script><script>alert(\"x\")</script> & 'co'";

    public static BacktestReport Build(string syntheticName = HostileName, int monteCarloPaths = 2_000)
    {
        var table = PriceCsv.LoadMonthlyIndex(TestPaths.InRepo(UsStocksBondsMonthly.OutputRelativePath))
            .Select(["US_STOCKS", "US_10Y"], start: new DateOnly(1990, 1, 1));
        var dates = table.Dates;
        var stocks = table.Closes("US_STOCKS").ToArray();
        var bonds = table.Closes("US_10Y").ToArray();
        var n = dates.Count;

        var allStocks = new double[n];
        var mixed = new double[n];
        var wStocks = new double[n];
        var wBonds = new double[n];
        var drift = new double[n];
        var band = new double[n];
        for (var i = 0; i < n; i++)
        {
            allStocks[i] = 10_000 * stocks[i] / stocks[0];
            var s = 6_000 * stocks[i] / stocks[0];
            var b = 4_000 * bonds[i] / bonds[0];
            mixed[i] = s + b;
            wStocks[i] = s / mixed[i];
            wBonds[i] = b / mixed[i];
            drift[i] = Math.Abs(wStocks[i] - 0.6);
            band[i] = 0.05;
        }

        // Synthetic sawtooth: weights drift 0.5 percentage points a month from 60/40 and snap back every
        // 36 months; values follow the 60/40 series scaled so the line is distinguishable.
        var sawDates = new List<DateOnly>();
        var sawStocks = new double[n];
        var sawBonds = new double[n];
        var sawDrift = new double[n];
        var sawValues = new double[n];
        for (var i = 0; i < n; i++)
        {
            var k = i % 36;
            if (k == 0 && i > 0) sawDates.Add(dates[i]);
            sawStocks[i] = 0.6 + 0.005 * k;
            sawBonds[i] = 1 - sawStocks[i];
            sawDrift[i] = 0.005 * k;
            sawValues[i] = mixed[i] * 1.05;
        }

        var policies = new[]
        {
            new PolicyRun("US stocks, buy and hold", dates, allStocks) { BuyAndHold = true },
            new PolicyRun("60/40, buy and hold", dates, mixed)
            {
                BuyAndHold = true,
                Allocation = new AllocationSeries(["US stocks", "US 10y Treasuries"], [wStocks, wBonds], []),
                Drift = new DriftSeries(drift, null),
            },
            new PolicyRun(syntheticName, dates, sawValues)
            {
                Allocation = new AllocationSeries(["stocks <A>", "bonds & co"], [sawStocks, sawBonds], sawDates),
                Drift = new DriftSeries(sawDrift, band),
            },
        };

        var results = ResultsTable.FromSummaries(policies.Select(p =>
            (p.Name, PerformanceSummary.Compute(p.Dates, p.Values.ToArray(), 0.02, allStocks))));

        return new BacktestReport("Ballast backtest: US stocks and bonds since 1990", policies, MonteCarlo(monteCarloPaths), results)
        {
            Subtitle = "Monthly total-return indices since 1990; the third policy is synthetic.",
        };
    }

    /// <summary>60/40 bought and held, and rebalanced to 60/40 every month, on the same bootstrapped paths (no costs).</summary>
    private static MonteCarloChart[] MonteCarlo(int paths)
    {
        var history = ReturnMatrix.FromPrices(PriceCsv.LoadMonthlyIndex(TestPaths.InRepo(UsStocksBondsMonthly.OutputRelativePath)));
        var generator = new BlockBootstrap(history, blockLength: 12, seed: 2024);
        const int steps = 360;
        var held = new WealthPathStatistics(steps, terminalHistogramMaximum: 80);
        var rebalanced = new WealthPathStatistics(steps, terminalHistogramMaximum: 80);
        ParallelPaths.Run(
            paths,
            () => (Returns: new double[steps * 2], Held: new double[steps], Rebalanced: new double[steps],
                HeldStats: new WealthPathStatistics(steps, 80), RebalancedStats: new WealthPathStatistics(steps, 80)),
            (i, s) =>
            {
                generator.Generate(i, s.Returns);
                // From a wealth of 1: held, each sleeve compounds on its own; rebalanced, the mix earns 60/40 every month.
                double st = 0.6, bd = 0.4, mix = 1;
                for (var t = 0; t < steps; t++)
                {
                    st *= 1 + s.Returns[2 * t];
                    bd *= 1 + s.Returns[2 * t + 1];
                    mix *= 1 + 0.6 * s.Returns[2 * t] + 0.4 * s.Returns[2 * t + 1];
                    s.Held[t] = st + bd;
                    s.Rebalanced[t] = mix;
                }
                s.HeldStats.AddPath(s.Held);
                s.RebalancedStats.AddPath(s.Rebalanced);
            },
            s =>
            {
                held.Merge(s.HeldStats);
                rebalanced.Merge(s.RebalancedStats);
            });
        return
        [
            MonteCarloChart.From("60/40 buy and hold, 30 years, 12-month stationary bootstrap", held, 1.0 / 12),
            MonteCarloChart.From("60/40 rebalanced monthly, same paths", rebalanced, 1.0 / 12),
        ];
    }
}
