using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.MonteCarlo;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Engine;

/// <summary>
/// What a simulation measures on every path beyond the moments of maximum drawdown, turnover, costs and
/// rebalances. Each measure costs memory per policy and worker (not per path) or time per path, so a run asks
/// only for what it reports.
/// </summary>
public sealed record SimulationMeasures
{
    /// <summary>What <c>simulate</c> reports: wealth distributions and drawdown quantiles, no tracking error.</summary>
    public static SimulationMeasures Default { get; } = new();

    /// <summary>What tuning on paths reports: tracking error and the quantiles of costs and tracking error, no wealth distributions.</summary>
    public static SimulationMeasures Tuning { get; } = new() { Distributions = false, TrackingError = true };

    /// <summary>
    /// The yearly wealth distribution (fan chart, terminal quantiles and histogram) and the drawdown quantiles;
    /// default true. About 0.7 MB per policy and worker for 30 years.
    /// </summary>
    public bool Distributions { get; init; } = true;

    /// <summary>
    /// Each path's tracking error against a portfolio held exactly at target on the same path (computed once per
    /// path), with its quantiles, and the quantiles of costs per path; default false. About 30 KB per policy and worker.
    /// </summary>
    public bool TrackingError { get; init; }
}

/// <summary>
/// One policy's Monte Carlo results, streamed: yearly wealth (multiples of the initial capital; fan chart,
/// terminal quantiles and histogram), and the moments of its maximum drawdown (a fraction ≤ 0), one-way
/// turnover per year (a fraction), costs (currency units) and rebalance count per path; when measured, the
/// tracking error per path (annualized fraction) against the at-target portfolio on the same path.
/// </summary>
public sealed class PolicySimulation
{
    private readonly WealthPathStatistics? _wealth;
    private readonly LogHistogramQuantiles? _troughRatio;

    internal PolicySimulation(string name, int years, double histogramMaximum, double initial, SimulationMeasures measures)
    {
        Name = name;
        if (measures.Distributions)
        {
            _wealth = new WealthPathStatistics(years, histogramMaximum);
            _troughRatio = new LogHistogramQuantiles(1e-4, 1.0001, 0.001);
        }
        if (measures.TrackingError)
        {
            TrackingError = new RunningMoments();
            // 1 % resolution (quantiles within 0.5 %) keeps a grid of many policies small.
            TrackingErrorQuantiles = new LogHistogramQuantiles(1e-7, 10, 0.01);
            CostQuantiles = new LogHistogramQuantiles(initial * 1e-8, initial * 100, 0.01);
        }
    }

    /// <summary>The policy's name.</summary>
    public string Name { get; }
    /// <summary>Wealth at each year end, in multiples of the initial capital; throws when the run did not measure <see cref="SimulationMeasures.Distributions"/>.</summary>
    public WealthPathStatistics Wealth => _wealth ?? throw new InvalidOperationException("this simulation did not measure wealth distributions");
    /// <summary>Quantiles of 1 + maximum drawdown (the trough as a fraction of the peak); throws when the run did not measure <see cref="SimulationMeasures.Distributions"/>.</summary>
    public LogHistogramQuantiles TroughRatio => _troughRatio ?? throw new InvalidOperationException("this simulation did not measure drawdown quantiles");
    /// <summary>Maximum drawdown per path (fraction ≤ 0).</summary>
    public RunningMoments MaxDrawdown { get; } = new();
    /// <summary>One-way turnover per year per path (fraction).</summary>
    public RunningMoments Turnover { get; } = new();
    /// <summary>Costs per path (currency units).</summary>
    public RunningMoments Costs { get; } = new();
    /// <summary>Rebalances per path.</summary>
    public RunningMoments Rebalances { get; } = new();
    /// <summary>Annualized tracking error per path against the at-target portfolio on that path (fraction), or null when not measured.</summary>
    public RunningMoments? TrackingError { get; }
    /// <summary>Quantiles of <see cref="TrackingError"/> (1 % resolution), or null when not measured.</summary>
    public LogHistogramQuantiles? TrackingErrorQuantiles { get; }
    /// <summary>Quantiles of costs per path (currency units, 1 % resolution), or null when tracking error is not measured.</summary>
    public LogHistogramQuantiles? CostQuantiles { get; }

    internal void Merge(PolicySimulation other)
    {
        _wealth?.Merge(other.Wealth);
        _troughRatio?.Merge(other.TroughRatio);
        MaxDrawdown.Merge(other.MaxDrawdown);
        Turnover.Merge(other.Turnover);
        Costs.Merge(other.Costs);
        Rebalances.Merge(other.Rebalances);
        if (TrackingError is not null)
        {
            TrackingError.Merge(other.TrackingError!);
            TrackingErrorQuantiles!.Merge(other.TrackingErrorQuantiles!);
            CostQuantiles!.Merge(other.CostQuantiles!);
        }
    }

