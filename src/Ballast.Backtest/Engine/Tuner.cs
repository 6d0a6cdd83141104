using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Statistics;
using Ballast.Input;
using Ballast.Policies;

namespace Ballast.Backtest.Engine;

/// <summary>
/// What the frontier weighs for one grid point: its cost (currency units; on history costs plus estimated taxes when
/// the experiment has a tax section, on paths the mean costs per path) and its tracking error (annualized fraction;
/// on paths the mean per path).
/// </summary>
public readonly record struct TuneScore(double Cost, double TrackingError);

/// <summary>The cost/tracking-error frontier and the best point for an objective, over scores from history or from paths.</summary>
public static class TuneFrontier
{
    /// <summary>For each score, whether no other score beats it on both cost and tracking error (at least as good on both, better on one).</summary>
    public static bool[] OnFrontier(IReadOnlyList<TuneScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var on = new bool[scores.Count];
        for (var i = 0; i < on.Length; i++)
        {
            var s = scores[i];
            var dominated = false;
            for (var j = 0; j < on.Length && !dominated; j++)
            {
                var o = scores[j];
                dominated = j != i && o.Cost <= s.Cost && o.TrackingError <= s.TrackingError
                    && (o.Cost < s.Cost || o.TrackingError < s.TrackingError);
            }
            on[i] = !dominated;
        }
        return on;
    }

    /// <summary>
    /// The index of the cheapest score with tracking error at or below <paramref name="maxTrackingError"/> (ties: the
    /// lower tracking error, then the first), or null when none meets it. The best is always on the frontier.
    /// </summary>
    public static int? Best(IReadOnlyList<TuneScore> scores, double maxTrackingError)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int? best = null;
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            if (!(s.TrackingError <= maxTrackingError)) continue;
            if (best is not { } b || s.Cost < scores[b].Cost || (s.Cost == scores[b].Cost && s.TrackingError < scores[b].TrackingError)) best = i;
        }
        return best;
    }
}

/// <summary>One grid point of a tuning run on history: its policy and statistics, and whether it is on the cost (and tax)/tracking-error frontier.</summary>
public sealed record TunePoint(NamedPolicy Policy, PolicyStatistics Statistics, bool OnFrontier)
{
    /// <summary>Costs plus estimated taxes (just costs without a tax section) and tracking error over the whole history.</summary>
    public TuneScore Score => new(Statistics.CostsAndTaxes, Statistics.TrackingError);
}

/// <summary>The tuning results on history: every valid grid point, the grid points the engine rejects (inner rail outside the band), and the best point for the objective (null when none meets it).</summary>
public sealed record TuneOutcome(IReadOnlyList<TunePoint> Points, int Rejected, TunePoint? Best, double MaxTrackingError)
{
    /// <summary>True when the frontier's cost axis is costs plus estimated taxes (the experiment has a tax section).</summary>
    public bool IncludesTaxes { get; init; }
}

/// <summary>
/// One grid point of a tuning run on Monte Carlo paths: its policy, its streamed statistics over every path (with
/// tracking error and the quantiles of costs and tracking error), and whether it is on the frontier of mean costs
/// against mean tracking error.
/// </summary>
public sealed record PathTunePoint(NamedPolicy Policy, PolicySimulation Simulation, bool OnFrontier)
{
    /// <summary>Mean costs per path (currency units) and mean tracking error per path (annualized fraction).</summary>
    public TuneScore Score => new(Simulation.Costs.Mean, Simulation.TrackingError!.Mean);
}

/// <summary>
/// The tuning results on Monte Carlo paths: the simulation's settings and path count, every valid grid point, the
/// grid points the engine rejects, and the cheapest point (mean costs) whose mean tracking error meets the objective.
/// </summary>
public sealed record PathTuneOutcome(MonteCarloSettings Settings, long Paths, IReadOnlyList<PathTunePoint> Points, int Rejected, PathTunePoint? Best, double MaxTrackingError);

