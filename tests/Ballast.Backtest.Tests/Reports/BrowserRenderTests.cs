using Ballast.Backtest.Reports;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Opens a rendered report in headless Debian Chromium and checks that every chart drew and nothing
/// logged an error. Needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/install-chromium.sh).
/// </summary>
public sealed class BrowserRenderTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [Fact]
    public void Report_InHeadlessChromium_RendersEveryChartWithoutConsoleErrors()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"Chromium or chromedriver is missing ({Chromium}, {ChromeDriver}); run .ci/install-chromium.sh");
        var dir = TestPaths.TempDirectory();
        var path = Path.Combine(dir, "report.html");
        HtmlReport.Write(ReportSamples.Build(monteCarloPaths: 500), path);
        // Set BALLAST_REPORT_SAMPLE_OUT to write this sample, with a friendlier name, for a look by hand. (docs/report.png
        // is not this sample but the report of examples/backtest-60-40-long.yaml.)
        if (Environment.GetEnvironmentVariable("BALLAST_REPORT_SAMPLE_OUT") is { Length: > 0 } sample)
            HtmlReport.Write(ReportSamples.Build("Illustrative sawtooth (synthetic)", monteCarloPaths: 2_000), sample);

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1280,2000", $"--user-data-dir={Path.Combine(dir, "profile")}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);

        using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        driver.Navigate().GoToUrl(new Uri(path).AbsoluteUri);
        var js = (IJavaScriptExecutor)driver;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (js.ExecuteScript("return document.documentElement.getAttribute('data-charts-rendered')") is null && waited.Elapsed < TimeSpan.FromSeconds(30))
            Thread.Sleep(100);

        var canvases = (IReadOnlyCollection<object>)js.ExecuteScript("""
            return Array.from(document.querySelectorAll('canvas')).map(function (c) {
              var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, inked = 0;
              for (var i = 3; i < d.length; i += 4) if (d[i] !== 0) inked++;
              return c.id + ':' + c.width + 'x' + c.height + ':' + inked;
            });
            """)!;
        var rendered = js.ExecuteScript("return document.documentElement.getAttribute('data-charts-rendered')");
        var pageErrors = (IReadOnlyCollection<object>)js.ExecuteScript("return window.ballastReport ? window.ballastReport.errors : ['report script did not run']")!;
        var consoleErrors = driver.Manage().Logs.GetLog(LogType.Browser)
            .Where(e => e.Level >= LogLevel.Warning)
            .Select(e => e.Message)
            .ToList();

        Assert.Empty(pageErrors);
        Assert.Empty(consoleErrors);
        // growth, drawdown, 2 × allocation, 2 × drift, 2 fans, terminal wealth
        Assert.Equal(9, canvases.Count);
        Assert.Equal("9", rendered);
        var layout = ChartLayout.Read(js);
        // The growth chart (about 20× since 1990) and the fans are logarithmic; their labels do not touch.
        Assert.True(layout.Count(c => c.LogAxis) >= 3);
        ChartLayout.AssertLogLabelsApart(layout);
        // The sawtooth's 11 rebalances are dashed lines across its chart, not a strip above it.
        Assert.All(layout, c => Assert.Equal(0, c.StripPixels));
        foreach (string c in canvases)
        {
            var parts = c.Split(':');
            var size = parts[1].Split('x').Select(int.Parse).ToArray();
            var inked = int.Parse(parts[2]);
            // A drawn chart inks axes, labels and series: well over 1 % of its pixels.
            Assert.True(size[0] > 100 && size[1] > 100 && inked > size[0] * size[1] / 100, $"chart {c} looks blank");
        }
    }
}
