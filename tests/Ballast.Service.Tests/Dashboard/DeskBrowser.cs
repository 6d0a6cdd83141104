using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Ballast.Service.Tests.Dashboard;

/// <summary>
/// Debian's Chromium driven headless through /usr/bin/chromedriver (installed by .ci/install-chromium.sh), logging the browser console
/// (<c>goog:loggingPrefs</c>), and the checks every desk page gets.
/// </summary>
internal sealed class DeskBrowser : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    private DeskBrowser(ChromeDriver driver, Uri address)
    {
        Driver = driver;
        Address = address;
    }

    public ChromeDriver Driver { get; }
    public Uri Address { get; }
    public IJavaScriptExecutor Js => Driver;

    public static DeskBrowser Start(Uri address, string dir, int width = 1300, int height = 1000)
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver), $"Chromium or chromedriver is missing ({Chromium}, {ChromeDriver}); run .ci/install-chromium.sh");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--window-size={width},{height}", $"--user-data-dir={Path.Combine(dir, "profile-" + Guid.NewGuid().ToString("N"))}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new DeskBrowser(new ChromeDriver(service, options, TimeSpan.FromSeconds(90)), address);
    }

    public void Go(string path) => Driver.Navigate().GoToUrl(new Uri(Address, path));

    public string Path0 => new Uri(Driver.Url).AbsolutePath;

    /// <summary>Logs in through the form with <paramref name="key"/>.</summary>
    public void Login(string key)
    {
        Go("/desk/login");
        Driver.FindElement(By.Id("key")).SendKeys(key);
        Driver.FindElement(By.Id("login")).Click();
        WaitFor(() => Path0 != "/desk/login");
        Assert.Equal("/desk", Path0);
    }

    /// <summary>Waits up to 20 s for <paramref name="condition"/> (a form post's navigation may still be under way when Click returns).</summary>
    public static void WaitFor(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
    }

    /// <summary>The console's messages at warning or above since the last call.</summary>
    public List<string> ConsoleProblems() =>
        [.. Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level}: {e.Message}")];

    /// <summary>Every chart on the page: id, and the bounding box of its drawn shapes (rects and lines) and its number of shapes.</summary>
    public List<(string Id, double Width, double Height, int Shapes)> Charts() =>
        [.. ((IReadOnlyCollection<object>)Js.ExecuteScript("""
            return Array.from(document.querySelectorAll('figure.chart')).map(function (f) {
              var svg = f.querySelector('svg'), shapes = svg ? svg.querySelectorAll('rect, line') : [], w = 0, h = 0, n = 0;
              shapes.forEach(function (s) { var b = s.getBBox(); if (b.width > 0 || b.height > 0) n++; });
              if (svg) { var b = svg.getBBox(); w = b.width; h = b.height; }
              var r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
              return f.id + '|' + Math.min(w, r.width) + '|' + Math.min(h, r.height) + '|' + n;
            });
            """)!).Cast<string>().Select(s =>
        {
            var p = s.Split('|');
            return (p[0], double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), double.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture));
        })];

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
