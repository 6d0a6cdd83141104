using Ballast.Backtest.Reports;
using OpenQA.Selenium;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Opens rendered reports in headless Debian Chromium, 1,400 px wide, and checks that every chart drew, nothing
/// logged an error, tables fit the page, bands show only for policies that have them, and the tuning frontier draws.
/// Needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/install-chromium.sh).
/// </summary>
/// <remarks>
/// Set BALLAST_REPORT_SAMPLE_OUT to a folder to also write the reports these tests open there, for a look by hand:
/// sample.html (synthetic), backtest.html, backtest-taxes.html, tune-bands.html and tune-paths.html (on the example's
/// 1,000 paths).
/// </remarks>
public sealed class BrowserRenderTests
{
    private static readonly string? SampleOut = Environment.GetEnvironmentVariable("BALLAST_REPORT_SAMPLE_OUT") is { Length: > 0 } s ? s : null;

    [Fact]
    public void Report_InHeadlessChromium_RendersEveryChartWithoutConsoleErrors()
    {
        var dir = TestPaths.TempDirectory();
        var path = Path.Combine(dir, "report.html");
        HtmlReport.Write(ReportSamples.Build(monteCarloPaths: 500), path);
        if (SampleOut is not null)
            HtmlReport.Write(ReportSamples.Build("Illustrative sawtooth (synthetic)", monteCarloPaths: 2_000), Path.Combine(Directory.CreateDirectory(SampleOut).FullName, "sample.html"));

        using var driver = HeadlessChromium.Start(dir);
        var charts = HeadlessChromium.AssertEveryChartRendered(driver, path);
        // growth, relative growth, drawdown, 2 × allocation, 2 × drift, 2 fans, terminal wealth
        Assert.Equal(10, charts);
        var layout = ChartLayout.Read(driver);
        // The growth chart (about 20× since 1990) and the fans are logarithmic; their labels do not touch.
        Assert.True(layout.Count(c => c.LogAxis) >= 3);
        ChartLayout.AssertLogLabelsApart(layout);
        // The sawtooth's 11 rebalances are dashed lines across its chart, not a strip above it.
        Assert.All(layout, c => Assert.Equal(0, c.StripPixels));

        // 60/40 bought and held has no band; the sawtooth has one.
        Assert.Equal(["drift"], HeadlessChromium.Datasets(driver, "drift-1").Select(d => d.Label));
        Assert.Equal(["drift", "band"], HeadlessChromium.Datasets(driver, "drift-2").Select(d => d.Label));
        // Every policy is on the relative chart, against the first buy-and-hold policy.
        Assert.Equal(3, HeadlessChromium.Datasets(driver, "relative").Count);

        // A click on a policy in the growth legend hides it on the relative growth and drawdown charts too, and a second click shows it again.
        const string click = """
            var growth = Chart.getChart('growth'), item = growth.legend.legendItems[1];
            growth.options.plugins.legend.onClick.call(growth.legend, null, item, growth.legend);
            return ['growth', 'relative', 'drawdown'].map(function (id) { return Chart.getChart(id).isDatasetVisible(1); });
            """;
        Assert.Equal([false, false, false], ((IReadOnlyCollection<object>)driver.ExecuteScript(click)!).Cast<bool>());
        Assert.Equal([true, true, true], ((IReadOnlyCollection<object>)driver.ExecuteScript(click)!).Cast<bool>());
        Assert.Equal([0, 1, 2], ((IReadOnlyCollection<object>)driver.ExecuteScript(
            "return Chart.getChart('growth').data.datasets.map(function (d) { return d.borderDash.length === 0 ? 0 : d.borderDash[0] === 9 ? 1 : 2; });")!)
            .Select(Convert.ToInt32));
    }

