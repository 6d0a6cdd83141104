using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Testing;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>
/// <c>ballast events</c>, <c>ballast webhooks</c>, deliveries after a window run and <c>check --notify</c>, against a real HTTP
/// receiver on 127.0.0.1 started by the test. Retry delays are shortened through <c>BALLAST_WEBHOOK_RETRY_DELAY</c>.
/// </summary>
public sealed class EventCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal) { ["BALLAST_WEBHOOK_RETRY_DELAY"] = "5ms" };

    public EventCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,VTI,BND\n2026-02-26,100,100\n");
        _cli.Write("rails.yaml", "{ look: daily, trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 10% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nbig,taxable,USD,,core\nheld,taxable,USD,,core\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nbig,VTI,240,1\nbig,BND,60,1\nheld,VTI,240,1\nheld,BND,60,1\n");
        _cli.Write("calendar.yaml", "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        _cli.Write("balanced.yaml", "asOf: 2025-09-26\ncurrency: USD\nholdings:\n  - { ticker: VTI, quantity: 60, price: 100 }\n  - { ticker: BND, quantity: 40, price: 100 }\n" +
                                    "targets: { VTI: 60%, BND: 40% }\npolicy: { look: daily, trigger: threshold, absolute: 5% }\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "rails.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2026-02-26");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => RunWith(true, args);

    private (int Exit, string Out, string Err) RunWith(bool store, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(stdout), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        var context = new CliContext
        {
            Console = console, Out = stdout, Error = stderr, WorkingDirectory = _cli.Directory, Time = new Clock(new DateTimeOffset(2026, 3, 2, 16, 0, 0, TimeSpan.Zero)),
            Environment = name => _env.GetValueOrDefault(name),
        };
        var exit = CliApp.Run(store ? [.. args, "--db", _db] : args, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static bool Verifies(ReceivedRequest r, string secret) =>
        r.Headers["X-Ballast-Signature"] == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(r.Headers["X-Ballast-Timestamp"] + "." + r.Body)));

    private List<JsonElement> Events(params string[] args) =>
        [.. Ok(["events", "--json", .. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public void CheckNotify_OnADriftedExampleFile_PostsTheVerdictOnce_Signed_AndTheExitCodeStaysTheChecks()
    {
        using var receiver = new WebhookReceiver();
        _env["BALLAST_NOTIFY_SECRET"] = "bot-secret";
        var example = RepositoryPaths.Example("sixty-forty.yaml");
        var (exit, stdout, stderr) = RunWith(false, "check", example, "--notify", receiver.Url);
        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.Contains("Rebalance needed", stdout, StringComparison.Ordinal);

        var got = Assert.Single(receiver.Requests);
        Assert.True(Verifies(got, "bot-secret"));
        var body = JsonDocument.Parse(got.Body).RootElement;
        Assert.Equal("check.result", body.GetProperty("kind").GetString());
        Assert.Equal("sixty-forty.yaml", body.GetProperty("subject").GetString());
        Assert.Equal("sixty-forty.yaml: rebalance now — VTI 71.0% (band 55–65%), BND 29.0% (band 35–45%)", body.GetProperty("text").GetString());
        Assert.StartsWith("check-20260302T160000000Z-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(body.GetProperty("id").GetString(), got.Headers["X-Ballast-Event-Id"]);
        // data is what check --json prints.
        var json = RunWith(false, "check", example, "--json");
        Assert.Equal(1, json.Exit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json.Out), JsonNode.Parse(body.GetProperty("data").GetRawText())));

        // A portfolio within its bands posts nothing, unless --notify-always.
        Assert.Equal(0, RunWith(false, "check", "balanced.yaml", "--notify", receiver.Url).Exit);
        Assert.Single(receiver.Requests);
        Assert.Equal(0, RunWith(false, "check", "balanced.yaml", "--notify", receiver.Url, "--notify-always", "--notify-secret", "flag-secret").Exit);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.True(Verifies(receiver.Requests[1], "flag-secret"));
        Assert.StartsWith("balanced.yaml: no rebalance needed — ", JsonDocument.Parse(receiver.Requests[1].Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNotify_ToAReceiverThatIsDown_Warns_AndABadUrlIsExitTwoNamingNotify()
    {
        var down = $"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook";
        var (exit, _, stderr) = RunWith(false, "check", RepositoryPaths.Example("sixty-forty.yaml"), "--notify", down);
        Assert.Equal(1, exit);
        Assert.StartsWith($"ballast: warning: --notify: the check result was not delivered to {down}: ", stderr, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts", stderr, StringComparison.Ordinal);

        foreach (var bad in new[] { "not a url", "ftp://example.com/x", "/relative" })
        {
            var r = RunWith(false, "check", RepositoryPaths.Example("sixty-forty.yaml"), "--notify", bad);
            Assert.Equal(2, r.Exit);
            Assert.Contains("--notify", r.Err, StringComparison.Ordinal);
        }
        var stored = Run("check", "--account", "big", "--notify", "http://127.0.0.1:1/x");
        Assert.Equal(2, stored.Exit);
        Assert.Contains("--notify", stored.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowRun_DeliversToAWebhook_AReceiverFailingTwiceGetsThreeAttempts_AndTheRunSucceeds()
    {
        using var receiver = new WebhookReceiver { Answer = n => n <= 2 ? 500 : 200 };
        Assert.Contains("webhook 1:", Ok("webhooks", "add", receiver.Url, "--secret", "k1", "--kinds", "window.finished"), StringComparison.Ordinal);

        var (exit, stdout, stderr) = Run("window", "run", "--calendar", "calendar.yaml");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("Window 2026-03-02T10:00", stdout, StringComparison.Ordinal);

        Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.Answered));
        var finished = Assert.Single(Events("--kind", "window.finished"));
        Assert.All(receiver.Requests, r => Assert.Equal(finished.GetProperty("id").GetString(), r.Headers["X-Ballast-Event-Id"]));
        Assert.All(receiver.Requests, r => Assert.True(Verifies(r, "k1")));
        var body = JsonDocument.Parse(receiver.Requests[2].Body).RootElement;
        Assert.Equal("window 2026-03-02T10:00 proposed: 2 accounts, 2 evaluated, 2 rebalanced, 0 skipped", body.GetProperty("text").GetString());
        var hook = JsonDocument.Parse(Ok("webhooks", "list", "--json")).RootElement[0];
        Assert.Equal(long.Parse(finished.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture), hook.GetProperty("cursor").GetInt64());
        Assert.False(hook.TryGetProperty("failing", out _));
    }

    [Fact]
    public void WindowRun_WithTheReceiverDown_SucceedsWithAWarning_TheDeliveryIsRecordedFailed_AndWebhooksDeliverRetriesIt()
    {
        var port = WebhookReceiver.FreePort();
        var added = Ok("webhooks", "add", $"http://127.0.0.1:{port}/hook", "--kinds", "window.started,window.finished");
        var secret = System.Text.RegularExpressions.Regex.Match(added, "secret: ([0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(64, secret.Length);

        var (exit, stdout, stderr) = Run("window", "run", "--calendar", "calendar.yaml", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("proposed", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
        Assert.StartsWith($"ballast: warning: webhook 1 (http://127.0.0.1:{port}/hook): event ", stderr, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts; recorded, retried by the next delivery", stderr, StringComparison.Ordinal);

        var started = Assert.Single(Events("--kind", "window.started")).GetProperty("id").GetString();
        var hook = JsonDocument.Parse(Ok("webhooks", "list", "--json")).RootElement[0];
        Assert.Equal(0, hook.GetProperty("cursor").GetInt64());
        Assert.Equal(started, hook.GetProperty("failing").GetProperty("event").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4, hook.GetProperty("failing").GetProperty("attempts").GetInt32());
        Assert.Contains("failing at event", Ok("webhooks", "list"), StringComparison.Ordinal);

        // The receiver comes back: the next delivery sends both events, in order, and the webhook is up to date.
        using var receiver = new WebhookReceiver(port);
        var delivered = Run("webhooks", "deliver");
        Assert.Equal((0, ""), (delivered.Exit, delivered.Err));
        Assert.Contains("webhook 1: 2 delivered", delivered.Out, StringComparison.Ordinal);
        Assert.Equal(["window.started", "window.finished"], receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("kind").GetString()));
        Assert.All(receiver.Requests, r => Assert.True(Verifies(r, secret)));
        Assert.Contains("up to date", Ok("webhooks", "list"), StringComparison.Ordinal);
        Assert.Contains("webhook 1: 0 delivered", Ok("webhooks", "deliver"), StringComparison.Ordinal);

        Ok("webhooks", "remove", "1");
        Assert.Contains("no webhooks", Ok("webhooks", "list"), StringComparison.Ordinal);
        Assert.Equal(2, Run("webhooks", "remove", "1").Exit);
        Assert.Equal(2, Run("webhooks", "add", "mailto:x@example.com").Exit);
    }

    [Fact]
    public void Events_ListSinceAnId_WithALimitAndKinds_AsJsonLinesOrATable()
    {
        Ok("window", "hold", "held", "--reason", "client call");
        Ok("window", "run", "--calendar", "calendar.yaml");
        var all = Events("--limit", "1000");
        // With the firm's default approval rule (none) the window approves its proposal as it saves it.
        Assert.Equal(["window.started", "proposal.created", "proposal.approved", "window.finished"], all.Select(e => e.GetProperty("kind").GetString()));
        var ids = all.Select(e => long.Parse(e.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal("proposal 1 created for window 2026-03-02T10:00: account big: 2 orders", all[1].GetProperty("text").GetString());
        Assert.Equal("big", all[1].GetProperty("data").GetProperty("accounts")[0].GetString());

        var page = Events("--since", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--limit", "1");
        Assert.Equal(ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(page).GetProperty("id").GetString());
        Assert.Empty(Events("--since", ids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Ok("proposals", "send", "1");
        Assert.Equal("proposal.sent", Assert.Single(Events("--since", ids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture))).GetProperty("kind").GetString());

        var table = Ok("events", "--kind", "window.started,window.finished");
        Assert.Contains("window 2026-03-02T10:00 started (run 1)", table, StringComparison.Ordinal);
        Assert.Contains("last id", table, StringComparison.Ordinal);
        Assert.Equal(2, Run("events", "--kind", "window.nope").Exit);
        Assert.Equal(2, Run("events", "--since", "-1").Exit);
        Assert.Equal(2, Run("events", "--limit", "0").Exit);
    }
}
