using BenchmarkDotNet.Attributes;
using Ballast.Backtest.Data;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Benchmarks;

/// <summary>
/// Backtests through the engine: 20 years of daily closes (5,040 trading days) of 10 simulated assets with a
/// daily 5/25 threshold check and with quarterly calendar rebalancing; and a Monte Carlo of 10,000 paths ×
/// 30 years monthly × 10 assets × 6 policies on every core. Prices are a deterministic random walk (seeded).
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private static readonly decimal[] Weights = [0.20m, 0.15m, 0.10m, 0.10m, 0.10m, 0.10m, 0.08m, 0.07m, 0.05m, 0.05m];
    private Backtester _daily = null!;
    private Experiment _experiment = null!;
    private PriceTable _monthly = null!;
    private static readonly Policy DailyThreshold = new(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m));
    private static readonly Policy Quarterly = new(new LookSchedule(LookFrequency.Quarterly), Trigger.Always);

    [GlobalSetup]
    public void Setup()
    {
        var assets = Enumerable.Range(0, 10).Select(i => $"A{i}").ToArray();
        var targets = assets.Select((a, i) => new TargetWeight(a, Weights[i])).ToArray();
        var dailyDates = SimulationRunner.SyntheticDates(252, 5_040);
        _daily = new Backtester(new Market(dailyDates, assets, Walk(assets.Length, dailyDates.Length, 0.0003, 0.012, 1)), targets,
            new ExecutionOptions { Costs = new CostModel(0, 0, 2) }, 1_000_000m);

        var monthlyDates = SimulationRunner.SyntheticDates(12, 600);
        var closes = Walk(assets.Length, monthlyDates.Length, 0.006, 0.045, 2);
        _monthly = new PriceTable("simulated", monthlyDates, assets, closes);
        _experiment = new Experiment
        {
            File = "bench", PricesPath = "simulated", Targets = targets, Initial = 1_000_000m,
            Execution = new ExecutionOptions { Costs = new CostModel(0, 0, 2) },
            Policies =
            [
                new("never", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Never)),
                new("monthly", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Always)),
                new("quarterly", Quarterly),
                new("annual", new Policy(new LookSchedule(LookFrequency.Annual), Trigger.Always)),
                new("5/25", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Threshold(0.05m, 0.25m))),
                new("20/10 rails", new Policy(new LookSchedule(LookFrequency.Monthly), Trigger.Threshold(null, 0.20m), RebalanceTarget.InnerRail)),
            ],
        };
    }

    private static double[][] Walk(int assets, int rows, double drift, double vol, int seed)
    {
        var random = new Random(seed);
        var closes = new double[assets][];
        for (var a = 0; a < assets; a++)
        {
            closes[a] = new double[rows];
            closes[a][0] = 50 + 10 * a;
            for (var t = 1; t < rows; t++)
            {
                var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                closes[a][t] = closes[a][t - 1] * Math.Exp(drift + vol * z);
            }
        }
        return closes;
    }

    /// <summary>Each policy of the Monte Carlo alone on 1,000 paths (or BALLAST_PATHS), one core; <paramref name="only"/> "all" times the six together: where its time goes.</summary>
    internal void PerPolicy(string? only = null)
    {
        SimulationRunner.Run(_experiment, _monthly, new MonteCarloSettings("bootstrap", 12, 30, 1, 200), 200, maxDegreeOfParallelism: 1);
        var paths = int.TryParse(Environment.GetEnvironmentVariable("BALLAST_PATHS"), out var k) ? k : 1_000;
        if (only == "all")
        {
            // The fastest of seven rounds in one process: steady-state code, less of the machine's noise.
            var best = double.MaxValue;
            var allocated = GC.GetTotalAllocatedBytes();
            for (var round = 0; round < 7; round++)
            {
                var all = System.Diagnostics.Stopwatch.StartNew();
                SimulationRunner.Run(_experiment, _monthly, new MonteCarloSettings("bootstrap", 12, 30, 1, paths), paths, maxDegreeOfParallelism: 1);
                best = Math.Min(best, all.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"all six policies {best,8:F0} ms for {paths} paths on one core (fastest of 7), {(GC.GetTotalAllocatedBytes() - allocated) / (7 * paths):N0} B allocated per path");
            return;
        }
        foreach (var p in _experiment.Policies)
        {
            if (only is not null && p.Name != only) continue;
            var one = _experiment with { Policies = [p] };
            var history = Backtester.For(_experiment, Market.From(_experiment, _monthly)).Run(p.Name, p.Policy);
            Console.WriteLine($"{p.Name,-12} on the 600-month history: {history.EngineCalls} engine calls, {history.Rebalances} rebalances");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var outcome = SimulationRunner.Run(one, _monthly, new MonteCarloSettings("bootstrap", 12, 30, 1, paths), paths, maxDegreeOfParallelism: 1);
            Console.WriteLine($"{p.Name,-12} {sw.Elapsed.TotalMilliseconds,8:F0} ms  rebalances/path {outcome.Policies[0].Rebalances.Mean,8:F1}");
        }
    }

    [Benchmark]
    public PolicyRunResult Backtest_Daily20y10Assets_DailyThreshold() => _daily.Run("daily 5/25", DailyThreshold);

    [Benchmark]
    public PolicyRunResult Backtest_Daily20y10Assets_Quarterly() => _daily.Run("quarterly", Quarterly);

    [Benchmark]
    public SimulationOutcome Backtest_MonteCarlo10000Paths30y10Assets6Policies() =>
        SimulationRunner.Run(_experiment, _monthly, new MonteCarloSettings("bootstrap", 12, 30, 1, 10_000), 10_000);
}
