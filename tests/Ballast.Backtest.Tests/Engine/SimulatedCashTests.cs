using System.Globalization;
using System.Text;
using Ballast.Backtest.Data;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.MonteCarlo;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// A cash series named in the experiment is simulated with the assets: the same bootstrap rows, or one more
/// dimension of the normal and lognormal fits, so that cash growth on a path comes from that path.
/// </summary>
public sealed class SimulatedCashTests
{
    private const int Months = 120;

    // Monthly returns with every AAA return distinct (so a drawn row can be told by its AAA return), BBB
    // unrelated, and CSH small, positive and partly tied to AAA (so its correlation with AAA is visible).
    private static double Aaa(int t) => 0.01 + 0.04 * Math.Sin(1.7 * t) + t * 1e-5;
    private static double Bbb(int t) => 0.003 + 0.02 * Math.Cos(0.9 * t);
    private static double Csh(int t) => 0.003 + 0.02 * Aaa(t) + 0.0005 * Math.Cos(2.3 * t);

    /// <summary>A wide price file of <paramref name="columns"/>, each a close series from its monthly returns, and its folder.</summary>
    private static string PriceFolder(params (string Ticker, Func<int, double> Return)[] columns)
    {
        var dir = TestPaths.TempDirectory();
        var sb = new StringBuilder("date");
        foreach (var c in columns) sb.Append(',').Append(c.Ticker);
        sb.Append('\n');
        var closes = columns.Select(_ => 100.0).ToArray();
        for (var t = 0; t <= Months; t++)
        {
            if (t > 0) for (var i = 0; i < columns.Length; i++) closes[i] *= 1 + columns[i].Return(t);
            sb.Append(new DateOnly(2000, 1, 1).AddMonths(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            foreach (var c in closes) sb.Append(',').Append(c.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        File.WriteAllText(Path.Combine(dir, "prices.csv"), sb.ToString());
        return dir;
    }

    private static (Experiment Experiment, PriceTable Prices) Load(string folder, string body)
    {
        var path = Path.Combine(folder, "exp.yaml");
        File.WriteAllText(path, "prices: prices.csv\n" + body);
        var experiment = ExperimentReader.Load(path, "exp.yaml");
        return (experiment, ExperimentReader.LoadPrices(experiment));
    }

    private static readonly (string, Func<int, double>)[] ThreeColumns = [("AAA", Aaa), ("BBB", Bbb), ("CSH", Csh)];

    [Fact]
    public void Bootstrap_CashGrowthComesFromTheSameHistoricalRowsAsTheAssets()
    {
        var (experiment, prices) = Load(PriceFolder(ThreeColumns), """
            targets: { AAA: 60%, BBB: 40% }
            cashSeries: CSH
            monteCarlo: { method: bootstrap, blockLength: 6, years: 5, seed: 3 }
            policies: { hold: { trigger: never } }
            """);
        var drawn = SimulatedPaths.For(experiment, prices, experiment.MonteCarlo!);
        const int steps = 60;
        var buffer = new double[steps * drawn.Width];
        double[][] closes = [new double[steps + 1], new double[steps + 1]];
        var cash = new double[steps + 1];

        Assert.Equal(["AAA", "BBB", "CSH"], drawn.Columns);
        Assert.Equal(2, drawn.CashColumn);
        var rowsSeen = new HashSet<int>();
        for (var path = 0; path < 20; path++)
        {
            drawn.Generator.Generate(path, buffer);
            drawn.ToMarket(buffer, closes, cash);
            Assert.Equal(1, cash[0]);
            for (var t = 1; t <= steps; t++)
            {
                // The historical month this step was drawn from, read back from AAA's simulated return.
                var aaa = closes[0][t] / closes[0][t - 1] - 1;
                var month = Enumerable.Range(1, Months).Single(m => Math.Abs(Aaa(m) - aaa) < 1e-9);
                rowsSeen.Add(month);
                Assert.Equal(1 + Bbb(month), closes[1][t] / closes[1][t - 1], 1e-9);
                Assert.Equal(1 + Csh(month), cash[t], 1e-9);
            }
        }
        Assert.True(rowsSeen.Count > 60, $"only {rowsSeen.Count} historical months were drawn"); // many rows, not one repeated
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("lognormal")]
    public void FittedModels_IncludeTheCashSeriesAsOneMoreDimension(string method)
    {
        var (experiment, prices) = Load(PriceFolder(ThreeColumns), $$"""
            targets: { AAA: 60%, BBB: 40% }
            cashSeries: CSH
            monteCarlo: { method: {{method}}, years: 5, seed: 3 }
            policies: { hold: { trigger: never } }
            """);
        var drawn = SimulatedPaths.For(experiment, prices, experiment.MonteCarlo!);
        var model = Assert.IsType<MultivariateReturnModel>(drawn.Generator);

        // The fitted mean and covariance of the cash column are history's (log returns for the lognormal model).
        Func<double, double> x = method == "lognormal" ? r => Math.Log(1 + r) : r => r;
        var cash = Enumerable.Range(1, Months).Select(m => x(Csh(m))).ToArray();
        var aaa = Enumerable.Range(1, Months).Select(m => x(Aaa(m))).ToArray();
        var cashMean = cash.Average();
        var aaaMean = aaa.Average();
        Assert.Equal(3, model.AssetCount);
        Assert.Equal(cashMean, model.Mean[2], 12);
        Assert.Equal(cash.Select((c, i) => (c - cashMean) * (aaa[i] - aaaMean)).Sum() / (Months - 1), model.Covariance[0, 2], 12);

        // On a long path the cash growth ToMarket writes carries that mean and its correlation with AAA.
        const int steps = 100_000;
        var buffer = new double[steps * drawn.Width];
        double[][] closes = [new double[steps + 1], new double[steps + 1]];
        var growth = new double[steps + 1];
        drawn.Generator.Generate(0, buffer);
        drawn.ToMarket(buffer, closes, growth);
        var simCash = Enumerable.Range(1, steps).Select(t => x(growth[t] - 1)).ToArray();
        var simAaa = Enumerable.Range(0, steps).Select(t => x(buffer[t * drawn.Width])).ToArray(); // AAA's drawn returns (its closes over 100,000 steps leave double's range)
        // History's correlation of AAA and cash is about 0.84 (cash drawn on its own would show about 0). Over
        // 100,000 draws the sample correlation's standard error is about (1 − 0.84²) / √100,000 ≈ 0.001 and the
        // mean's about 0.0007 / √100,000 ≈ 2e-6: the bounds are about 10 standard errors.
        var historical = Correlation(aaa, cash);
        Assert.InRange(historical, 0.8, 0.9);
        Assert.InRange(Correlation(simAaa, simCash), historical - 0.01, historical + 0.01);
        Assert.InRange(simCash.Average(), cashMean - 2e-5, cashMean + 2e-5);
    }

    [Fact]
    public void CashSeriesThatIsATarget_SharesThatAssetsColumn()
    {
        var (experiment, prices) = Load(PriceFolder(ThreeColumns), """
            targets: { AAA: 60%, CSH: 40% }
            cashSeries: CSH
            policies: { hold: { trigger: never } }
            """);
        var drawn = SimulatedPaths.For(experiment, prices, new MonteCarloSettings());

        Assert.Equal(["AAA", "CSH"], drawn.Columns);
        Assert.Equal(1, drawn.CashColumn);
    }

    [Fact]
    public void ConstantCashSeries_IsItsRate_AndTheNormalFitStillWorks()
    {
        // A cash series growing 0.25 % every month has no variance: drawn as one more normal dimension it would
        // make the covariance singular, so it is the constant rate it is.
        var (experiment, prices) = Load(PriceFolder(("AAA", Aaa), ("BBB", Bbb), ("CSH", _ => 0.0025)), """
            targets: { AAA: 60%, BBB: 40% }
            cashSeries: CSH
            monteCarlo: { method: normal, years: 5 }
            policies: { hold: { trigger: never } }
            """);
        var drawn = SimulatedPaths.For(experiment, prices, experiment.MonteCarlo!);

        Assert.Equal(-1, drawn.CashColumn);
        Assert.Equal(2, drawn.Width);
        Assert.Equal(1.0025, drawn.ConstantCashGrowth, 12);
        Assert.Equal([1, 1.0025, 1.0025, 1.0025], drawn.ConstantCashGrowthRows(3).Select(g => Math.Round(g, 12)));
    }

    [Fact]
    public void Simulate_HalfInACashSeriesThatMovesLikeTheAsset_IsAllInTheAssetOnEveryPath()
    {
        // CSH has exactly AAA's returns. If cash grew at a constant rate, or were drawn from other months than
        // the assets, half in cash would end far from all in AAA; drawn from the same rows it ends the same.
        var folder = PriceFolder(("AAA", Aaa), ("CSH", Aaa));
        var (half, prices) = Load(folder, """
            targets: { AAA: 50%, CASH: 50% }
            cashSeries: CSH
            monteCarlo: { method: bootstrap, blockLength: 6, years: 10, seed: 11 }
            policies: { hold: { trigger: never } }
            """);
        var (all, _) = Load(folder, """
            targets: { AAA: 100% }
            monteCarlo: { method: bootstrap, blockLength: 6, years: 10, seed: 11 }
            policies: { hold: { trigger: never } }
            """);
        var (constant, _) = Load(folder, """
            targets: { AAA: 50%, CASH: 50% }
            monteCarlo: { method: bootstrap, blockLength: 6, years: 10, seed: 11 }
            policies: { hold: { trigger: never } }
            """);

        var a = SimulationRunner.Run(half, prices, half.MonteCarlo!, 300).Policies[0].Wealth;
        var b = SimulationRunner.Run(all, prices, all.MonteCarlo!, 300).Policies[0].Wealth;
        var c = SimulationRunner.Run(constant, prices, constant.MonteCarlo!, 300).Policies[0].Wealth;

        // Cash is rounded to the cent at every look, so the two agree to about 1e-7, not exactly.
        Assert.Equal(b.TerminalMoments.Minimum, a.TerminalMoments.Minimum, 1e-6);
        Assert.Equal(b.TerminalMoments.Maximum, a.TerminalMoments.Maximum, 1e-6);
        Assert.Equal(b.TerminalMoments.Mean, a.TerminalMoments.Mean, 1e-6);
        Assert.Equal(b.TerminalMoments.StandardDeviation, a.TerminalMoments.StandardDeviation, 1e-6);
        // Half in cash at 0 % keeps only half the dispersion: the comparison above could fail.
        Assert.InRange(c.TerminalMoments.StandardDeviation, 0.45 * b.TerminalMoments.StandardDeviation, 0.55 * b.TerminalMoments.StandardDeviation);
    }

    [Fact]
    public void Simulate_NormalModelTheHistoryCannotSupport_IsBadInputAtTheMethod()
    {
        // CSH repeats AAA under another name: as a third dimension its covariance is singular.
        var dir = PriceFolder(("AAA", Aaa), ("BBB", Bbb), ("CSH", Aaa));
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), """
            prices: prices.csv
            targets: { AAA: 60%, BBB: 40% }
            cashSeries: CSH
            monteCarlo:
              years: 5
              method: normal
            policies: { hold: { trigger: never } }
            """);

        var (exit, output, err) = Cli.RunIn(dir, "simulate", "exp.yaml", "--paths", "10");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("exp.yaml:6:11: monteCarlo.method: the normal model cannot be fitted to the returns of AAA, BBB, CSH", err, StringComparison.Ordinal);
        Assert.Contains("use method: bootstrap", err, StringComparison.Ordinal);
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