/// <summary>
/// Tunes threshold policies over a grid of bands, rails and look schedules, on history or on Monte Carlo paths. Each
/// grid point is run through the engine like any policy (on paths, through the same <see cref="SimulationRunner"/> as
/// <c>simulate</c>); both sources give each point a <see cref="TuneScore"/>, and <see cref="TuneFrontier"/> finds the
/// frontier and the best point the same way for both: the frontier is the set of points that no other point beats on
/// both cost and tracking error; the best point is the cheapest with tracking error at or below the objective (ties:
/// lower tracking error).
/// </summary>
public static class Tuner
{
    /// <summary>The grid's policies, named like <c>monthly 5pp/25% rail 10%</c>; combinations the policy rules reject are counted in <paramref name="rejected"/>.</summary>
    public static List<NamedPolicy> Grid(Experiment experiment, TuneSettings tune, out int rejected)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(tune);
        rejected = 0;
        var list = new List<NamedPolicy>();
        foreach (var look in tune.Looks)
        foreach (var abs in tune.Absolute)
        foreach (var rel in tune.Relative)
        foreach (var rail in tune.Rails)
        {
            if (abs is null && rel is null) continue;
            var policy = new Policy(look, Trigger.Threshold(abs, rel), rail is null ? RebalanceTarget.Target : RebalanceTarget.InnerRail, rail ?? 0.10m);
            var problems = new List<InputProblem>();
            PortfolioValidator.ValidatePolicy(policy, experiment.Targets, null, problems);
            if (problems.Count > 0) { rejected++; continue; }
            var name = $"{look} {policy.Trigger.Band}{(rail is { } r ? $" rail {r * 100:0.##}%" : "")}";
            list.Add(new NamedPolicy(name, policy));
        }
        return list;
    }

    /// <summary>Runs the grid on the history in <paramref name="market"/>; <paramref name="progress"/> is told each finished policy's name.</summary>
    public static TuneOutcome Run(Experiment experiment, Market market, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var tune = experiment.Tune ?? throw new ArgumentException("the experiment has no tune section", nameof(experiment));
        var grid = Grid(experiment, tune, out var rejected);
        var outcome = ExperimentRunner.Run(experiment with { Policies = grid }, market, progress: progress);
        var stats = outcome.Statistics;
        var scores = stats.Select(s => new TuneScore(s.CostsAndTaxes, s.TrackingError)).ToArray();
        var frontier = TuneFrontier.OnFrontier(scores);
        var points = stats.Select((s, i) => new TunePoint(grid[i], s, frontier[i])).ToArray();
        var best = TuneFrontier.Best(scores, tune.MaxTrackingError) is { } b ? points[b] : null;
        return new TuneOutcome(points, rejected, best, tune.MaxTrackingError) { IncludesTaxes = experiment.Tax is not null };
    }

    /// <summary>
    /// Runs the grid on <paramref name="paths"/> Monte Carlo paths of <paramref name="settings"/> drawn from the history in
    /// <paramref name="prices"/>: every grid policy on every path, through <see cref="SimulationRunner"/>, with each path's
    /// tracking error against the portfolio held at target on that path. Scores are the means over paths; estimated
    /// taxes are not part of them (simulations do not estimate taxes). <paramref name="progress"/> is told the paths done.
    /// </summary>
    public static PathTuneOutcome RunOnPaths(Experiment experiment, PriceTable prices, MonteCarloSettings settings, long paths, int? maxDegreeOfParallelism = null, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(settings);
        var tune = experiment.Tune ?? throw new ArgumentException("the experiment has no tune section", nameof(experiment));
        var grid = Grid(experiment, tune, out var rejected);
        if (settings.Years * (int)Math.Round(Periodicity.PeriodsPerYear(prices.Dates)) < 2)
            throw new InputException(new InputProblem(
                $"a path of {settings.Years} year of annual returns has one period, and a tracking error needs at least two; use years: 2 or more",
                experiment.File, null, null, "monteCarlo.years"));
        if (grid.Count == 0) return new PathTuneOutcome(settings, paths, [], rejected, null, tune.MaxTrackingError);
        var simulation = SimulationRunner.Run(experiment with { Policies = grid }, prices, settings, paths, maxDegreeOfParallelism, progress, SimulationMeasures.Tuning);
        var scores = simulation.Policies.Select(p => new TuneScore(p.Costs.Mean, p.TrackingError!.Mean)).ToArray();
        var frontier = TuneFrontier.OnFrontier(scores);
        var points = simulation.Policies.Select((p, i) => new PathTunePoint(grid[i], p, frontier[i])).ToArray();
        var best = TuneFrontier.Best(scores, tune.MaxTrackingError) is { } b ? points[b] : null;
        return new PathTuneOutcome(settings, paths, points, rejected, best, tune.MaxTrackingError);
    }
}
