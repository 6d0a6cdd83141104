using Ballast.Backtest.Reports;
using OpenQA.Selenium;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Opens rendered reports in headless Debian Chromium, 1,400 px wide, and checks that every chart drew, nothing
/// logged an error, bands show only for policies that have them, and legends act on every policy chart together.
/// Needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/install-chromium.sh).
/// </summary>
/// <remarks>Set BALLAST_REPORT_SAMPLE_OUT to a folder to also write the sample report there (sample.html), for a look by hand.</remarks>
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
}