    /// <summary>The q-quantile of the maximum drawdown (q = 0.05 is the 5 % worst).</summary>
    public double MaxDrawdownQuantile(double q) => TroughRatio.Quantile(q) - 1;
}

/// <summary>The results of a simulation: its settings, rows per year, and one <see cref="PolicySimulation"/> per policy.</summary>
public sealed record SimulationOutcome(Experiment Experiment, MonteCarloSettings Settings, long Paths, double PeriodsPerYear, IReadOnlyList<PolicySimulation> Policies);

/// <summary>
/// Monte Carlo: simulates return paths (block bootstrap of history, or a fitted multivariate normal or
/// lognormal), turns each into prices starting at 1, and backtests every policy on every path through the
/// engine, exactly as on history. Statistics stream into fixed-size accumulators, so memory does not grow
/// with the number of paths; paths run on all cores and each path's randomness depends only on the seed and
/// its index, so results do not depend on the thread count. Simulated returns at or below −100 % (possible
/// under the normal model) are floored at −99.99 %.
/// </summary>
public static class SimulationRunner
{
    /// <summary>
    /// Runs <paramref name="paths"/> paths of <paramref name="settings"/> over the history in <paramref name="prices"/>,
    /// measuring <paramref name="measures"/> (default <see cref="SimulationMeasures.Default"/>).
    /// </summary>
    public static SimulationOutcome Run(Experiment experiment, PriceTable prices, MonteCarloSettings settings, long paths, int? maxDegreeOfParallelism = null, Action<long>? progress = null,
        SimulationMeasures? measures = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(settings);
        measures ??= SimulationMeasures.Default;
        var assets = experiment.Assets;
        // The assets and, when the experiment names one, the cash series are drawn together (see SimulatedPaths).
        var drawn = SimulatedPaths.For(experiment, prices, settings);
        var generator = drawn.Generator;
        var ppy = drawn.PeriodsPerYear;
        var rowsPerYear = (int)Math.Round(ppy);
        var steps = settings.Years * rowsPerYear;
        var dates = SyntheticDates(ppy, steps + 1);
        var cashGrowth = drawn.ConstantCashGrowthRows(steps);

        var histogramMaximum = measures.Distributions ? PilotMaximum(experiment, drawn, steps) : 1;
        var initial = (double)experiment.Initial;
        var totals = experiment.Policies.Select(p => new PolicySimulation(p.Name, settings.Years, histogramMaximum, initial, measures)).ToArray();
        long done = 0;
        ParallelPaths.Run(
            paths,
            () => new Worker(experiment, drawn, dates, cashGrowth, ppy, steps, assets, settings.Years, rowsPerYear, histogramMaximum, measures),
            (i, w) =>
            {
                w.RunPath(generator, i);
                var d = Interlocked.Increment(ref done);
                if (progress is not null && d % 64 == 0) progress(d);
            },
            w =>
            {
                for (var p = 0; p < totals.Length; p++) totals[p].Merge(w.Results[p]);
            },
            maxDegreeOfParallelism);
        return new SimulationOutcome(experiment, settings, paths, ppy, totals);
    }

    /// <summary>Dates one period apart for <paramref name="periodsPerYear"/> rows a year, from 2001-01-01 (weekdays for daily rows).</summary>
    public static DateOnly[] SyntheticDates(double periodsPerYear, int count)
    {
        var dates = new DateOnly[count];
        var d = new DateOnly(2001, 1, 1);
        for (var t = 0; t < count; t++)
        {
            dates[t] = d;
            d = periodsPerYear switch
            {
                >= 200 => d.DayOfWeek == DayOfWeek.Friday ? d.AddDays(3) : d.AddDays(1),
                >= 40 => d.AddDays(7),
                >= 10 => d.AddMonths(1),
                >= 3 => d.AddMonths(3),
                _ => d.AddYears(1),
            };
        }
        return dates;
    }

