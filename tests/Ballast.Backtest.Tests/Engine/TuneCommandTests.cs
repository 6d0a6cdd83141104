using System.Text.Json;

namespace Ballast.Backtest.Tests.Engine;

/// <summary><c>ballast tune</c> on paths and on both: JSON, the terminal table, the report, and bad command lines.</summary>
public sealed class TuneCommandTests
{
    [Fact]
    public void TuneJson_Both_HistoryAtTheTop_PathsInTheirOwnObject()
    {
        var (exit, output, err) = Cli.Run("tune", "examples/tune-paths.yaml", "--json", "--paths", "100", "--seed", "3");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("both", root.GetProperty("evaluate").GetString());
        var max = root.GetProperty("maxTrackingError").GetDouble();
        Assert.Equal(0.01, max);
        var history = root.GetProperty("results").EnumerateArray().ToList();
        var paths = root.GetProperty("paths");
        Assert.Equal(100, paths.GetProperty("paths").GetInt64());
        Assert.Equal(3, paths.GetProperty("seed").GetInt64());
        Assert.Equal(30, paths.GetProperty("years").GetInt32());
        Assert.Equal("bootstrap", paths.GetProperty("method").GetString());
        var results = paths.GetProperty("results").EnumerateArray().ToList();
        // The same grid, in the same order, in both.
        Assert.Equal(history.Select(r => r.GetProperty("name").GetString()), results.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["name", "policy", "frontier", "costs", "trackingError", "turnover", "rebalances"], results[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["mean", "standardDeviation", "min", "max", "p50", "p95"], results[0].GetProperty("trackingError").EnumerateObject().Select(p => p.Name));
        foreach (var r in results)
        {
            var te = r.GetProperty("trackingError");
            Assert.InRange(te.GetProperty("mean").GetDouble(), 1e-4, 0.1); // a fraction, not percent
            Assert.True(te.GetProperty("p95").GetDouble() >= te.GetProperty("p50").GetDouble());
            Assert.True(r.GetProperty("costs").GetProperty("p95").GetDouble() >= r.GetProperty("costs").GetProperty("p50").GetDouble());
        }
        var bestName = paths.GetProperty("best").GetString();
        var best = results.Single(r => r.GetProperty("name").GetString() == bestName);
        Assert.True(best.GetProperty("frontier").GetBoolean());
        var bestCost = best.GetProperty("costs").GetProperty("mean").GetDouble();
        Assert.True(best.GetProperty("trackingError").GetProperty("mean").GetDouble() <= max);
        foreach (var r in results.Where(r => r.GetProperty("trackingError").GetProperty("mean").GetDouble() <= max))
            Assert.True(r.GetProperty("costs").GetProperty("mean").GetDouble() >= bestCost);
        Assert.NotNull(root.GetProperty("best").GetString()); // history's own best
    }

    [Fact]
    public void TuneJson_PathsOnly_HasNoHistoryResults()
    {
        var dir = PathsExperiment("paths");
        var (exit, output, err) = Cli.RunIn(dir, "tune", "exp.yaml", "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("paths", root.GetProperty("evaluate").GetString());
        Assert.False(root.TryGetProperty("results", out _));
        Assert.False(root.TryGetProperty("best", out _));
        Assert.Equal(0, root.GetProperty("rejected").GetInt32());
        Assert.Equal(20, root.GetProperty("paths").GetProperty("paths").GetInt64()); // the experiment's monteCarlo.paths
        Assert.Equal(3, root.GetProperty("paths").GetProperty("results").GetArrayLength());
    }

    [Fact]
    public void TuneTable_PathsOnly_MarksTheFrontierAndTheBest()
    {
        var dir = PathsExperiment("paths");
        var (exit, output, err) = Cli.RunIn(dir, "tune", "exp.yaml");
        Assert.True(exit == 0, err);
        Assert.Contains("Frontier of mean costs against mean tracking error per path on 20 Monte Carlo paths × 3 years", output, StringComparison.Ordinal);
        Assert.Contains("taxes are not estimated on paths", output, StringComparison.Ordinal);
        Assert.Matches(@"best\W+monthly \d+pp", output);
        Assert.Contains("Best on paths for mean tracking error ≤ 50.00%: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("on history", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_OfBoth_PutsHistoryAndPathsSideBySide()
    {
        var dir = PathsExperiment("both");
        var report = Path.Combine(dir, "tune.html");
        var (exit, _, err) = Cli.RunIn(dir, "tune", "exp.yaml", "--report", report);
        Assert.True(exit == 0, err);
        var html = File.ReadAllText(report);
        Assert.Contains("class=\"group\">History</th>", html, StringComparison.Ordinal);
        Assert.Contains("class=\"group\">Paths</th>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Tracking error (mean)</th>", html, StringComparison.Ordinal);
        Assert.Contains("(best on history)", html, StringComparison.Ordinal);
        Assert.Contains("(best on paths)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PathsOption_OnAHistoryOnlyTune_IsBadInput()
    {
        var (exit, output, err) = Cli.Run("tune", "examples/tune-bands.yaml", "--paths", "10");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("examples/tune-bands.yaml:12:3: tune.evaluate: --paths applies to Monte Carlo paths, but the experiment tunes on history only", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--paths", "0", "--paths must be at least 1")]
    [InlineData("--seed", "-1", "--seed must not be negative")]
    public void BadPathOptions_AreBadInput(string option, string value, string expected)
    {
        var (exit, output, err) = Cli.Run("tune", "examples/tune-paths.yaml", option, value);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public void OneYearOfAnnualReturns_HasNoTrackingError_AndSaysSo()
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "prices.csv"), "date,A,B\n2010-01-01,100,100\n2011-01-01,110,101\n2012-01-01,105,104\n2013-01-01,120,103\n");
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), """
            prices: prices.csv
            targets: { A: 60%, B: 40% }
            policies: { hold: { trigger: never } }
            monteCarlo: { years: 1, paths: 5 }
            tune: { evaluate: paths, absolute: [5%] }
            """);
        var (exit, output, err) = Cli.RunIn(dir, "tune", "exp.yaml");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("exp.yaml: monteCarlo.years: a path of 1 year of annual returns has one period", err, StringComparison.Ordinal);
    }

    /// <summary>A folder with the synthetic history as prices.csv and a small tuning experiment evaluated on <paramref name="evaluate"/>.</summary>
    private static string PathsExperiment(string evaluate)
    {
        var dir = TestPaths.TempDirectory();
        var h = TuneOnPathsTests.History();
        File.WriteAllText(Path.Combine(dir, "prices.csv"), "date,A,B\n" + string.Concat(Enumerable.Range(0, h.Count).Select(i =>
            FormattableString.Invariant($"{h.Dates[i]:yyyy-MM-dd},{h.Closes("A")[i]:R},{h.Closes("B")[i]:R}\n"))));
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), $$"""
            prices: prices.csv
            targets: { A: 60%, B: 40% }
            costs: { halfSpreadBps: 5 }
            policies: { hold: { trigger: never } }
            monteCarlo: { method: bootstrap, blockLength: 6, years: 3, seed: 5, paths: 20 }
            tune: { evaluate: {{evaluate}}, absolute: [2%, 5%, 10%], objective: { maxTrackingError: 50% } }
            """);
        return dir;
    }
}
