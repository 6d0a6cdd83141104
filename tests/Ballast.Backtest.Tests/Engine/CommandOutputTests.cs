using System.Text.Json;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Tests.Reports;
using OpenQA.Selenium;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>The commands' machine output, the Monte Carlo and tuning runs, and the real reports in a browser.</summary>
public sealed class CommandOutputTests
{
    [Fact]
    public void BacktestJson_HasEveryFieldAsFractions()
    {
        var (exit, output, err) = Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(7, results.GetArrayLength()); // the example's seven policies
        string[] fields = ["name", "finalValue", "totalReturn", "cagr", "volatility", "sharpe", "sortino", "maxDrawdown", "rebalances", "turnover", "costs",
            "trackingError", "averageDrift", "maxDrift", "shareOutsideBands"];
        foreach (var r in results.EnumerateArray())
            Assert.Equal(fields, r.EnumerateObject().Select(p => p.Name).ToArray());
        var monthly = results[1];
        Assert.Equal("monthly", monthly.GetProperty("name").GetString());
        // Monthly data rebalanced every month is the daily-at-target reference up to costs: tracking error near 0.
        Assert.True(monthly.GetProperty("trackingError").GetDouble() < 0.001);
        Assert.InRange(monthly.GetProperty("cagr").GetDouble(), 0.05, 0.12); // a fraction, not percent
        Assert.Equal(0, results[0].GetProperty("rebalances").GetInt32());
    }

    [Fact]
    public void Exact_PlansInDecimal_AndAgreesWithTheDefaultRun()
    {
        var fast = Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--json");
        var exact = Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--json", "--exact");
        Assert.True(exact.Exit == 0, exact.Err);
        using var a = JsonDocument.Parse(fast.Out);
        using var b = JsonDocument.Parse(exact.Out);
        var fr = a.RootElement.GetProperty("results").EnumerateArray().ToArray();
        var er = b.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(fr.Length, er.Length);
        for (var i = 0; i < fr.Length; i++)
        {
            Assert.Equal(er[i].GetProperty("rebalances").GetInt32(), fr[i].GetProperty("rebalances").GetInt32());
            var x = er[i].GetProperty("finalValue").GetDouble();
            Assert.Equal(x, fr[i].GetProperty("finalValue").GetDouble(), 1e-9 * x);
        }
        // The two runs are different computations: somewhere in 97 years of rebalancing they differ in a low digit.
        Assert.NotEqual(fast.Out, exact.Out);
    }

    [Fact]
    public void Interactive_ShowsProgressAndTheTable()
    {
        foreach (var (args, expected) in new[]
        {
            (new[] { "backtest", "examples/backtest-60-40-long.yaml" }, "20%/10% rails"),
            (["simulate", "examples/simulate-60-40.yaml", "--paths", "100"], "5/25 bands"),
            (["tune", "examples/tune-bands.yaml"], "Best for tracking error"),
            (["tune", "examples/tune-paths.yaml", "--paths", "100"], "Best on paths for mean tracking error"),
        })
        {
            var (exit, output, err) = Cli.RunIn(TestPaths.RepoRoot, true, args);
            Assert.True(exit == 0, err);
            Assert.Contains(expected, output, StringComparison.Ordinal);
            Assert.Equal("", err);
        }
    }