    /// <summary>Upper edge of the terminal-wealth histogram: 1.5 × the largest at-target terminal wealth of 256 pilot paths.</summary>
    private static double PilotMaximum(Experiment experiment, SimulatedPaths drawn, int steps)
    {
        var width = drawn.Width;
        var buffer = new double[steps * width];
        var w = new double[width]; // weight per drawn column; cash (a CASH target) joins the cash column when cash is drawn
        double constantCash = 0;
        foreach (var t in experiment.Targets)
        {
            var column = t.Ticker == Ballast.Portfolios.Portfolio.CashTicker ? drawn.CashColumn : IndexOf(drawn.Columns, t.Ticker, drawn.AssetCount);
            if (column >= 0) w[column] += (double)t.Weight;
            else constantCash += (double)t.Weight;
        }
        double max = 1;
        for (var p = 0; p < 256; p++)
        {
            drawn.Generator.Generate(p, buffer);
            double wealth = 1;
            for (var t = 0; t < steps; t++)
            {
                var r = constantCash * (drawn.ConstantCashGrowth - 1);
                for (var i = 0; i < width; i++) r += w[i] * Math.Max(buffer[t * width + i], SimulatedPaths.ReturnFloor);
                wealth *= 1 + r;
            }
            max = Math.Max(max, wealth);
        }
        return Math.Ceiling(max * 1.5);

        static int IndexOf(IReadOnlyList<string> columns, string ticker, int count)
        {
            for (var i = 0; i < count; i++) if (columns[i] == ticker) return i;
            return -1;
        }
    }

    private static readonly BacktestOptions SummaryOnly = new() { SummaryOnly = true };

    private sealed class Worker
    {
        private readonly RunScratch _scratch = new();
        private readonly Experiment _experiment;
        private readonly SimulatedPaths _drawn;
        private readonly Market _market;
        private readonly Backtester _backtester;
        private readonly double[] _buffer;
        private readonly double[] _yearly;
        private readonly int _steps;
        private readonly int _rowsPerYear;
        private readonly bool _distributions;
        private readonly ReferenceWeights? _referenceWeights;
        private readonly double[] _reference;

        public Worker(Experiment experiment, SimulatedPaths drawn, DateOnly[] dates, double[] cashGrowth, double ppy, int steps, IReadOnlyList<string> assets, int years, int rowsPerYear, double histogramMaximum,
            SimulationMeasures measures)
        {
            _experiment = experiment;
            _drawn = drawn;
            var closes = new double[assets.Count][];
            for (var a = 0; a < closes.Length; a++) closes[a] = new double[steps + 1];
            // A copy per worker: a drawn cash series rewrites it on every path.
            _market = new Market(dates, assets, closes, (double[])cashGrowth.Clone(), ppy);
            _backtester = Backtester.For(experiment, _market);
            _buffer = new double[steps * drawn.Width];
            _yearly = new double[years];
            _steps = steps;
            _rowsPerYear = rowsPerYear;
            _distributions = measures.Distributions;
            _referenceWeights = measures.TrackingError ? ReferenceWeights.Of(_market.Assets, experiment.Targets) : null;
            _reference = measures.TrackingError ? new double[steps + 1] : [];
            var initial = (double)experiment.Initial;
            Results = experiment.Policies.Select(p => new PolicySimulation(p.Name, years, histogramMaximum, initial, measures)).ToArray();
        }

        public PolicySimulation[] Results { get; }

        public void RunPath(IPathGenerator generator, long index)
        {
            generator.Generate(index, _buffer);
            // The drawn returns become the market's closes and, when cash is drawn too, its cash growth.
            _drawn.ToMarket(_buffer, _market.Closes, _market.CashGrowth);
            // One at-target index per path, shared by every policy's tracking error.
            if (_referenceWeights is not null) ExperimentRunner.ReferenceIndex(_market, _referenceWeights, _reference);
            var initial = (double)_experiment.Initial;
            for (var p = 0; p < Results.Length; p++)
            {
                var policy = _experiment.Policies[p];
                // The run's values and index belong to the scratch and change at the next run: read them here.
                var run = _backtester.Run(policy.Name, policy.Policy, SummaryOnly, _scratch);
                var r = Results[p];
                var dd = Performance.MaxDrawdown(run.Index).Depth;
                if (_distributions)
                {
                    for (var y = 0; y < _yearly.Length; y++) _yearly[y] = run.Values[(y + 1) * _rowsPerYear] / initial;
                    r.Wealth.AddPath(_yearly);
                    r.TroughRatio.Add(1 + dd);
                }
                r.MaxDrawdown.Add(dd);
                r.Turnover.Add(run.TurnoverPerYear);
                r.Costs.Add(run.Costs);
                r.Rebalances.Add(run.Rebalances);
                if (r.TrackingError is not null)
                {
                    var te = Performance.TrackingError(run.Index, _reference, _market.PeriodsPerYear);
                    r.TrackingError.Add(te);
                    r.TrackingErrorQuantiles!.Add(te);
                    r.CostQuantiles!.Add(run.Costs);
                }
            }
        }
    }
}
