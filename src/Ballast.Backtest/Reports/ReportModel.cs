using System.Globalization;
using Ballast.Backtest.MonteCarlo;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Reports;

/// <summary>
/// Everything one HTML report shows. Names (title, policies, assets, columns) are user text and are
/// escaped by <see cref="HtmlReport"/>. Series values are doubles; NaN is drawn as a gap.
/// </summary>
/// <param name="Title">Report heading: what was run (for example <c>Backtest: US 60/40, 1926-01-01–2023-09-01, 7 policies</c>).</param>
/// <param name="Policies">One entry per policy backtested over history; may be empty for a Monte Carlo-only report.</param>
/// <param name="MonteCarlo">Simulation results, one per policy (a fan chart each, on one shared scale, and one terminal-wealth chart overlaying them all), or null.</param>
/// <param name="Results">The results table, or null for none.</param>
public sealed record BacktestReport(
    string Title,
    IReadOnlyList<PolicyRun> Policies,
    IReadOnlyList<MonteCarloChart>? MonteCarlo = null,
    ResultsTable? Results = null)
{
    /// <summary>One line under the title on the data and units (for example the closes and assets, or the simulation's settings); null for none.</summary>
    public string? Subtitle { get; init; }

    /// <summary>More tables shown right after <see cref="BacktestReport.Results"/> (for example realized gains and estimated tax per policy); null for none.</summary>
    public IReadOnlyList<TitledTable>? Tables { get; init; }

    /// <summary>Estimated tax per calendar year (one row per year, one column per policy), shown after the charts; null for none.</summary>
    public ResultsTable? TaxByYear { get; init; }

    /// <summary>Cost against tracking error charts of a tuning run (one per source: history, paths), shown before the table; null for none.</summary>
    public IReadOnlyList<FrontierChart>? Frontiers { get; init; }
}

/// <summary>
/// One policy's backtest: portfolio value (currency units, positive) per date, and optionally its
/// allocation and drift over the same dates. The growth, relative growth and drawdown charts are drawn from
/// <see cref="Values"/>.
/// </summary>
public sealed record PolicyRun(string Name, IReadOnlyList<DateOnly> Dates, IReadOnlyList<double> Values)
{
    /// <summary>
    /// True for a policy that never rebalances: the first such policy is the reference of the relative growth chart
    /// (without one, the first policy is).
    /// </summary>
    public bool BuyAndHold { get; init; }

    /// <summary>Weights per asset over time and the rebalance dates, or null.</summary>
    public AllocationSeries? Allocation { get; init; }

    /// <summary>Drift against the band over time, or null.</summary>
    public DriftSeries? Drift { get; init; }
}

/// <summary>
/// Asset weights over time: <see cref="Weights"/>[asset][dateIndex] is a fraction of portfolio value (0..1)
/// aligned with the policy's dates; <see cref="RebalanceDates"/> are drawn as markers.
/// </summary>
public sealed record AllocationSeries(IReadOnlyList<string> Assets, IReadOnlyList<IReadOnlyList<double>> Weights, IReadOnlyList<DateOnly> RebalanceDates);

/// <summary>
/// Drift against the band per date, aligned with the policy's dates: <see cref="Drift"/> is the measured
/// drift (for example the largest |weight − target|) and <see cref="Band"/> the threshold that would
/// trigger a rebalance, both fractions (0.05 = 5 percentage points). <see cref="Band"/> is null for a policy
/// that has no bands (buy and hold, calendar rebalancing, a volatility or performance trigger without a band):
/// its chart shows the drift alone.
/// </summary>
public sealed record DriftSeries(IReadOnlyList<double> Drift, IReadOnlyList<double>? Band);

/// <summary>
/// Monte Carlo results: a fan of wealth quantiles over time and the terminal-wealth histogram.
/// <see cref="Years"/>[i] is the time of step i in years (step 0 is after the first period, not the start);
/// each <see cref="FanLine"/> has one value per step. Wealth is in the simulation's units; the fan opens at
/// <see cref="StartingWealth"/> (default 1, a multiple of starting wealth) at year 0.
/// </summary>
public sealed record MonteCarloChart(string Name, long Paths, IReadOnlyList<double> Years, IReadOnlyList<FanLine> Fan, HistogramBins TerminalHistogram, double StartingWealth = 1)
{
    /// <summary>Percentiles drawn in the fan chart: 5, 25, 50, 75, 95.</summary>
    public static readonly IReadOnlyList<double> FanQuantiles = [0.05, 0.25, 0.50, 0.75, 0.95];

    /// <summary>Builds the chart from merged path statistics; step i is at (i + 1) × <paramref name="yearsPerStep"/>.</summary>
    public static MonteCarloChart From(string name, WealthPathStatistics statistics, double yearsPerStep, double startingWealth = 1)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (!(yearsPerStep > 0)) throw new ArgumentOutOfRangeException(nameof(yearsPerStep), yearsPerStep, "must be positive");
        var years = new double[statistics.Steps];
        for (var i = 0; i < years.Length; i++) years[i] = (i + 1) * yearsPerStep;
        var fan = FanQuantiles.Select(q => new FanLine(q, statistics.QuantilePath(q))).ToArray();
        return new MonteCarloChart(name, statistics.Paths, years, fan, HistogramBins.From(statistics.TerminalHistogram), startingWealth);
    }
}