    [Fact]
    public void BacktestCsv_OneRowPerPolicy()
    {
        var (exit, output, _) = Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--csv");
        Assert.Equal(0, exit);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(8, lines.Length); // a header and the seven policies
        Assert.StartsWith("name,finalValue,totalReturn,cagr", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("never,777488984.", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PricesOption_OverridesTheExperimentsPath()
    {
        var copy = Path.Combine(TestPaths.TempDirectory(), "copy.csv");
        File.Copy(TestPaths.SharedData("etf_daily/etf_adj_close_wide.csv"), copy);
        var direct = Cli.Run("backtest", "examples/backtest-spy-agg.yaml", "--csv");
        var overridden = Cli.Run("backtest", "examples/backtest-spy-agg.yaml", "--csv", "--prices", copy);
        Assert.Equal(0, overridden.Exit);
        Assert.Equal(direct.Out, overridden.Out);
        var missing = Cli.Run("backtest", "examples/backtest-spy-agg.yaml", "--prices", "nowhere.csv");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("nowhere.csv", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_IsReproducible_AndIndependentOfTheThreadCount()
    {
        var path = TestPaths.InRepo("examples/simulate-60-40.yaml");
        var experiment = ExperimentReader.Load(path, "simulate-60-40.yaml");
        var prices = ExperimentReader.LoadPrices(experiment);
        var settings = experiment.MonteCarlo! with { Years = 10 };
        var one = SimulationRunner.Run(experiment, prices, settings, 200, maxDegreeOfParallelism: 1);
        var two = SimulationRunner.Run(experiment, prices, settings, 200, maxDegreeOfParallelism: 2);
        for (var p = 0; p < one.Policies.Count; p++)
        {
            Assert.Equal(200, one.Policies[p].Wealth.Paths);
            foreach (var q in new[] { 0.05, 0.25, 0.5, 0.75, 0.95 })
                Assert.Equal(one.Policies[p].Wealth.TerminalQuantiles.Quantile(q), two.Policies[p].Wealth.TerminalQuantiles.Quantile(q));
            Assert.Equal(one.Policies[p].Costs.Mean, two.Policies[p].Costs.Mean, 1e-9 * Math.Max(1, Math.Abs(one.Policies[p].Costs.Mean)));
        }
        // Buy and hold never rebalances on any path; annual rebalancing does so about once a year.
        Assert.Equal(0, one.Policies[0].Rebalances.Maximum);
        Assert.InRange(one.Policies[1].Rebalances.Mean, 9, 10);
        // Rebalancing narrows the spread of terminal wealth against buy and hold (the 60/40 drifts toward stocks).
        Assert.True(one.Policies[1].Wealth.TerminalMoments.StandardDeviation < one.Policies[0].Wealth.TerminalMoments.StandardDeviation);
    }

    [Fact]
    public void SimulateJson_ReportsPercentilesInOrder()
    {
        var (exit, output, err) = Cli.Run("simulate", "examples/simulate-60-40.yaml", "--paths", "100", "--seed", "3", "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(100, doc.RootElement.GetProperty("paths").GetInt64());
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            var w = r.GetProperty("terminalWealth");
            var ps = new[] { "p5", "p25", "p50", "p75", "p95" }.Select(k => w.GetProperty(k).GetDouble()).ToArray();
            for (var i = 1; i < ps.Length; i++) Assert.True(ps[i] >= ps[i - 1]);
            Assert.True(r.GetProperty("maxDrawdown").GetProperty("mean").GetDouble() < 0);
        }
    }

    [Fact]
    public void Tune_BestMeetsTheObjective_AndIsOnTheFrontier()
    {
        var (exit, output, err) = Cli.Run("tune", "examples/tune-bands.yaml", "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var best = doc.RootElement.GetProperty("best").GetString();
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.True(doc.RootElement.GetProperty("rejected").GetInt32() > 0); // rails wider than narrow bands are rejected, not run
        var b = results.Single(r => r.GetProperty("name").GetString() == best);
        Assert.True(b.GetProperty("frontier").GetBoolean());
        Assert.True(b.GetProperty("trackingError").GetDouble() <= 0.02);
        foreach (var r in results.Where(r => r.GetProperty("trackingError").GetDouble() <= 0.02))
            Assert.True(r.GetProperty("costs").GetDouble() >= b.GetProperty("costs").GetDouble());
    }

    [Fact]
    public void Reports_FromTheRealCommands_RenderEveryChartInChromium()
    {
        var dir = TestPaths.TempDirectory();
        var history = Path.Combine(dir, "history.html");
        var simulation = Path.Combine(dir, "simulation.html");
        Assert.Equal(0, Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--report", history).Exit);
        Assert.Equal(0, Cli.Run("simulate", "examples/simulate-60-40.yaml", "--paths", "200", "--report", simulation).Exit);

        using var driver = HeadlessChromium.Start(dir);
        // Growth, drawdowns, allocation and drift for history; a fan chart for each of the 4 policies and their
        // terminal wealth on one chart for the simulation.
        Assert.True(HeadlessChromium.AssertEveryChartRendered(driver, history) >= 4);
        var layout = ChartLayout.Read(driver);
        // 97 years of values span four decades: a logarithmic axis whose labels do not touch.
        Assert.True(layout.Single(c => c.Id == "growth").LogAxis);
        ChartLayout.AssertLogLabelsApart(layout);
        // Rebalances (monthly 1,172, annual 97) are ticks on a strip above the allocation chart, not lines across it;
        // buy and hold (allocation-0) has none and no strip.
        Assert.Equal(0, layout.Single(c => c.Id == "allocation-0").StripPixels);
        var monthly = layout.Single(c => c.Id == "allocation-1");
        Assert.True(monthly.StripPixels > monthly.StripArea / 2, $"the monthly strip inks {monthly.StripPixels} of {monthly.StripArea} pixels");
        Assert.True(layout.Single(c => c.Id == "allocation-3").StripPixels >= 97 * 5);
        Assert.Equal(5, HeadlessChromium.AssertEveryChartRendered(driver, simulation));
        ChartLayout.AssertLogLabelsApart(ChartLayout.Read(driver));
        var headings = driver.FindElements(By.TagName("h2")).Select(h => h.Text).ToList();
        Assert.Equal(["Monte Carlo: never", "Monte Carlo: annual", "Monte Carlo: quarterly", "Monte Carlo: 5/25 bands"],
            headings.Where(h => h.StartsWith("Monte Carlo", StringComparison.Ordinal)));
    }
}

/// <summary>The three price layouts give the same backtest when they hold the same closes.</summary>
public sealed class PriceFormatTests
{
    [Fact]
    public void PerTickerFolder_GivesTheSameResultsAsTheWideFile()
    {
        var wide = Cli.Run("backtest", "examples/backtest-spy-agg.yaml", "--csv");
        var folder = Cli.Run("backtest", "examples/backtest-spy-agg.yaml", "--csv", "--prices", TestPaths.SharedData("etf_daily"));
        Assert.Equal(0, folder.Exit);
        Assert.Equal(wide.Out, folder.Out);
    }

    [Fact]
    public void MonthlyIndex_ReadAsWide_GivesTheSameResults()
    {
        var dir = TestPaths.TempDirectory();
        var text = File.ReadAllText(TestPaths.InRepo("examples/backtest-60-40-long.yaml")).Replace("format: monthly-index", "format: wide", StringComparison.Ordinal)
            .Replace("prices: data/", "prices: " + TestPaths.InRepo("examples/data") + "/", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "wide.yaml"), text);
        var asWide = Cli.RunIn(dir, "backtest", "wide.yaml", "--csv");
        var asIndex = Cli.Run("backtest", "examples/backtest-60-40-long.yaml", "--csv");
        Assert.Equal(0, asWide.Exit);
        Assert.Equal(asIndex.Out, asWide.Out);
    }

    [Fact]
    public void PipedTables_KeepEveryHeaderWhole_InAscii()
    {
        var backtest = Cli.Run("backtest", "examples/backtest-60-40-long.yaml");
        var simulate = Cli.Run("simulate", "examples/simulate-60-40.yaml", "--paths", "50");

        foreach (var (exit, output, err) in new[] { backtest, simulate })
        {
            Assert.True(exit == 0, err);
            Assert.DoesNotContain("…", output);
            Assert.DoesNotContain("─", output);
            Assert.DoesNotContain("│", output);
        }
        Assert.Contains("| Outside|", backtest.Out);
        Assert.Contains("| Rebalances (mean) |", simulate.Out);
        Assert.Contains("stocks vs bonds 15pp", backtest.Out);
    }
}
