using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Reports;
using Ballast.Cli.Backtest;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// The reports of the shipped examples, built in process the way <c>ballast backtest</c>, <c>simulate</c> and
/// <c>tune --report</c> build them (the same <see cref="BacktestReports"/> builders), for browser tests and the
/// documentation screenshots.
/// </summary>
internal static class ExampleReports
{
    /// <summary>The backtest report of an example, with allocations recorded as <c>--report</c> does.</summary>
    public static BacktestReport Backtest(string example)
    {
        var experiment = Load(example);
        var market = Market.From(experiment, ExperimentReader.LoadPrices(experiment));
        return BacktestReports.History(ExperimentRunner.Run(experiment, market, new BacktestOptions { RecordWeights = true }));
    }

    /// <summary>The simulation report of an example on <paramref name="paths"/> paths (default: the experiment's).</summary>
    public static BacktestReport Simulate(string example, long? paths = null)
    {
        var experiment = Load(example);
        var settings = experiment.MonteCarlo ?? new MonteCarloSettings();
        var outcome = SimulationRunner.Run(experiment, ExperimentReader.LoadPrices(experiment), settings, paths ?? settings.Paths);
        return BacktestReports.Simulation(outcome);
    }

    /// <summary>The tuning outcomes of an example on history and paths, as its <c>tune.evaluate</c> asks (paths: <paramref name="paths"/>, default the experiment's).</summary>
    public static (Experiment Experiment, TuneOutcome? History, PathTuneOutcome? Paths) TuneOutcomes(string example, long? paths = null)
    {
        var experiment = Load(example);
        var tune = experiment.Tune ?? throw new ArgumentException($"{example} has no tune section");
        var prices = ExperimentReader.LoadPrices(experiment);
        var history = tune.OnHistory ? Tuner.Run(experiment, Market.From(experiment, prices)) : null;
        PathTuneOutcome? onPaths = null;
        if (tune.OnPaths)
        {
            var settings = experiment.MonteCarlo ?? new MonteCarloSettings();
            onPaths = Tuner.RunOnPaths(experiment, prices, settings, paths ?? settings.Paths);
        }
        return (experiment, history, onPaths);
    }

    /// <summary>The tuning report of an example.</summary>
    public static BacktestReport Tune(string example, long? paths = null)
    {
        var (experiment, history, onPaths) = TuneOutcomes(example, paths);
        return BacktestReports.Tune(experiment.Name, history, onPaths);
    }

    private static Experiment Load(string example) => ExperimentReader.Load(TestPaths.InRepo(example), example);
}
