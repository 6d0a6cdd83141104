using BenchmarkDotNet.Attributes;
using Ballast.Drift;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Testing;

namespace Ballast.Benchmarks;

/// <summary><c>check</c> and <c>plan</c> of a 10-asset portfolio, alone and over 100,000 portfolios.</summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private Portfolio _one = null!;
    private Portfolio[] _many = null!;

    [GlobalSetup]
    public void Setup()
    {
        _one = TenAssets(1, new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)));
        var random = new Random(42);
        _many = new Portfolio[100_000];
        for (var i = 0; i < _many.Length; i++)
            _many[i] = TenAssets(random.Next(), (i % 3) switch
            {
                0 => new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)),
                1 => new Policy(LookSchedule.Daily, Trigger.Threshold(null, 0.20m), RebalanceTarget.InnerRail),
                _ => new Policy(new LookSchedule(LookFrequency.Quarterly), Trigger.Always),
            });
    }

    /// <summary>Ten priced holdings drifted randomly around an equal-ish target mix.</summary>
    public static Portfolio TenAssets(int seed, Policy policy, bool unitPrices = false)
    {
        var random = new Random(seed);
        var b = new PortfolioBuilder().Cash(1_000m + random.Next(10_000)).Policy(policy);
        decimal[] targets = [20, 15, 10, 10, 10, 10, 8, 7, 5, 5];
        for (var i = 0; i < 10; i++)
        {
            var price = 20m + random.Next(50_000) / 100m;
            var quantity = (decimal)random.Next(10, 2_000);
            if (unitPrices)
            {
                // Prices near 1 with long fractions and large holdings, as on simulated paths.
                price = 1m + random.Next(1_000_000) / 3_000_000m;
                quantity = random.Next(10_000, 200_000) + random.Next(1_000_000) / 1_000_000m;
            }
            b.Shares($"ETF{i}", quantity, price).Target($"ETF{i}", targets[i]);
        }
        return b.Execution(new ExecutionOptions { Costs = new CostModel(0, 0, 2), MinTrade = 10 }).Build();
    }

    [Benchmark]
    public DriftReport Check10() => DriftEvaluator.Evaluate(_one);

    [Benchmark]
    public Plan Plan10() => Planner.Create(_one, new PlanRequest { ForceRebalance = true });

    [Benchmark(OperationsPerInvoke = 100_000)]
    public int Check100k()
    {
        var n = 0;
        foreach (var p in _many) n += DriftEvaluator.Evaluate(p).NeedsRebalancing ? 1 : 0;
        return n;
    }

    [Benchmark(OperationsPerInvoke = 100_000)]
    public int Plan100k()
    {
        var n = 0;
        foreach (var p in _many) n += Planner.Create(p).Trades.Count;
        return n;
    }
}
