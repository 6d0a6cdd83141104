using System.Globalization;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Reports;
using Ballast.Policies;

namespace Ballast.Cli.Backtest;

/// <summary>Builds the HTML report models of backtest, simulate and tune runs.</summary>
internal static class BacktestReports
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Growth, growth relative to buy and hold (or to the first policy), drawdowns, allocation with rebalance markers,
    /// drift (against the bands of the policies that have bands), and the results table.
    /// </summary>
    public static BacktestReport History(BacktestOutcome outcome)
    {
        var m = outcome.Market;
        var runs = outcome.Runs.Select(r => new PolicyRun(r.Name, m.Dates, r.Values)
        {
            BuyAndHold = r.Policy.Trigger.Kind == TriggerKind.Never,
            Allocation = r.Weights is { } w ? new AllocationSeries(m.Assets, [.. w.Select(a => (IReadOnlyList<double>)a)], r.RebalanceDates) : null,
            // The engine measures every run against a band (a policy without bands against the default 5/25 band, for
            // the share of closes outside it); the chart draws a band only for a policy that trades on one.
            Drift = new DriftSeries(r.DriftSeries, r.Policy.Trigger.HasBands ? r.BandSeries : null),
        }).ToArray();
        var n = runs.Length;
        var title = $"Backtest: {outcome.Experiment.Name}, {m.Dates[0]:yyyy-MM-dd}–{m.Dates[^1]:yyyy-MM-dd}, {n} {(n == 1 ? "policy" : "policies")}";
        var stats = outcome.Statistics;
        var taxes = Taxes(stats);
        return new BacktestReport(title, runs, Results: Results(stats))
        {
            Subtitle = $"{m.Count:N0} closes of {Join(m.Assets)}; values in the portfolio's currency. CAGR, volatility, turnover and tracking error are per year; "
                + "tracking error is against the portfolio held exactly at target; drift is |weight − target|.",
            Tables = taxes is null ? null
                : [new TitledTable("Realized gains and estimated tax", outcome.Experiment.Tax is { } t ? $"Taxes: {BacktestOutput.Describe(t)}; estimated, not paid from the portfolio." : null, taxes)],
            TaxByYear = BacktestOutput.TaxByYearTable(stats),
        };
    }

    /// <summary>
    /// The results table: every statistic the terminal prints, with the columns it abbreviates spelled out (taxes have a
    /// table of their own, as in the terminal, so the results fit the page).
    /// </summary>
    private static ResultsTable Results(IReadOnlyList<PolicyStatistics> stats) => new(
        ["Policy", "Final value", "CAGR", "Volatility", "Sharpe", "Sortino", "Max drawdown", "Rebalances", "Turnover/yr", "Costs", "Tracking error", "Avg drift", "Max drift", "Outside bands"],
        [.. stats.Select(s => new ResultsRow(s.Name,
        [
            s.FinalValue.ToString("#,0.00", Inv), Pct(s.Cagr), Pct(s.Volatility), Ratio(s.Sharpe), Ratio(s.Sortino), Pct(s.MaxDrawdown), s.Rebalances.ToString(Inv),
            Pct(s.Turnover), s.Costs.ToString("#,0.00", Inv), Pct(s.TrackingError), Pct(s.AverageDrift), Pct(s.MaxDrift), Pct(s.ShareOutsideBands),
        ]))]);

    /// <summary>Realized gains and estimated tax per policy (the terminal's tax table), or null when the run estimated no taxes.</summary>
    private static ResultsTable? Taxes(IReadOnlyList<PolicyStatistics> stats)
    {
        if (!stats.Any(s => s.Taxes is not null)) return null;
        return new(
            ["Policy", "Realized short-term", "Realized long-term", "Disallowed losses", "Estimated tax", "Costs + tax", "Worst year"],
            [.. stats.Select(s =>
            {
                if (s.Taxes is not { } t) return new ResultsRow(s.Name, ["–", "–", "–", "–", s.Costs.ToString("#,0.00", Inv), "–"]);
                var worst = t.Years.Where(y => y.Tax > 0m).OrderByDescending(y => y.Tax).ThenBy(y => y.Year).FirstOrDefault();
                return new ResultsRow(s.Name,
                [
                    Money(t.ShortTerm), Money(t.LongTerm), Money(t.DisallowedLosses), Money(t.Tax), s.CostsAndTaxes.ToString("#,0.00", Inv),
                    worst is null ? "–" : $"{worst.Year.ToString(Inv)}: {Money(worst.Tax)}",
                ]);
            })]);
    }

    private static string Money(decimal v) => v.ToString("#,0.00", Inv);
    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", Inv) + "%" : "–";
    private static string Ratio(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) : "–";

    /// <summary>
    /// A fan chart per policy, the terminal wealth of every policy on one chart, and a table of every policy's distribution
    /// with the columns the terminal prints.
    /// </summary>
    public static BacktestReport Simulation(SimulationOutcome outcome)
    {
        var charts = outcome.Policies.Select(p => MonteCarloChart.From(p.Name, p.Wealth, 1.0)).ToArray();
        static string X(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) + "×" : "–";
        static string P(double v) => Pct(v);
        var table = new ResultsTable(
            ["Policy", "P5", "P25", "Median", "P75", "P95", "Std dev", "Max DD (median)", "Max DD (P5)", "Turnover/yr", "Costs (mean)", "Rebalances (mean)"],
            [.. outcome.Policies.Select(p =>
            {
                var q = p.Wealth.TerminalQuantiles;
                return new ResultsRow(p.Name,
                [
                    X(q.Quantile(0.05)), X(q.Quantile(0.25)), X(q.Quantile(0.5)), X(q.Quantile(0.75)), X(q.Quantile(0.95)),
                    X(p.Wealth.TerminalMoments.StandardDeviation), P(p.MaxDrawdownQuantile(0.5)), P(p.MaxDrawdownQuantile(0.05)),
                    P(p.Turnover.Mean), p.Costs.Mean.ToString("#,0.00", Inv), p.Rebalances.Mean.ToString("0.0", Inv),
                ]);
            })]);
        var s = outcome.Settings;
        var method = s.Method == "bootstrap" ? $"block bootstrap (mean block {s.BlockLength} periods)" : $"{s.Method} model";
        return new BacktestReport($"Monte Carlo: {outcome.Experiment.Name}, {outcome.Paths:N0} paths × {s.Years} years", [], charts, table)
        {
            Subtitle = $"Returns drawn from history by {method}, seed {s.Seed}; every policy on the same paths. Wealth is a multiple of the initial capital; "
                + "P5 to P95 are percentiles of final wealth, Max DD the median and 5th-percentile maximum drawdown, turnover, costs and rebalances the mean per path.",
        };
    }

    /// <summary>The frontier chart of each source, and the grid's table with grid points of the same results merged (see <see cref="TuneReport"/>).</summary>
    public static BacktestReport Tune(string experimentName, TuneOutcome? history, PathTuneOutcome? paths) => TuneReport.Build(experimentName, history, paths);

    private static string Join(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
}
