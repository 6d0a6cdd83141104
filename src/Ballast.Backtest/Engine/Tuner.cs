using Ballast.Backtest.Experiments;
using Ballast.Input;
using Ballast.Policies;

namespace Ballast.Backtest.Engine;

/// <summary>One grid point of a tuning run: its policy and statistics on history, and whether it is on the cost (and tax)/tracking-error frontier.</summary>
public sealed record TunePoint(NamedPolicy Policy, PolicyStatistics Statistics, bool OnFrontier);

/// <summary>The tuning results: every valid grid point, the grid points the engine rejects (inner rail outside the band), and the best point for the objective (null when none meets it).</summary>
public sealed record TuneOutcome(IReadOnlyList<TunePoint> Points, int Rejected, TunePoint? Best, double MaxTrackingError)
{
    /// <summary>True when the frontier's cost axis is costs plus estimated taxes (the experiment has a tax section).</summary>
    public bool IncludesTaxes { get; init; }
}

/// <summary>
/// Tunes threshold policies over a grid of bands, rails and look schedules on history. Each grid point is run
/// through the engine like any policy; the frontier is the set of points that no other point beats on both
/// costs (currency units; costs plus estimated taxes when the experiment has a tax section,
/// <see cref="PolicyStatistics.CostsAndTaxes"/>) and tracking error; the best point is the cheapest with tracking
/// error at or below the objective (ties: lower tracking error).
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

    /// <summary>Runs the grid on <paramref name="market"/>.</summary>
    public static TuneOutcome Run(Experiment experiment, Market market, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var tune = experiment.Tune ?? throw new ArgumentException("the experiment has no tune section", nameof(experiment));
        var grid = Grid(experiment, tune, out var rejected);
        var outcome = ExperimentRunner.Run(experiment with { Policies = grid }, market, progress: progress);
        var stats = outcome.Statistics;
        var points = new List<TunePoint>(stats.Count);
        for (var i = 0; i < stats.Count; i++)
        {
            var s = stats[i];
            var dominated = stats.Any(o => !ReferenceEquals(o, s)
                && o.CostsAndTaxes <= s.CostsAndTaxes && o.TrackingError <= s.TrackingError
                && (o.CostsAndTaxes < s.CostsAndTaxes || o.TrackingError < s.TrackingError));
            points.Add(new TunePoint(grid[i], s, !dominated));
        }
        var best = points.Where(p => p.Statistics.TrackingError <= tune.MaxTrackingError)
            .OrderBy(p => p.Statistics.CostsAndTaxes).ThenBy(p => p.Statistics.TrackingError).FirstOrDefault();
        return new TuneOutcome(points, rejected, best, tune.MaxTrackingError) { IncludesTaxes = experiment.Tax is not null };
    }
}
