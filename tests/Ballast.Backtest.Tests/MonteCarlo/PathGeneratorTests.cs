using Ballast.Backtest.MonteCarlo;

namespace Ballast.Backtest.Tests.MonteCarlo;

public sealed class PathGeneratorTests
{
    // Ten periods of two assets; row i is (i/100, −i/200) so a row's period can be read back from it.
    private static ReturnMatrix History()
    {
        var data = new double[20];
        for (var i = 0; i < 10; i++)
        {
            data[2 * i] = i / 100.0;
            data[2 * i + 1] = -i / 200.0;
        }
        return new ReturnMatrix(["A", "B"], data);
    }

    private static int PeriodOf(ReadOnlySpan<double> path, int step) => (int)Math.Round(path[2 * step] * 100);

    [Theory]
    [InlineData(BlockScheme.Stationary)]
    [InlineData(BlockScheme.Circular)]
    public void Bootstrap_SameSeedAndIndex_SamePath_OtherIndexDiffers(BlockScheme scheme)
    {
        var a = new BlockBootstrap(History(), 3, seed: 42, scheme);
        var b = new BlockBootstrap(History(), 3, seed: 42, scheme);
        var p1 = new double[2 * 50];
        var p2 = new double[2 * 50];
        var p3 = new double[2 * 50];

        a.Generate(7, p1);
        b.Generate(7, p2);
        a.Generate(8, p3);

        Assert.Equal(p1, p2);
        Assert.NotEqual(p1, p3);
    }

    [Fact]
    public void Bootstrap_CopiesWholeHistoricalRows()
    {
        var gen = new BlockBootstrap(History(), 4, seed: 1);
        var path = new double[2 * 200];

        gen.Generate(0, path);

        for (var t = 0; t < 200; t++)
        {
            var period = PeriodOf(path, t);
            Assert.InRange(period, 0, 9);
            Assert.Equal(-period / 200.0, path[2 * t + 1]); // the partner asset comes from the same period
        }
    }

    [Fact]
    public void CircularBootstrap_BlocksAreExactlyTheBlockLengthWithWrapAround()
    {
        var gen = new BlockBootstrap(History(), 3, seed: 5, BlockScheme.Circular);
        var path = new double[2 * 30];

        gen.Generate(3, path);

        for (var t = 0; t < 30; t++)
        {
            if (t % 3 == 0) continue;
            Assert.Equal((PeriodOf(path, t - 1) + 1) % 10, PeriodOf(path, t));
        }
    }

    [Fact]
    public void StationaryBootstrap_MeanBlockLengthIsAboutL()
    {
        var history = new ReturnMatrix(["A"], Enumerable.Range(0, 1000).Select(i => i / 10_000.0).ToArray());
        var gen = new BlockBootstrap(history, 5, seed: 9);
        var path = new double[1000];
        long steps = 0, breaks = 0;

        for (var p = 0; p < 200; p++)
        {
            gen.Generate(p, path);
            for (var t = 1; t < path.Length; t++)
            {
                var prev = (int)Math.Round(path[t - 1] * 10_000);
                var cur = (int)Math.Round(path[t] * 10_000);
                steps++;
                if (cur != (prev + 1) % 1000) breaks++;
            }
        }

        // A new block starts with probability 1/5 per step (a jump to the next period by chance, 1 in 1000,
        // is invisible); 199,800 steps put the observed rate within 0.2 ± 0.005 with overwhelming odds.
        Assert.InRange((double)breaks / steps, 0.195, 0.205);
    }

    [Fact]
    public void Fit_MeanAndCovarianceMatchHandComputation()
    {
        // Returns A: 0.01, 0.03, 0.02; B: 0.02, 0.00, 0.04. Means 0.02 and 0.02. Deviations A: −0.01, 0.01, 0;
        // B: 0, −0.02, 0.02. var A = 0.0002 / 2 = 0.0001; var B = 0.0008 / 2 = 0.0004; cov = −0.0002 / 2 = −0.0001.
        var history = new ReturnMatrix(["A", "B"], [0.01, 0.02, 0.03, 0.00, 0.02, 0.04]);

        var model = MultivariateReturnModel.Fit(history, ReturnDistribution.Normal, seed: 1);

        Assert.Equal(0.02, model.Mean[0], 12);
        Assert.Equal(0.02, model.Mean[1], 12);
        Assert.Equal(0.0001, model.Covariance[0, 0], 12);
        Assert.Equal(0.0004, model.Covariance[1, 1], 12);
        Assert.Equal(-0.0001, model.Covariance[0, 1], 12);
    }

