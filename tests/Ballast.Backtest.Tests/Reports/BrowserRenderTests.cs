using Ballast.Backtest.Reports;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Opens a rendered report in headless Debian Chromium and checks that every chart drew and nothing
/// logged an error. Needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/install-chromium.sh).
/// </summary>
public sealed class BrowserRenderTests
{
    [Fact]
    public void Report_InHeadlessChromium_RendersEveryChartWithoutConsoleErrors()
    {
        var dir = TestPaths.TempDirectory();
        var path = Path.Combine(dir, "report.html");
        HtmlReport.Write(ReportSamples.Build(monteCarloPaths: 500), path);
        // Set BALLAST_REPORT_SAMPLE_OUT to write this sample, with a friendlier name, for a look by hand. (docs/report.png
        // is not this sample but the report of examples/backtest-60-40-long.yaml.)
        if (Environment.GetEnvironmentVariable("BALLAST_REPORT_SAMPLE_OUT") is { Length: > 0 } sample)
            HtmlReport.Write(ReportSamples.Build("Illustrative sawtooth (synthetic)", monteCarloPaths: 2_000), sample);

        using var driver = HeadlessChromium.Start(dir);
        var charts = HeadlessChromium.AssertEveryChartRendered(driver, path);
        // growth, drawdown, 2 × allocation, 2 × drift, 2 fans, terminal wealth
        Assert.Equal(9, charts);
        var layout = ChartLayout.Read(driver);
        // The growth chart (about 20× since 1990) and the fans are logarithmic; their labels do not touch.
        Assert.True(layout.Count(c => c.LogAxis) >= 3);
        ChartLayout.AssertLogLabelsApart(layout);
        // The sawtooth's 11 rebalances are dashed lines across its chart, not a strip above it.
        Assert.All(layout, c => Assert.Equal(0, c.StripPixels));
    }
}
