using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// Debian Chromium driven headless (/usr/bin/chromium and /usr/bin/chromedriver, installed by
/// .ci/install-chromium.sh), and the check every report test makes: each chart drew and nothing logged an error.
/// </summary>
internal static class HeadlessChromium
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    /// <summary>The window width the reports are checked at: a laptop or a desktop browser window not at full width.</summary>
    public const int WindowWidth = 1400;

    /// <summary>A headless browser <see cref="WindowWidth"/> pixels wide with its profile under <paramref name="dir"/>, logging the console.</summary>
    public static ChromeDriver Start(string dir)
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"Chromium or chromedriver is missing ({Chromium}, {ChromeDriver}); run .ci/install-chromium.sh");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--window-size={WindowWidth},2000", $"--user-data-dir={Path.Combine(dir, "profile")}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// Opens the report at <paramref name="path"/>, waits for its charts, and asserts that the page and the console
    /// logged no error, that the report says it rendered every canvas, and that every chart inked well over 1 % of
    /// its pixels (axes, labels and series). Returns the number of charts.
    /// </summary>
    public static int AssertEveryChartRendered(ChromeDriver driver, string path)
    {
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
        var consoleErrors = driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Empty(pageErrors);
        Assert.Empty(consoleErrors);
        Assert.Equal(canvases.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), rendered);
        foreach (string c in canvases)
        {
            var parts = c.Split(':');
            var size = parts[1].Split('x').Select(int.Parse).ToArray();
            Assert.True(size[0] > 100 && size[1] > 100 && int.Parse(parts[2]) > size[0] * size[1] / 100, $"chart {c} in {Path.GetFileName(path)} looks blank");
        }
        return canvases.Count;
    }

    /// <summary>The labels of the datasets of the chart drawn on canvas <paramref name="id"/>, each with its number of points.</summary>
    public static IReadOnlyList<(string Label, int Points)> Datasets(IJavaScriptExecutor js, string id)
    {
        var rows = (IReadOnlyCollection<object>)js.ExecuteScript("""
            var chart = Chart.getChart(arguments[0]);
            return chart ? chart.data.datasets.map(function (d) { return d.data.length + '|' + d.label; }) : null;
            """, id)!;
        Assert.True(rows is not null, $"no chart on canvas {id}");
        return [.. rows.Cast<string>().Select(r => (r[(r.IndexOf('|', StringComparison.Ordinal) + 1)..], int.Parse(r[..r.IndexOf('|', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>
    /// Asserts that no table, and not the page, is wider than its box (no horizontal scrollbar), and that every header
    /// cell shows its whole text inside its table's box.
    /// </summary>
    public static void AssertTablesFit(IJavaScriptExecutor js, string what)
    {
        var rows = (IReadOnlyCollection<object>)js.ExecuteScript("""
            var out = ['page|' + document.documentElement.scrollWidth + '|' + document.documentElement.clientWidth];
            document.querySelectorAll('.table-wrap').forEach(function (w, i) {
              out.push('table ' + i + '|' + w.scrollWidth + '|' + w.clientWidth);
              var right = w.getBoundingClientRect().right;
              w.querySelectorAll('th').forEach(function (th) {
                var r = th.getBoundingClientRect();
                out.push('header "' + th.textContent + '"|' + Math.max(th.scrollWidth, Math.ceil(r.right - right + th.clientWidth)) + '|' + th.clientWidth);
              });
            });
            return out;
            """)!;
        Assert.True(rows.Count > 1, $"{what} has no table");
        foreach (string row in rows)
        {
            var f = row.Split('|');
            Assert.True(int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) <= int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture),
                $"{what}: {f[0]} is {f[1]} px wide in a box of {f[2]} px at a {WindowWidth} px window");
        }
    }
}
