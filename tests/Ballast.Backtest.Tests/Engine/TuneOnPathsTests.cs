using Ballast.Backtest.Data;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>Tuning on Monte Carlo paths: tracking error per path, the frontier shared with history, and determinism.</summary>
public sealed class TuneOnPathsTests
{
    // Ten years of month-starts: A swings by up to ±5 % a month around 1 % growth, B by ±2 % around 0.3 %, so an
    // unrebalanced 60/40 drifts toward A and a bootstrap of these months gives paths that differ from each other.
    internal static PriceTable History()
    {
        var dates = Enumerable.Range(0, 121).Select(i => new DateOnly(2010, 1, 1).AddMonths(i)).ToArray();
        var a = new double[dates.Length];
        var b = new double[dates.Length];
        a[0] = b[0] = 100;
        for (var t = 1; t < dates.Length; t++)
        {
            a[t] = a[t - 1] * (1 + 0.01 + 0.05 * Math.Sin(1.7 * t));
            b[t] = b[t - 1] * (1 + 0.003 + 0.02 * Math.Cos(2.3 * t));
        }
        return new PriceTable("prices.csv", dates, ["A", "B"], [a, b]);
    }

    private static readonly NamedPolicy EveryPeriod = new("every period", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Always));
    private static readonly NamedPolicy Never = new("never", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Never));

    private static Experiment Experiment(decimal halfSpreadBps = 0) => new()
    {
        File = "exp.yaml",
        PricesPath = "prices.csv",
        Initial = 100_000m,
        Targets = [new TargetWeight("A", 0.60m), new TargetWeight("B", 0.40m)],
        Execution = ExecutionOptions.Default with { Costs = new CostModel(0, 0, halfSpreadBps) },
        Policies = [EveryPeriod, Never],
        MonteCarlo = new MonteCarloSettings("bootstrap", 6, 5, 11, 40),
        Tune = new TuneSettings([0.02m, 0.05m, 0.10m, 0.20m], [null], [null], [new LookSchedule(LookFrequency.Monthly), new LookSchedule(LookFrequency.Quarterly)], 0.01)
        {
            Evaluate = TuneEvaluation.Paths,
        },
    };

    [Fact]
    public void PathTrackingError_RebalancingEveryPeriodIsNearZero_NeverRebalancingIsNot()
    {
        var experiment = Experiment();
        var outcome = SimulationRunner.Run(experiment, History(), experiment.MonteCarlo!, 40, measures: SimulationMeasures.Tuning);

        var every = outcome.Policies[0];
        var never = outcome.Policies[1];
        Assert.Equal(40, every.TrackingError!.Count);
        Assert.Equal(40, never.TrackingError!.Count);
        // Held at target at every close and without costs, the portfolio is the at-target reference up to the cents
        // its trades are rounded to.
        Assert.True(every.TrackingError.Maximum < 1e-6, $"every period: largest tracking error {every.TrackingError.Maximum}");
        // Never rebalanced, it drifts away from 60/40 on every path.
        Assert.True(never.TrackingError.Minimum > 1e-3, $"never: smallest tracking error {never.TrackingError.Minimum}");
        Assert.True(never.TrackingError.Mean > 1000 * every.TrackingError.Mean);
        Assert.InRange(never.TrackingErrorQuantiles!.Quantile(0.95), never.TrackingError.Mean, never.TrackingError.Maximum);
    }

    [Fact]
    public void PathTrackingError_IsTheHistoryDefinition_OnThatPathAsAMarket()
    {
        // One path, drawn again by hand and backtested as if it were history: the same tracking error, annualized the same way.
        var experiment = Experiment(halfSpreadBps: 10);
        var prices = History();
        var settings = experiment.MonteCarlo!;
        var onPath = SimulationRunner.Run(experiment, prices, settings, 1, measures: SimulationMeasures.Tuning);

        var drawn = SimulatedPaths.For(experiment, prices, settings);
        var steps = settings.Years * 12;
        var buffer = new double[steps * drawn.Width];
        drawn.Generator.Generate(0, buffer);
        double[][] closes = [new double[steps + 1], new double[steps + 1]];
        var cash = drawn.ConstantCashGrowthRows(steps);
        drawn.ToMarket(buffer, closes, cash);
        var market = new Market(SimulationRunner.SyntheticDates(12, steps + 1), experiment.Assets, closes, cash, 12);
        var asHistory = ExperimentRunner.Run(experiment, market);

        for (var p = 0; p < 2; p++)
        {
            Assert.Equal(asHistory.Statistics[p].TrackingError, onPath.Policies[p].TrackingError!.Mean, 1e-12);
            Assert.Equal(asHistory.Statistics[p].Costs, onPath.Policies[p].Costs.Mean, 1e-9 * Math.Max(1, Math.Abs(asHistory.Statistics[p].Costs)));
        }
        Assert.True(asHistory.Statistics[1].TrackingError > 1e-3);
    }

    [Fact]
    public void Frontier_KeepsTheUndominated_AndBestIsTheCheapestUnderTheObjective()
    {
        TuneScore[] scores = [new(100, 0.02), new(50, 0.03), new(80, 0.01), new(120, 0.01), new(50, 0.05), new(80, 0.01)];

        // (100, 2%) loses to (80, 1%); (120, 1%) too; (50, 5%) to (50, 3%). The two (80, 1%) tie: neither beats the other.
        Assert.Equal([false, true, true, false, false, true], TuneFrontier.OnFrontier(scores));
        Assert.Equal(2, TuneFrontier.Best(scores, 0.025)); // the first of the tied cheapest
        Assert.Equal(1, TuneFrontier.Best(scores, 0.03));
        Assert.Null(TuneFrontier.Best(scores, 0.005));
        Assert.Null(TuneFrontier.Best([new TuneScore(1, double.NaN)], 1));
    }

    [Fact]
    public void RunOnPaths_FrontierAndBest_FollowTheMeans()
    {
        var experiment = Experiment(halfSpreadBps: 5);
        var outcome = Tuner.RunOnPaths(experiment, History(), experiment.MonteCarlo!, 60);

        Assert.Equal(8, outcome.Points.Count);
        Assert.Equal(0, outcome.Rejected);
        var points = outcome.Points;
        Assert.All(points, p => Assert.Equal(60, p.Simulation.TrackingError!.Count));
        // Narrow bands trade more and track closer than wide ones: the grid is a real trade-off.
        var monthly2 = points.Single(p => p.Policy.Name == "monthly 2pp");
        var monthly20 = points.Single(p => p.Policy.Name == "monthly 20pp");
        Assert.True(monthly2.Score.Cost > monthly20.Score.Cost);
        Assert.True(monthly2.Score.TrackingError < monthly20.Score.TrackingError);
        foreach (var p in points)
        {
            var dominated = points.Any(o => o != p && o.Score.Cost <= p.Score.Cost && o.Score.TrackingError <= p.Score.TrackingError
                && (o.Score.Cost < p.Score.Cost || o.Score.TrackingError < p.Score.TrackingError));
            Assert.Equal(!dominated, p.OnFrontier);
        }
        Assert.True(points.Count(p => p.OnFrontier) > 1);
        var best = Assert.IsType<PathTunePoint>(outcome.Best);
        Assert.True(best.OnFrontier);
        Assert.True(best.Score.TrackingError <= 0.01);
        Assert.Equal(points.Where(p => p.Score.TrackingError <= 0.01).Min(p => p.Score.Cost), best.Score.Cost);
    }

    [Fact]
    public void RunOnPaths_SameSeedSameOutcome_WhateverTheThreadCount()
    {
        var experiment = Experiment(halfSpreadBps: 5);
        var prices = History();
        var settings = experiment.MonteCarlo!;
        var one = Tuner.RunOnPaths(experiment, prices, settings, 64, maxDegreeOfParallelism: 1);
        var again = Tuner.RunOnPaths(experiment, prices, settings, 64, maxDegreeOfParallelism: 1);
        var two = Tuner.RunOnPaths(experiment, prices, settings, 64, maxDegreeOfParallelism: 2);
        var otherSeed = Tuner.RunOnPaths(experiment, prices, settings with { Seed = 12 }, 64, maxDegreeOfParallelism: 1);

        for (var i = 0; i < one.Points.Count; i++)
        {
            var a = one.Points[i].Simulation;
            Assert.Equal(a.TrackingError!.Mean, again.Points[i].Simulation.TrackingError!.Mean);
            Assert.Equal(a.Costs.Mean, again.Points[i].Simulation.Costs.Mean);
            var b = two.Points[i].Simulation;
            // Quantile histograms merge exactly; means merge up to rounding.
            Assert.Equal(a.TrackingErrorQuantiles!.Quantile(0.95), b.TrackingErrorQuantiles!.Quantile(0.95));
            Assert.Equal(a.CostQuantiles!.Quantile(0.95), b.CostQuantiles!.Quantile(0.95));
            Assert.Equal(a.TrackingError.Minimum, b.TrackingError!.Minimum);
            // A tolerance, not rounding to places: two equal means can round to either side of a last digit.
            Assert.Equal(a.TrackingError.Mean, b.TrackingError.Mean, 1e-12);
            Assert.Equal(a.Costs.Mean, b.Costs.Mean, 1e-9 * Math.Max(1, Math.Abs(a.Costs.Mean)));
            Assert.Equal(one.Points[i].OnFrontier, two.Points[i].OnFrontier);
        }
        Assert.Equal(one.Best?.Policy.Name, two.Best?.Policy.Name);
        // The seed matters: other paths give other tracking errors.
        Assert.NotEqual(one.Points[0].Simulation.TrackingError!.Mean, otherSeed.Points[0].Simulation.TrackingError!.Mean);
    }
}