    [Fact]
    public void ExampleReports_At1400Px_FitTheirTables_DrawBandsOnlyForBandPolicies_AndDrawTheFrontier()
    {
        var dir = SampleOut is null ? TestPaths.TempDirectory() : Directory.CreateDirectory(SampleOut).FullName;
        var backtest = Path.Combine(dir, "backtest.html");
        var taxes = Path.Combine(dir, "backtest-taxes.html");
        var tuneBands = Path.Combine(dir, "tune-bands.html");
        var tunePaths = Path.Combine(dir, "tune-paths.html");
        HtmlReport.Write(ExampleReports.Backtest("examples/backtest-60-40-long.yaml"), backtest);
        HtmlReport.Write(ExampleReports.Backtest("examples/backtest-taxes.yaml"), taxes);
        HtmlReport.Write(ExampleReports.Tune("examples/tune-bands.yaml"), tuneBands);
        HtmlReport.Write(ExampleReports.Tune("examples/tune-paths.yaml", paths: SampleOut is null ? 40 : null), tunePaths);

        using var driver = HeadlessChromium.Start(TestPaths.TempDirectory());

        // Seven policies over 97 years: 14 columns with "Tracking error" whole, no scrollbar.
        Assert.Equal(3 + 2 * 7, HeadlessChromium.AssertEveryChartRendered(driver, backtest));
        HeadlessChromium.AssertTablesFit(driver, "backtest-60-40-long");
        // never (0), monthly (1) and the performance trigger (6) have no bands; the 5/25 bands (4) and the rails (5) do.
        foreach (var i in new[] { 0, 1, 6 }) Assert.Equal(["drift"], HeadlessChromium.Datasets(driver, $"drift-{i}").Select(d => d.Label));
        Assert.Equal(["drift", "band"], HeadlessChromium.Datasets(driver, "drift-4").Select(d => d.Label));
        // The 20 % relative band is 12pp on stocks and 8pp on bonds: a flat line each.
        Assert.Equal(["drift", "band 8%", "band 12%"], HeadlessChromium.Datasets(driver, "drift-5").Select(d => d.Label));
        Assert.Equal("Growth relative to never", driver.FindElements(By.TagName("h2")).Select(h => h.Text).Single(t => t.StartsWith("Growth relative", StringComparison.Ordinal)));

        // With taxes: the results, the realized gains and tax per policy, and the tax per year all fit.
        HeadlessChromium.AssertEveryChartRendered(driver, taxes);
        HeadlessChromium.AssertTablesFit(driver, "backtest-taxes");
        Assert.Equal(3, driver.FindElements(By.CssSelector(".table-wrap")).Count);

        // The band grid on history: one frontier chart, drawn (the render check requires ink), a dot per distinct result.
        Assert.Equal(1, HeadlessChromium.AssertEveryChartRendered(driver, tuneBands));
        HeadlessChromium.AssertTablesFit(driver, "tune-bands");
        var frontier = HeadlessChromium.Datasets(driver, "frontier-history");
        Assert.Equal(["frontier", "other grid points"], frontier.Take(2).Select(d => d.Label));
        Assert.StartsWith("best: ", frontier[2].Label, StringComparison.Ordinal);
        Assert.Equal(1, frontier[2].Points);
        Assert.StartsWith("objective: tracking error ≤ 2", frontier[3].Label, StringComparison.Ordinal);
        var rows = driver.FindElements(By.CssSelector("tbody tr")).Count;
        Assert.Equal(rows, frontier[0].Points + frontier[1].Points);
        // Identical grid points are one row listing the others: a 10pp band and a 25%-of-target band trade alike on 60/40.
        var merged = driver.FindElements(By.CssSelector("tbody tr td:first-child")).Select(td => td.Text).ToList();
        Assert.Contains(merged, t => t.StartsWith("monthly 25% of target rail 10%\nSame results: monthly 10pp rail 10%, monthly 10pp/25% rail 10%", StringComparison.Ordinal));
        Assert.True(rows < 62, $"{rows} rows for 62 grid points");

        // History and paths: a frontier chart each, and the table with both sources' columns still fits.
        Assert.Equal(2, HeadlessChromium.AssertEveryChartRendered(driver, tunePaths));
        HeadlessChromium.AssertTablesFit(driver, "tune-paths");
        Assert.Equal(["History", "Paths"], driver.FindElements(By.CssSelector("thead tr.groups th.group")).Select(th => th.Text));
    }
}
