using System.Net;
using System.Text.RegularExpressions;
using Ballast.Operations.Blocks;
using Ballast.Store;
using Ballast.Testing;
using OpenQA.Selenium;

namespace Ballast.Service.Tests.Dashboard;

/// <summary>
/// The desk in real headless Chromium against the real service on Kestrel, on SQLite (<see cref="SqliteDeskTests"/>) and PostgreSQL
/// (<see cref="PostgresDeskTests"/>): the exception queue lists the breaching accounts, and approving a proposal in the page makes the
/// next blocks gather it.
/// </summary>
public abstract partial class DeskSuite : IAsyncLifetime
{
    protected DeskSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-desk-test-").FullName;

    protected string Directory { get; }
    protected abstract StoreLocation Location { get; }
    private protected DeskHost Host { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Host = await DeskHost.Start(Location, Directory);

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void Queue_ListsTheBreachingAccountsFirst_WithTheEnginesReason()
    {
        using var browser = DeskBrowser.Start(Host.Address, Directory);
        browser.Go("/desk");
        Assert.Equal("/desk/login", browser.Path0); // no session: the login form
        browser.Login(Host.ApproverKey);
        var outside = browser.Driver.FindElement(By.Id("kind-outsidetolerance")).FindElement(By.XPath("./following-sibling::div//table"));
        var rows = outside.FindElements(By.CssSelector("tbody tr")).Select(r => r.Text).ToList();
        Assert.Contains(rows, r => r.StartsWith("breaching ", StringComparison.Ordinal) && r.Contains("VTI", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("large-breach ", StringComparison.Ordinal));
        // The queue's first section is the accounts outside tolerance, the largest drift first (large-breach 34 %, breaching 30 %).
        var sections = browser.Driver.FindElements(By.CssSelector("section.queue-group h2")).Select(e => e.GetAttribute("id")).ToList();
        Assert.Equal("kind-outsidetolerance", sections[0]);
        Assert.True(rows.FindIndex(r => r.StartsWith("large-breach ", StringComparison.Ordinal)) < rows.FindIndex(r => r.StartsWith("breaching ", StringComparison.Ordinal)));
        // The other kinds: idle cash, a do-not-sell holding, the proposals waiting, the failed webhook.
        var text = browser.Driver.FindElement(By.TagName("main")).Text;
        Assert.Contains("50,000.00 USD of cash waits to be invested", text, StringComparison.Ordinal);
        Assert.Contains("holds VTI: do-not-sell VTI (account restricted: client's request)", text, StringComparison.Ordinal);
        Assert.Contains($"proposal {Host.ProposalOf("breaching")} (window {DeskHost.Window}: account breaching) is proposed, awaiting approval", text, StringComparison.Ordinal);
        Assert.Contains("webhook 1 (http://127.0.0.1:9/hooks/ballast): event", text, StringComparison.Ordinal);
        Assert.Empty(browser.ConsoleProblems());
    }

    [Fact]
    public void ApprovingAProposalInThePage_MovesItIntoTheNextBlocks()
    {
        var proposal = Host.ProposalOf("breaching");
        Assert.Equal(ProposalStatus.Proposed, Host.Store.GetProposal(proposal).Status);
        using var browser = DeskBrowser.Start(Host.Address, Directory);
        browser.Login(Host.ApproverKey);
        browser.Go("/desk/proposals");
        browser.Driver.FindElement(By.Id($"approve-{proposal}")).Click();
        DeskBrowser.WaitFor(() => browser.Driver.FindElements(By.CssSelector("p.flash")).Count > 0);
        Assert.Equal("/desk/proposals", browser.Path0);
        Assert.Contains($"Proposal {proposal} is approved", browser.Driver.FindElement(By.CssSelector("p.flash")).Text, StringComparison.Ordinal);
        Assert.Equal(ProposalStatus.Approved, Host.Store.GetProposal(proposal).Status);
        Assert.Contains(Host.Store.Audit(), a => a.Action == "proposal approved" && a.Actor.Contains("(acme, approver) on the desk", StringComparison.Ordinal));

        // The next blocks of the window, made through the operations layer, gather it; the window's page shows it in its blocks.
        var (_, blocks) = new BlockDesk(Host.Store).CreateForWindow(DeskHost.Window);
        Assert.NotEmpty(blocks);
        Assert.All(blocks, b => Assert.Contains(proposal, b.Lines.Select(l => l.ProposalId)));
        browser.Go("/desk/windows/" + Uri.EscapeDataString(DeskHost.Window));
        var blockTables = browser.Driver.FindElements(By.CssSelector("section.block")).Where(s => blocks.Any(b => s.GetAttribute("id") == $"block-{b.Id}")).ToList();
        Assert.Equal(blocks.Count, blockTables.Count);
        Assert.All(blockTables, s => Assert.Contains("breaching", s.Text, StringComparison.Ordinal));
        Assert.Empty(browser.ConsoleProblems());
    }
}

public sealed class SqliteDeskTests : DeskSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "desk.db")}");

    private static readonly string[] Pages = ["/desk", "/desk/windows", "/desk/windows/" + Uri.EscapeDataString(DeskHost.Window), "/desk/proposals", "/desk/accounts",
        "/desk/accounts/breaching", "/desk/accounts/restricted", "/desk/models", "/desk/models/core", "/desk/accounts/" + Uri.EscapeDataString(DeskHost.EvilName)];

    [Fact]
    public void EveryChartDraws_AndNoPageLogsAnError()
    {
        using var browser = DeskBrowser.Start(Host.Address, Directory);
        browser.Login(Host.ApproverKey);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var page in Pages)
        {
            browser.Go(page);
            Assert.Equal(Uri.UnescapeDataString(page), Uri.UnescapeDataString(browser.Path0));
            foreach (var (id, width, height, shapes) in browser.Charts())
            {
                Assert.True(width > 200 && height > 40 && shapes >= 3, $"{page}: chart {id} looks empty ({width}x{height}, {shapes} shapes)");
                seen.Add(id);
            }
            Assert.True(browser.Driver.FindElements(By.CssSelector("svg.chart .legend text")).Count == 0 == (browser.Charts().Count == 0), $"{page}: a chart without a legend");
            var duplicates = browser.Js.ExecuteScript("""
                var seen = {}, dup = [];
                document.querySelectorAll('[id]').forEach(function (e) { if (seen[e.id]) dup.push(e.id); seen[e.id] = 1; });
                return dup.join(',');
                """);
            Assert.True((string)duplicates! == "", $"{page}: ids used twice: {duplicates}");
            var problems = browser.ConsoleProblems();
            Assert.True(problems.Count == 0, $"{page}: {string.Join("\n", problems)}");
        }
        // Every kind of chart drew somewhere: the queue, runs, blocks, proposals, an account's drift, a model's versions and accounts.
        Assert.Superset(new HashSet<string> { "chart-queue", "chart-windows", "chart-blocks", "chart-proposals", "chart-drift", "chart-versions", "chart-model-accounts" }, seen);
        // The drift chart draws a band, a target and a weight per asset.
        browser.Go("/desk/accounts/breaching");
        Assert.Equal(3, browser.Driver.FindElements(By.CssSelector("#chart-drift g.row line.target")).Count);
        Assert.Equal(3, browser.Driver.FindElements(By.CssSelector("#chart-drift g.row rect.weight-out")).Count); // VTI above, BND and VXUS below (version 2)
        Assert.Equal(3, browser.Driver.FindElements(By.CssSelector("#chart-drift g.row rect.band")).Count);
    }

    [Fact]
    public async Task EveryDeskResponse_CarriesTheContentSecurityPolicy()
    {
        using var desk = await HttpDesk.Login(Host.Address, Host.ApproverKey);
        foreach (var page in Pages.Concat(["/desk/login", "/desk/assets/desk.css", "/desk/accounts/nobody", "/desk/nowhere"]))
        {
            var response = await desk.Client.GetAsync(page);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{page}: {response.StatusCode}");
            Assert.Equal(Service.Dashboard.DeskEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(new Regex("<script(?![^>]*\\bsrc=)", RegexOptions.IgnoreCase), body.Replace("&lt;script", "", StringComparison.Ordinal)); // no inline script
            Assert.DoesNotContain(" style=\"", body, StringComparison.Ordinal); // no inline style
        }
        var cookie = (await HttpDesk.Login(Host.Address, Host.ApproverKey)).SetCookie;
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/desk", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Csp_BlocksAnInjectedInlineScript_AndAMarkupNameIsShownAsText()
    {
        using var browser = DeskBrowser.Start(Host.Address, Directory);
        browser.Login(Host.ApproverKey);
        // The account whose name is markup: shown as its text in the queue and on its page; its script never runs.
        Assert.Contains(DeskHost.EvilName, browser.Driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        browser.Go("/desk/accounts/" + Uri.EscapeDataString(DeskHost.EvilName));
        Assert.Equal(DeskHost.EvilName, browser.Driver.FindElement(By.TagName("h1")).Text);
        Assert.Null(browser.Js.ExecuteScript("return window.pwned === undefined ? null : window.pwned;"));
        Assert.Equal(0L, browser.Js.ExecuteScript("return document.querySelectorAll('script').length;"));
        Assert.Empty(browser.ConsoleProblems());

        // A script injected into the page inline is refused by the policy: it does not run, and the browser reports the violation.
        browser.Js.ExecuteScript("""
            window.violations = [];
            document.addEventListener('securitypolicyviolation', function (e) { window.violations.push(e.violatedDirective); });
            var s = document.createElement('script'); s.textContent = 'window.injected = 1;'; document.body.appendChild(s);
            var d = document.createElement('div'); d.setAttribute('style', 'color: red'); d.setAttribute('onclick', 'window.clicked = 1'); document.body.appendChild(d); d.click();
            """);
        Thread.Sleep(300);
        Assert.Null(browser.Js.ExecuteScript("return window.injected === undefined ? null : window.injected;"));
        Assert.Null(browser.Js.ExecuteScript("return window.clicked === undefined ? null : window.clicked;"));
        var violations = ((IReadOnlyCollection<object>)browser.Js.ExecuteScript("return window.violations;")!).Cast<string>().ToList();
        Assert.Contains(violations, v => v.StartsWith("script-src", StringComparison.Ordinal));
        Assert.Contains(browser.ConsoleProblems(), p => p.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Viewer_SeesNoApproveButtons_AndIsRefusedWhenItPosts()
    {
        var proposal = Host.ProposalOf("breaching");
        using (var browser = DeskBrowser.Start(Host.Address, Directory))
        {
            browser.Login(Host.ViewerKey);
            browser.Go("/desk/proposals");
            Assert.Contains($"proposal-{proposal}", browser.Driver.PageSource, StringComparison.Ordinal);
            Assert.Empty(browser.Driver.FindElements(By.CssSelector("button.approve, button.reject")));
            Assert.Contains("viewer key may look but not approve", browser.Driver.FindElement(By.CssSelector("p.lede")).Text, StringComparison.Ordinal);
        }
        using var viewer = await HttpDesk.Login(Host.Address, Host.ViewerKey);
        var refused = await viewer.Post($"/desk/proposals/{proposal}/approve", viewer.Csrf);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("A viewer key may not approve", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(refused.Headers.Contains("Content-Security-Policy"));
        Assert.Equal(ProposalStatus.Proposed, Host.Store.GetProposal(proposal).Status);

        // An approver's post without the session's anti-forgery token is refused too; with it, it approves.
        using var approver = await HttpDesk.Login(Host.Address, Host.ApproverKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.Post($"/desk/proposals/{proposal}/approve", "forged")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.Post($"/desk/proposals/{proposal}/approve", viewer.Csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.Post($"/desk/proposals/{proposal}/approve", approver.Csrf, origin: "http://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.Post($"/desk/proposals/{proposal}/approve", approver.Csrf, fetchSite: "cross-site")).StatusCode);
        Assert.Equal(ProposalStatus.Proposed, Host.Store.GetProposal(proposal).Status);
        var ok = await approver.Post($"/desk/proposals/{proposal}/approve", approver.Csrf);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal(ProposalStatus.Approved, Host.Store.GetProposal(proposal).Status);

        // Reject needs a reason; the second proposal is rejected with one.
        Assert.Equal(HttpStatusCode.Redirect, (await approver.Post($"/desk/proposals/{Host.ProposalOf(DeskHost.EvilName)}/reject", approver.Csrf, ("reason", "client on the phone"))).StatusCode);
        Assert.Equal(ProposalStatus.Rejected, Host.Store.GetProposal(Host.ProposalOf(DeskHost.EvilName)).Status);

        // Logging out ends the session; a revoked key ends it too.
        Assert.Equal(HttpStatusCode.Redirect, (await approver.Post("/desk/logout", approver.Csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await approver.Client.GetAsync("/desk")).StatusCode);
        var keyId = Host.Store.ApiKeys().Single(k => k.Role == ApiRoles.Viewer).Id;
        Host.Store.RevokeApiKey(keyId);
        Assert.Equal(HttpStatusCode.Redirect, (await viewer.Client.GetAsync("/desk")).StatusCode);
    }

    [Fact]
    public async Task Login_RefusesAnUnknownKey_AndAFormWithoutItsToken()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = Host.Address };
        var form = await client.GetStringAsync("/desk/login");
        var token = HttpDesk.CsrfOf(form);
        var bad = await client.PostAsync("/desk/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = token, ["key"] = "blst_nope" }));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Contains("unknown or revoked", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noToken = await client.PostAsync("/desk/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Host.ApproverKey }));
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        // After login, "next" only leads within the desk.
        form = await client.GetStringAsync("/desk/login?next=" + Uri.EscapeDataString("//evil.example/desk"));
        var ok = await client.PostAsync("/desk/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = HttpDesk.CsrfOf(form), ["key"] = Host.ApproverKey, ["next"] = "//evil.example/desk" }));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/desk", ok.Headers.Location!.OriginalString);
        // A "next" that could not be a Location header (a line break, a non-ASCII letter) leads to the desk too, never to a 500.
        foreach (var next in new[] { "/desk/accounts\r\nSet-Cookie: x=1", "/desk/accounts/é" })
        {
            form = await client.GetStringAsync("/desk/login");
            var odd = await client.PostAsync("/desk/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = HttpDesk.CsrfOf(form), ["key"] = Host.ApproverKey, ["next"] = next }));
            Assert.Equal(HttpStatusCode.Redirect, odd.StatusCode);
            Assert.Equal("/desk", odd.Headers.Location!.OriginalString);
        }
    }

    /// <summary>
    /// Screenshots of the desk's main pages for docs/screenshots (run with BALLAST_SCREENSHOTS=1, as bench/screenshots.sh does):
    /// without the variable the test only checks that each page renders.
    /// </summary>
    [Fact]
    public void Screenshots_OfTheMainPages()
    {
        var target = Environment.GetEnvironmentVariable("BALLAST_SCREENSHOTS") is { Length: > 0 } ? Path.Combine(RepositoryPaths.Root, "docs", "screenshots") : null;
        using var browser = DeskBrowser.Start(Host.Address, Directory, 1280, 900);
        browser.Login(Host.ApproverKey);
        foreach (var (name, page) in new[]
                 {
                     ("queue", "/desk"), ("window-run", "/desk/windows/" + Uri.EscapeDataString(DeskHost.Window)), ("proposals", "/desk/proposals"),
                     ("account", "/desk/accounts/breaching"), ("model", "/desk/models/core"),
                 })
        {
            browser.Driver.Manage().Window.Size = new System.Drawing.Size(1280, 700);
            browser.Go(page);
            var height = Convert.ToInt32(browser.Js.ExecuteScript("return Math.ceil(document.documentElement.scrollHeight);"), System.Globalization.CultureInfo.InvariantCulture);
            browser.Driver.Manage().Window.Size = new System.Drawing.Size(1280, Math.Clamp(height + 140, 600, 2600));
            var shot = browser.Driver.GetScreenshot();
            Assert.True(shot.AsByteArray.Length > 10_000, $"{name}: the screenshot is blank");
            if (target is not null)
            {
                System.IO.Directory.CreateDirectory(target);
                shot.SaveAsFile(Path.Combine(target, $"desk-{name}.png"));
            }
        }
    }
}

public sealed class PostgresDeskTests : DeskSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>A desk session driven over HTTP (cookies kept, redirects not followed), for what a browser would not send.</summary>
internal sealed partial class HttpDesk : IDisposable
{
    private HttpDesk(HttpClient client, HttpClientHandler handler, string csrf, string setCookie)
    {
        Client = client;
        _handler = handler;
        Csrf = csrf;
        SetCookie = setCookie;
    }

    private readonly HttpClientHandler _handler;
    public HttpClient Client { get; }
    public string Csrf { get; }
    public string SetCookie { get; }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    public static string CsrfOf(string html) => CsrfField().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no csrf field in the page");

    public static async Task<HttpDesk> Login(Uri address, string key)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        var client = new HttpClient(handler) { BaseAddress = address };
        var token = CsrfOf(await client.GetStringAsync("/desk/login"));
        var login = await client.PostAsync("/desk/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = token, ["key"] = key }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var setCookie = login.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("ballast_desk=", StringComparison.Ordinal));
        var page = await client.GetAsync("/desk");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return new HttpDesk(client, handler, CsrfOf(await page.Content.ReadAsStringAsync()), setCookie);
    }

    public Task<HttpResponseMessage> Post(string path, string csrf, params (string Name, string Value)[] fields) => Post(path, csrf, null, null, fields);

    public async Task<HttpResponseMessage> Post(string path, string csrf, string? origin = null, string? fetchSite = null, params (string Name, string Value)[] fields)
    {
        var values = new Dictionary<string, string> { ["csrf"] = csrf };
        foreach (var (n, v) in fields) values[n] = v;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(values) };
        if (origin is not null) request.Headers.TryAddWithoutValidation("Origin", origin);
        if (fetchSite is not null) request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
        return await Client.SendAsync(request);
    }

    public void Dispose()
    {
        Client.Dispose();
        _handler.Dispose();
    }
}
