using System.Globalization;
using Ballast.Backtest.Engine;

namespace Ballast.Backtest.Reports;

/// <summary>
/// The report of a tuning run on history, on paths, or on both: a frontier chart per source (costs against tracking
/// error, every grid point a dot, the frontier joined, the best under the objective marked) and the grid's table,
/// frontier first. Grid points with the same results are one row, and one dot, named after the first of them in grid
/// order, that lists the others: different settings that trade alike (for example a 10pp band and a 25%-of-target
/// band on a 40% asset) are not separate findings.
/// </summary>
public static class TuneReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The report of <paramref name="history"/>, <paramref name="paths"/>, or both (the same grid in the same order).</summary>
    public static BacktestReport Build(string experimentName, TuneOutcome? history, PathTuneOutcome? paths)
    {
        ArgumentNullException.ThrowIfNull(experimentName);
        if (history is null && paths is null) throw new ArgumentException("tuning ran on neither history nor paths");
        var count = history?.Points.Count ?? paths!.Points.Count;
        var both = history is not null && paths is not null;
        if (both && (paths!.Points.Count != count || Enumerable.Range(0, count).Any(i => history!.Points[i].Policy.Name != paths.Points[i].Policy.Name)))
            throw new ArgumentException("history and paths must hold the same grid in the same order", nameof(paths));

        var source = both ? "history and paths" : history is not null ? "history" : "paths";
        var title = $"Tuning: {experimentName}, {count:N0} grid point{(count == 1 ? "" : "s")} on {source}";
        var rows = SameResults(count, history, paths);
        var frontiers = new List<FrontierChart>();
        if (history is not null) frontiers.Add(HistoryFrontier(history, both));
        if (paths is not null) frontiers.Add(PathsFrontier(paths, both));
        return new BacktestReport(title, [], Results: Table(rows, history, paths))
        {
            Subtitle = Subtitle(count, rows.Count, history, paths),
            Frontiers = frontiers,
        };
    }

    private static string Subtitle(int count, int distinct, TuneOutcome? history, PathTuneOutcome? paths)
    {
        var rejected = history?.Rejected ?? paths!.Rejected;
        var parts = new List<string>
        {
            $"{rejected:N0} more grid point{(rejected == 1 ? " was" : "s were")} rejected by the policy rules",
            $"the best is the cheapest with tracking error ≤ {Pct(history?.MaxTrackingError ?? paths!.MaxTrackingError)}",
        };
        if (distinct < count) parts.Add($"{count:N0} grid points give {distinct:N0} distinct results: points with the same results share a row and a dot");
        if (history is not null)
            parts.Add(history.IncludesTaxes ? "on history the cost is costs plus estimated taxes" : "on history the cost is transaction costs (no tax section)");
        if (paths is not null)
        {
            var s = paths.Settings;
            parts.Add($"paths: {paths.Paths:N0} × {s.Years} years, {s.Method}{(s.Method == "bootstrap" ? $" (blocks of {s.BlockLength})" : "")}, seed {s.Seed}, mean costs and mean tracking error per path, taxes not estimated");
        }
        var text = string.Join("; ", parts) + ". Costs in the portfolio's currency; tracking error annualized.";
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>
    /// Groups of grid indices with the same results on every source, in grid order (each group's first index first;
    /// groups ordered by their first index).
    /// </summary>
    internal static List<int[]> SameResults(int count, TuneOutcome? history, PathTuneOutcome? paths) =>
        Group(count, (a, b) => (history is null || Same(history.Points[a], history.Points[b])) && (paths is null || Same(paths.Points[a], paths.Points[b])));

    private static List<int[]> Group(int count, Func<int, int, bool> same)
    {
        var groups = new List<List<int>>();
        for (var i = 0; i < count; i++)
        {
            var g = groups.FirstOrDefault(g => same(g[0], i));
            if (g is null) groups.Add([i]);
            else g.Add(i);
        }
        return [.. groups.Select(g => g.ToArray())];
    }

    /// <summary>The same statistics on history: everything the tuning reports, and the final value.</summary>
    private static bool Same(TunePoint a, TunePoint b)
    {
        PolicyStatistics x = a.Statistics, y = b.Statistics;
        return x.Rebalances == y.Rebalances && Close(x.FinalValue, y.FinalValue) && Close(x.Costs, y.Costs) && Close(x.CostsAndTaxes, y.CostsAndTaxes)
            && Close(x.TrackingError, y.TrackingError) && Close(x.Turnover, y.Turnover) && Close(x.Cagr, y.Cagr) && Close(x.Volatility, y.Volatility)
            && Close(x.MaxDrawdown, y.MaxDrawdown);
    }

    /// <summary>The same statistics on paths: means, spreads and the quantiles the tuning reports.</summary>
    private static bool Same(PathTunePoint a, PathTunePoint b)
    {
        PolicySimulation x = a.Simulation, y = b.Simulation;
        return Close(x.Costs.Mean, y.Costs.Mean) && Close(x.Costs.StandardDeviation, y.Costs.StandardDeviation)
            && Close(x.TrackingError!.Mean, y.TrackingError!.Mean) && Close(x.TrackingError.StandardDeviation, y.TrackingError.StandardDeviation)
            && Close(Quantile(x.CostQuantiles!, 0.95), Quantile(y.CostQuantiles!, 0.95)) && Close(Quantile(x.TrackingErrorQuantiles!, 0.95), Quantile(y.TrackingErrorQuantiles!, 0.95))
            && Close(x.Turnover.Mean, y.Turnover.Mean) && Close(x.Rebalances.Mean, y.Rebalances.Mean)
            && Close(x.MaxDrawdown.Mean, y.MaxDrawdown.Mean);
    }

    private static double Quantile(MonteCarlo.LogHistogramQuantiles q, double p) => q.Count == 0 ? double.NaN : q.Quantile(p);

    // Grid points that trade alike give bit-identical statistics on history; on paths the streamed sums may merge
    // in a different order per policy, so equal means equal to about twelve significant digits.
    private static bool Close(double a, double b) =>
        a == b || (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b));

    private static FrontierChart HistoryFrontier(TuneOutcome history, bool both)
    {
        var groups = Group(history.Points.Count, (a, b) => Same(history.Points[a], history.Points[b]));
        var points = groups.Select(g =>
        {
            var p = history.Points[g[0]];
            return new FrontierPoint(p.Policy.Name, [.. g.Skip(1).Select(i => history.Points[i].Policy.Name)], p.Score.TrackingError, p.Score.Cost,
                p.OnFrontier, ReferenceEquals(p, history.Best));
        }).ToArray();
        var cost = history.IncludesTaxes ? "Costs plus estimated taxes" : "Costs";
        return new FrontierChart("frontier-history", both ? "Frontier on history" : "Frontier", cost, "Tracking error", history.MaxTrackingError, points);
    }

    private static FrontierChart PathsFrontier(PathTuneOutcome paths, bool both)
    {
        var groups = Group(paths.Points.Count, (a, b) => Same(paths.Points[a], paths.Points[b]));
        var points = groups.Select(g =>
        {
            var p = paths.Points[g[0]];
            return new FrontierPoint(p.Policy.Name, [.. g.Skip(1).Select(i => paths.Points[i].Policy.Name)], p.Score.TrackingError, p.Score.Cost,
                p.OnFrontier, ReferenceEquals(p, paths.Best));
        }).ToArray();
        return new FrontierChart("frontier-paths", both ? "Frontier on paths" : "Frontier", "Mean costs per path", "Mean tracking error per path", paths.MaxTrackingError, points);
    }

    /// <summary>One row per group, frontier first then by cost; with both sources their columns side by side under a heading each.</summary>
    private static ResultsTable Table(List<int[]> groups, TuneOutcome? history, PathTuneOutcome? paths)
    {
        var both = history is not null && paths is not null;
        var taxes = history?.IncludesTaxes ?? false;
        List<string> columns = ["Policy"];
        List<ColumnGroup> headings = [new("", 1)];
        if (history is not null)
        {
            List<string> h = ["Frontier", "Costs"];
            if (taxes) h.AddRange(["Tax", "Costs + tax"]);
            h.AddRange(["Tracking error", "Turnover/yr", "Rebalances", "CAGR"]);
            columns.AddRange(h);
            headings.Add(new("History", h.Count));
        }
        if (paths is not null)
        {
            List<string> p = ["Frontier", "Costs (mean)", "Costs (P95)", "Tracking error (mean)", "Tracking error (P95)", "Turnover/yr (mean)", "Rebalances (mean)"];
            columns.AddRange(p);
            headings.Add(new("Paths", p.Count));
        }
        var rows = groups
            .OrderByDescending(g => (history?.Points[g[0]].OnFrontier ?? false) || (paths?.Points[g[0]].OnFrontier ?? false))
            .ThenBy(g => history?.Points[g[0]].Score.Cost ?? paths!.Points[g[0]].Score.Cost)
            .ThenBy(g => g[0])
            .Select(g =>
            {
                var i = g[0];
                List<string> cells = [];
                var name = history?.Points[i].Policy.Name ?? paths!.Points[i].Policy.Name;
                var best = false;
                if (history?.Points[i] is { } h)
                {
                    var s = h.Statistics;
                    cells.AddRange([h.OnFrontier ? "yes" : "", Money(s.Costs)]);
                    if (taxes) cells.AddRange([Money((double)(s.Taxes?.Tax ?? 0m)), Money(s.CostsAndTaxes)]);
                    cells.AddRange([Pct(s.TrackingError), Pct(s.Turnover), s.Rebalances.ToString(Inv), Pct(s.Cagr)]);
                    if (g.Any(k => ReferenceEquals(history.Points[k], history.Best))) { name += both ? " (best on history)" : " (best)"; best = true; }
                }
                if (paths?.Points[i] is { } p)
                {
                    var sim = p.Simulation;
                    cells.AddRange([p.OnFrontier ? "yes" : "", Money(sim.Costs.Mean), Money(Quantile(sim.CostQuantiles!, 0.95)),
                        Pct(sim.TrackingError!.Mean), Pct(Quantile(sim.TrackingErrorQuantiles!, 0.95)), Pct(sim.Turnover.Mean), sim.Rebalances.Mean.ToString("0.0", Inv)]);
                    if (g.Any(k => ReferenceEquals(paths.Points[k], paths.Best))) { name += both ? " (best on paths)" : " (best)"; best = true; }
                }
                var others = g.Skip(1).Select(k => history?.Points[k].Policy.Name ?? paths!.Points[k].Policy.Name).ToArray();
                return new ResultsRow(name, cells) { SameAs = others, Highlight = best };
            });
        return new ResultsTable(columns, [.. rows]) { Groups = both ? headings : null };
    }

    private static string Money(double v) => double.IsFinite(v) ? v.ToString("#,0.00", Inv) : "–";
    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", Inv) + "%" : "–";
}
