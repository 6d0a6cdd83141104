using Ballast.Backtest.MonteCarlo;

namespace Ballast.Backtest.Tests.MonteCarlo;

public sealed class StreamingStatisticsTests
{
    private static double[] LognormalSample(int n, ulong seed)
    {
        var rng = PathRandom.ForPath(seed, 0);
        var x = new double[n];
        for (var i = 0; i < n; i++) x[i] = Math.Exp(0.3 + 0.8 * rng.NextGaussian());
        return x;
    }

    // The lower empirical quantile the estimator targets: the ⌈q·n⌉-th smallest value.
    private static double ExactQuantile(double[] sorted, double q) => sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1];

    [Fact]
    public void RunningMoments_MatchTwoPassFormulas()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32 / 7.
        var m = new RunningMoments();
        foreach (var v in new double[] { 2, 4, 4, 4, 5, 5, 7, 9 }) m.Add(v);

        Assert.Equal(8, m.Count);
        Assert.Equal(5, m.Mean, 12);
        Assert.Equal(32.0 / 7, m.Variance, 12);
        Assert.Equal((2.0, 9.0), (m.Minimum, m.Maximum));
    }

    [Fact]
    public void RunningMoments_MergeEqualsSinglePass()
    {
        var data = LognormalSample(10_001, 4);
        var all = new RunningMoments();
        var left = new RunningMoments();
        var right = new RunningMoments();
        for (var i = 0; i < data.Length; i++)
        {
            all.Add(data[i]);
            (i < 3_333 ? left : right).Add(data[i]);
        }

        left.Merge(right);

        Assert.Equal(all.Count, left.Count);
        Assert.Equal(all.Mean, left.Mean, 1e-10 * Math.Max(1, Math.Abs(all.Mean)));
        Assert.Equal(all.Variance, left.Variance, 10);
        Assert.Equal(all.Maximum, left.Maximum);
    }

    [Fact]
    public void LogHistogram_QuantilesWithinStatedRelativeErrorOfExact()
    {
        var data = LognormalSample(100_000, 7);
        var sketch = new LogHistogramQuantiles();
        foreach (var v in data) sketch.Add(v);
        var sorted = data.Order().ToArray();

        foreach (var q in new[] { 0.05, 0.25, 0.5, 0.75, 0.95 })
        {
            var exact = ExactQuantile(sorted, q);
            var estimate = sketch.Quantile(q);
            // √1.001 − 1 ≈ 0.0005, plus a hair for the floating-point bucket boundary.
            Assert.True(Math.Abs(estimate / exact - 1) <= sketch.MaxRelativeError + 1e-12, $"q={q}: {estimate} vs exact {exact}");
        }
        Assert.Equal(sorted[0], sketch.Quantile(0));
        Assert.Equal(sorted[^1], sketch.Quantile(1));
    }

    [Fact]
    public void LogHistogram_CoarseResolution_ErrorBoundStillHoldsAndIsLarger()
    {
        var data = LognormalSample(20_000, 8);
        var sketch = new LogHistogramQuantiles(resolution: 0.05);
        foreach (var v in data) sketch.Add(v);
        var sorted = data.Order().ToArray();

        var exact = ExactQuantile(sorted, 0.5);
        Assert.True(Math.Abs(sketch.Quantile(0.5) / exact - 1) <= sketch.MaxRelativeError + 1e-12);
        Assert.Equal(Math.Sqrt(1.05) - 1, sketch.MaxRelativeError, 12);
    }

    [Fact]
    public void LogHistogram_MergeEqualsSinglePassExactly()
    {
        var data = LognormalSample(5_000, 9);
        var all = new LogHistogramQuantiles();
        var a = new LogHistogramQuantiles();
        var b = new LogHistogramQuantiles();
        for (var i = 0; i < data.Length; i++)
        {
            all.Add(data[i]);
            (i % 3 == 0 ? a : b).Add(data[i]);
        }

        a.Merge(b);

        foreach (var q in new[] { 0.01, 0.05, 0.5, 0.95, 0.99 }) Assert.Equal(all.Quantile(q), a.Quantile(q));
    }

    [Fact]
    public void LogHistogram_ValuesBelowRange_ReportRangeMinimum()
    {
        var sketch = new LogHistogramQuantiles(rangeMinimum: 0.01);
        sketch.Add(-0.5);
        sketch.Add(0.001);
        sketch.Add(1);

        Assert.Equal(-0.5, sketch.Quantile(0)); // the exact minimum
        Assert.Equal(0.01, sketch.Quantile(0.5));
    }

    [Fact]
    public void FixedHistogram_CountsBinsAndOutliers()
    {
        var h = new FixedHistogram(0, 10, 5);
        foreach (var v in new[] { -1, 0, 1.99, 2, 9.99, 10, 25 }) h.Add(v);

        Assert.Equal([2L, 1, 0, 0, 1], h.Counts);
        Assert.Equal((1L, 2L, 7L), (h.Underflow, h.Overflow, h.Total));
        Assert.Equal(4, h.LowerEdge(2));
    }

    [Fact]
    public void ParallelRun_ResultsDoNotDependOnThreadCount()
    {
        var history = new ReturnMatrix(["A"], [0.02, -0.01, 0.03, 0.01, -0.02, 0.04]);
        var gen = new BlockBootstrap(history, 2, seed: 77);
        const int steps = 24;

        WealthPathStatistics Run(int threads)
        {
            var total = new WealthPathStatistics(steps, terminalHistogramMaximum: 3);
            ParallelPaths.Run(
                2_000,
                () => (Buffer: new double[steps], Wealth: new double[steps], Stats: new WealthPathStatistics(steps, 3)),
                (i, s) =>
                {
                    gen.Generate(i, s.Buffer);
                    var w = 1.0;
                    for (var t = 0; t < steps; t++) s.Wealth[t] = w *= 1 + s.Buffer[t];
                    s.Stats.AddPath(s.Wealth);
                },
                s => total.Merge(s.Stats),
                threads);
            return total;
        }

        var one = Run(1);
        var two = Run(2);

        Assert.Equal(2_000, two.Paths);
        Assert.Equal(one.TerminalHistogram.Counts, two.TerminalHistogram.Counts);
        Assert.Equal(one.QuantilePath(0.5), two.QuantilePath(0.5));
        Assert.Equal(one.TerminalQuantiles.Quantile(0.05), two.TerminalQuantiles.Quantile(0.05));
        Assert.Equal(one.TerminalMoments.Mean, two.TerminalMoments.Mean, 1e-12 * Math.Max(1, Math.Abs(one.TerminalMoments.Mean)));
        Assert.True(one.QuantilePath(0.95)[^1] > one.QuantilePath(0.05)[^1]);
    }
}
