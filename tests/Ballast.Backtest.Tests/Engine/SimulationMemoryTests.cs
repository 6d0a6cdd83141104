using Ballast.Backtest.Data;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>Measures the whole process's managed heap, so nothing else may run beside it.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>Simulation memory is fixed by the horizon and the statistics' resolution, not by the number of paths.</summary>
[Collection(nameof(HeapMeasurement))]
public sealed class SimulationMemoryTests
{
    // A result kept per path would add at least 8 bytes per policy per path (one terminal wealth); the simplest
    // per-path record, the 10 year-end wealths of each of the 2 policies (a double[10] of 104 bytes), adds
    // 1,800 × 2 × 104 ≈ 374 KB for 1,800 more paths, and keeping each run's own arrays (values, index, drift and
    // band over 121 rows) about 14 MB. The bound, 40 bytes per extra path (72 KB), fails for either. Measured
    // with nothing else running, the live and retained heaps of the same run vary by under 20 KB between
    // repetitions; the smallest of three repetitions drops one-off allocations of the test host (a 280 KB
    // buffer seen once, early in the process).
    private const int FewPaths = 200;
    private const int ManyPaths = 2_000;
    private const long BytesPerExtraPath = 40;

    // simulate measures wealth distributions; tuning on paths measures tracking error (one at-target index per path,
    // reused) and the quantiles of costs and tracking error instead.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Simulate_LiveAndRetainedHeap_DoNotGrowWithThePathCount(bool tuning)
    {
        var measures = tuning ? SimulationMeasures.Tuning : SimulationMeasures.Default;
        var path = TestPaths.InRepo("examples/simulate-60-40.yaml");
        var experiment = ExperimentReader.Load(path, "simulate-60-40.yaml");
        var prices = ExperimentReader.LoadPrices(experiment);
        experiment = experiment with { Policies = [experiment.Policies[0], experiment.Policies[1]] }; // never, annual
        var settings = experiment.MonteCarlo! with { Years = 10 };
        Measure(experiment, prices, settings, measures, 64); // JIT, statics and caches are not the paths' doing

        (long PeakLive, long Retained) few = (long.MaxValue, long.MaxValue), many = few;
        for (var k = 0; k < 3; k++)
        {
            few = Smaller(few, Measure(experiment, prices, settings, measures, FewPaths));
            many = Smaller(many, Measure(experiment, prices, settings, measures, ManyPaths));
        }

        var allowed = (ManyPaths - FewPaths) * BytesPerExtraPath;
        Assert.True(many.PeakLive - few.PeakLive < allowed,
            $"live heap during the run grew by {many.PeakLive - few.PeakLive:N0} bytes from {FewPaths} to {ManyPaths} paths (peaks {few.PeakLive:N0} and {many.PeakLive:N0}); allowed {allowed:N0}");
        Assert.True(many.Retained - few.Retained < allowed,
            $"heap retained with the results grew by {many.Retained - few.Retained:N0} bytes from {FewPaths} to {ManyPaths} paths ({few.Retained:N0} and {many.Retained:N0}); allowed {allowed:N0}");
        // The measurement sees the results themselves: the per-step quantile histograms of two policies, over 500 KB;
        // when tuning, their cost and tracking-error quantile histograms, about 67 KB (measured 60-67 KB: the smallest
        // of three repetitions can land up to 20 KB low, so the bound is 40 KB).
        var results = tuning ? 40_000 : 500_000;
        Assert.True(few.Retained > results, $"retained {few.Retained:N0} bytes: the measurement missed the results");
    }

    private static (long, long) Smaller((long PeakLive, long Retained) a, (long PeakLive, long Retained) b) =>
        (Math.Min(a.PeakLive, b.PeakLive), Math.Min(a.Retained, b.Retained));

    /// <summary>
    /// Runs <paramref name="paths"/> paths on one worker. Every 64 paths the progress callback, running on that
    /// worker between paths, forces a full collection and records the live heap: whatever the run holds at that
    /// point, including anything kept per path so far. Retained is what stays live with the outcome afterwards.
    /// </summary>
    private static (long PeakLive, long Retained) Measure(Experiment experiment, PriceTable prices, MonteCarloSettings settings, SimulationMeasures measures, int paths)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var outcome = SimulationRunner.Run(experiment, prices, settings, paths, maxDegreeOfParallelism: 1,
            progress: _ => peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before), measures: measures);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(paths, measures.Distributions ? outcome.Policies[0].Wealth.Paths : outcome.Policies[0].TrackingError!.Count);
        GC.KeepAlive(outcome);
        return (peak, retained);
    }
}