/// <summary>One fan-chart line: the <see cref="Quantile"/> (0..1) of wealth at each step.</summary>
public sealed record FanLine(double Quantile, IReadOnlyList<double> Values);

/// <summary>Equal-width histogram bins: lower edges, width, counts, and counts outside the range.</summary>
public sealed record HistogramBins(IReadOnlyList<double> LowerEdges, double BinWidth, IReadOnlyList<long> Counts, long Underflow, long Overflow)
{
    /// <summary>Copies a <see cref="FixedHistogram"/>.</summary>
    public static HistogramBins From(FixedHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var edges = new double[histogram.BinCount];
        for (var i = 0; i < edges.Length; i++) edges[i] = histogram.LowerEdge(i);
        return new HistogramBins(edges, histogram.BinWidth, [.. histogram.Counts], histogram.Underflow, histogram.Overflow);
    }
}

/// <summary>A table of already formatted cells; one row per policy or scenario.</summary>
public sealed record ResultsTable(IReadOnlyList<string> Columns, IReadOnlyList<ResultsRow> Rows)
{
    /// <summary>
    /// Headings over runs of columns (a header row above <see cref="Columns"/>), such as <c>History</c> and
    /// <c>Paths</c>; their spans add up to the number of columns. Null for none.
    /// </summary>
    public IReadOnlyList<ColumnGroup>? Groups { get; init; }

    /// <summary>
    /// The standard statistics table: final value, total return, CAGR, volatility, Sharpe, Sortino,
    /// max drawdown and tracking error (percent with two decimals; ratios with two decimals; "–" when absent).
    /// </summary>
    public static ResultsTable FromSummaries(IEnumerable<(string Name, PerformanceSummary Summary)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var inv = CultureInfo.InvariantCulture;
        static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %" : "–";
        static string Ratio(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";
        return new ResultsTable(
            ["Policy", "Final value", "Total return", "CAGR", "Volatility", "Sharpe", "Sortino", "Max drawdown", "Tracking error"],
            [.. rows.Select(r => new ResultsRow(r.Name,
            [
                r.Summary.FinalValue.ToString("#,##0.00", inv),
                Pct(r.Summary.TotalReturn),
                Pct(r.Summary.Cagr),
                Pct(r.Summary.AnnualizedVolatility),
                Ratio(r.Summary.Sharpe),
                Ratio(r.Summary.Sortino),
                Pct(r.Summary.MaxDrawdown),
                r.Summary.TrackingError is { } te ? Pct(te) : "–",
            ]))]);
    }
}

/// <summary>One table row: a name and one formatted cell per remaining column.</summary>
public sealed record ResultsRow(string Name, IReadOnlyList<string> Cells)
{
    /// <summary>Other names with exactly the same results (merged grid points), listed under the name; empty for none.</summary>
    public IReadOnlyList<string> SameAs { get; init; } = [];

    /// <summary>Shows the row highlighted (the best grid point).</summary>
    public bool Highlight { get; init; }
}

/// <summary>A table with its own heading and an optional note under it.</summary>
public sealed record TitledTable(string Heading, string? Note, ResultsTable Table);

/// <summary>A heading over <see cref="Span"/> adjacent columns; an empty label leaves the cell blank.</summary>
public sealed record ColumnGroup(string Label, int Span);

/// <summary>
/// Costs against tracking error of every grid point of a tuning run, from one source (history or paths).
/// <see cref="Id"/> names the canvas; costs are in currency units, tracking error an annualized fraction.
/// </summary>
/// <param name="Id">Canvas id, letters, digits and dashes only (for example <c>frontier-history</c>).</param>
/// <param name="Title">Chart heading.</param>
/// <param name="CostLabel">What the cost axis measures, such as <c>Costs</c> or <c>Mean costs per path</c>.</param>
/// <param name="TrackingErrorLabel">What the tracking error axis measures.</param>
/// <param name="MaxTrackingError">The objective: the best point is the cheapest at or below this tracking error.</param>
/// <param name="Points">One point per distinct result (merged grid points share one).</param>
public sealed record FrontierChart(string Id, string Title, string CostLabel, string TrackingErrorLabel, double MaxTrackingError, IReadOnlyList<FrontierPoint> Points);

/// <summary>
/// One distinct result of a tuning grid: its name, the names of the other grid points with the same results, its
/// tracking error and cost, whether it is on the frontier, and whether it is the best under the objective.
/// </summary>
public sealed record FrontierPoint(string Name, IReadOnlyList<string> SameAs, double TrackingError, double Cost, bool OnFrontier, bool Best);
