using Ballast.Backtest.Engine;
using Ballast.Backtest.Reports;

namespace Ballast.Cli.Backtest;

/// <summary>Builds the HTML report models of backtest and simulate runs.</summary>
internal static class BacktestReports
{
    /// <summary>Growth, drawdowns, allocation with rebalance markers, drift against the bands, and the results table.</summary>
    public static BacktestReport History(BacktestOutcome outcome)
    {
        var m = outcome.Market;
        var runs = outcome.Runs.Select(r => new PolicyRun(r.Name, m.Dates, r.Values)
        {
            Allocation = r.Weights is { } w ? new AllocationSeries(m.Assets, [.. w.Select(a => (IReadOnlyList<double>)a)], r.RebalanceDates) : null,
            Drift = new DriftSeries(r.DriftSeries, r.BandSeries),
        }).ToArray();
        return new BacktestReport(outcome.Experiment.Name, runs, Results: BacktestOutput.ReportTable(outcome.Statistics))
        {
            TaxByYear = BacktestOutput.TaxByYearTable(outcome.Statistics),
        };
    }

    /// <summary>A fan chart per policy, the terminal wealth of every policy on one chart, and a table of every policy's distribution.</summary>
    public static BacktestReport Simulation(SimulationOutcome outcome)
    {
        var charts = outcome.Policies.Select(p => MonteCarloChart.From(p.Name, p.Wealth, 1.0)).ToArray();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string X(double v) => double.IsFinite(v) ? v.ToString("0.00", inv) + "×" : "–";
        string P(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", inv) + "%" : "–";
        var table = new ResultsTable(
            ["Policy", "P5", "P25", "Median", "P75", "P95", "Std dev", "Max DD (median)", "Turnover/yr", "Costs (mean)"],
            [.. outcome.Policies.Select(p => new ResultsRow(p.Name,
            [
                X(p.Wealth.TerminalQuantiles.Quantile(0.05)), X(p.Wealth.TerminalQuantiles.Quantile(0.25)), X(p.Wealth.TerminalQuantiles.Quantile(0.5)),
                X(p.Wealth.TerminalQuantiles.Quantile(0.75)), X(p.Wealth.TerminalQuantiles.Quantile(0.95)), X(p.Wealth.TerminalMoments.StandardDeviation),
                P(p.MaxDrawdownQuantile(0.5)), P(p.Turnover.Mean), p.Costs.Mean.ToString("#,0.00", inv),
            ]))]);
        return new BacktestReport(outcome.Experiment.Name + " (Monte Carlo)", [], charts, table);
    }
}