    [Fact]
    public void Normal_SimulatedMomentsMatchTheFit()
    {
        var history = new ReturnMatrix(["A", "B"], [0.01, 0.02, 0.03, 0.00, 0.02, 0.04]);
        var model = MultivariateReturnModel.Fit(history, ReturnDistribution.Normal, seed: 11);
        const int steps = 200_000;
        var path = new double[2 * steps];

        model.Generate(0, path);

        double ma = 0, mb = 0;
        for (var t = 0; t < steps; t++) { ma += path[2 * t]; mb += path[2 * t + 1]; }
        ma /= steps;
        mb /= steps;
        double va = 0, vb = 0, cab = 0;
        for (var t = 0; t < steps; t++)
        {
            var da = path[2 * t] - ma;
            var db = path[2 * t + 1] - mb;
            va += da * da; vb += db * db; cab += da * db;
        }
        var corr = cab / Math.Sqrt(va * vb);
        // Standard error of the mean is 0.01 / √200,000 ≈ 2.2e-5; of the correlation about 1.9e-3. Bounds are ~5 SE.
        Assert.InRange(ma, 0.02 - 1.2e-4, 0.02 + 1.2e-4);
        Assert.InRange(vb / (steps - 1), 0.0004 * 0.98, 0.0004 * 1.02);
        Assert.InRange(corr, -0.5 - 0.01, -0.5 + 0.01); // −0.0001 / √(0.0001 × 0.0004) = −0.5
    }

    [Fact]
    public void Lognormal_ReturnsStayAboveMinusOneAndMatchLogMean()
    {
        var history = new ReturnMatrix(["A"], [0.5, -0.4, 0.3, -0.5, 0.6]);
        var model = MultivariateReturnModel.Fit(history, ReturnDistribution.Lognormal, seed: 3);
        var path = new double[100_000];

        model.Generate(0, path);

        Assert.All(path, r => Assert.True(r > -1));
        var logMean = path.Average(r => Math.Log(1 + r));
        var expected = new[] { 0.5, -0.4, 0.3, -0.5, 0.6 }.Average(r => Math.Log(1 + r));
        Assert.InRange(logMean, expected - 0.01, expected + 0.01);
    }

    [Fact]
    public void Fit_ConstantAsset_IsRejectedAsNotPositiveDefinite()
    {
        var history = new ReturnMatrix(["A", "B"], [0.01, 0.02, 0.03, 0.02, 0.02, 0.02]);

        Assert.Throws<ArgumentException>(() => MultivariateReturnModel.Fit(history, ReturnDistribution.Normal, 1));
    }

    [Fact]
    public void Generate_TenThousandPathsIntoOneBuffer_AllocatesNothing()
    {
        var bootstrap = new BlockBootstrap(History(), 3, seed: 2);
        var normal = MultivariateReturnModel.Fit(new ReturnMatrix(["A", "B"], [0.01, 0.02, 0.03, 0.00, 0.02, 0.04]), ReturnDistribution.Lognormal, seed: 2);
        var buffer = new double[2 * 120];
        bootstrap.Generate(0, buffer);
        normal.Generate(0, buffer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var p = 0; p < 10_000; p++)
        {
            bootstrap.Generate(p, buffer);
            normal.Generate(p, buffer);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void PathRandom_NextIntIsInRangeAndRoughlyUniform()
    {
        var rng = PathRandom.ForPath(123, 0);
        var counts = new int[7];

        for (var i = 0; i < 70_000; i++) counts[rng.NextInt(7)]++;

        // Expected 10,000 each, sd ≈ 93; ±500 is over 5 sd.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}
