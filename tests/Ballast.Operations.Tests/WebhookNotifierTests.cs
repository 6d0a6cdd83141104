using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballast.Operations.Alerts;
using Ballast.Store;
using Ballast.Store.Ledger;
using Ballast.Testing;

namespace Ballast.Operations.Tests;

/// <summary>
/// <see cref="WebhookNotifier"/> against a real HTTP receiver on 127.0.0.1 (no mocks): the signed body, retries with backoff,
/// a receiver that is down, and delivery of a store's pending events with the cursor moving only past acknowledged ones.
/// </summary>
public sealed class WebhookNotifierTests : IDisposable
{
    private const string Secret = "s3cret-key";
    private static readonly WebhookOptions Fast = new() { FirstDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), AttemptTimeout = TimeSpan.FromSeconds(5) };
    private readonly HttpClient _http = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ballast-webhook-").FullName;

    public void Dispose()
    {
        _http.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static WebhookEvent Sample() => new("42", "window.finished", new DateTimeOffset(2026, 3, 2, 15, 5, 0, TimeSpan.Zero), "2026-03-02T10:00",
        "window 2026-03-02T10:00 proposed: 2 accounts, 1 evaluated, 1 rebalanced, 1 skipped", """{"run":1,"status":"proposed","accounts":2}""");

    /// <summary>The receiver's check, written here independently of the notifier: HMAC-SHA256 of "timestamp.body" with the secret.</summary>
    private static string Expected(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    [Fact]
    public async Task AnEvent_IsPostedAsSignedJson_AndTheSignatureVerifies()
    {
        using var receiver = new WebhookReceiver();
        var notifier = new WebhookNotifier(_http, TimeProvider.System, Fast);
        var r = await notifier.SendAsync(receiver.Url, Secret, Sample());
        Assert.Equal(new SendResult(true, 1, 200, null), r);

        var got = Assert.Single(receiver.Requests);
        Assert.Equal("POST", got.Method);
        Assert.Equal("/hook", got.Path);
        Assert.StartsWith("application/json", got.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("42", got.Headers[WebhookNotifier.EventIdHeader]);
        var timestamp = got.Headers[WebhookNotifier.TimestampHeader];
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(Expected(Secret, timestamp, got.Body), got.Headers[WebhookNotifier.SignatureHeader]);
        Assert.NotEqual(Expected("another secret", timestamp, got.Body), got.Headers[WebhookNotifier.SignatureHeader]);

        var json = JsonDocument.Parse(got.Body).RootElement;
        Assert.Equal("42", json.GetProperty("id").GetString());
        Assert.Equal("window.finished", json.GetProperty("kind").GetString());
        Assert.Equal("2026-03-02T15:05:00.000Z", json.GetProperty("at").GetString());
        Assert.Equal("2026-03-02T10:00", json.GetProperty("subject").GetString());
        Assert.StartsWith("window 2026-03-02T10:00 proposed", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, json.GetProperty("data").GetProperty("accounts").GetInt32());
    }

    [Fact]
    public async Task AReceiverFailingTwice_GetsThreeAttempts_AndTheThirdDelivers()
    {
        using var receiver = new WebhookReceiver { Answer = n => n <= 2 ? 500 : 200 };
        var r = await new WebhookNotifier(_http, TimeProvider.System, Fast).SendAsync(receiver.Url, Secret, Sample());
        Assert.True(r.Delivered);
        Assert.Equal(3, r.Attempts);
        Assert.Equal([500, 500, 200], receiver.Requests.Select(x => x.Answered));
        // Every attempt is signed with its own timestamp and carries the same event id.
        Assert.All(receiver.Requests, x => Assert.Equal(Expected(Secret, x.Headers[WebhookNotifier.TimestampHeader], x.Body), x.Headers[WebhookNotifier.SignatureHeader]));
        Assert.All(receiver.Requests, x => Assert.Equal("42", x.Headers[WebhookNotifier.EventIdHeader]));
    }

    [Fact]
    public async Task AReceiverThatIsDown_OrRefuses_IsReported_NeverThrown()
    {
        var down = $"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook";
        var r = await new WebhookNotifier(_http, TimeProvider.System, Fast).SendAsync(down, Secret, Sample());
        Assert.False(r.Delivered);
        Assert.Equal(4, r.Attempts); // the first and three retries
        Assert.Null(r.Status);
        Assert.Contains("refused", r.Error, StringComparison.OrdinalIgnoreCase);

        // A 4xx is the receiver's refusal: not retried within the run.
        using var receiver = new WebhookReceiver { Answer = _ => 401 };
        r = await new WebhookNotifier(_http, TimeProvider.System, Fast).SendAsync(receiver.Url, Secret, Sample());
        Assert.Equal(new SendResult(false, 1, 401, "HTTP 401 Unauthorized"), r);
    }

    [Fact]
    public async Task AnAttemptThatHangs_TimesOut_AndIsRetried()
    {
        // A listener that accepts connections and never answers.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/hook";
            var options = Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = await new WebhookNotifier(_http, TimeProvider.System, options).SendAsync(url, Secret, Sample());
            Assert.False(r.Delivered);
            Assert.Equal(2, r.Attempts);
            Assert.Contains("timed out", r.Error, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        }
        finally { silent.Stop(); }
    }

    private BallastStore NewStore() => BallastStore.Initialize(new StoreLocation(StoreProvider.Sqlite, $"Data Source={Path.Combine(_dir, "ballast.db")}"),
        new StoreOptions { Actor = "tester", Time = new FixedTime(new DateTimeOffset(2025, 10, 1, 12, 0, 0, TimeSpan.Zero)) });

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Three events of the store: an account, a proposal for it and its approval.</summary>
    private static void ThreeEvents(BallastStore store)
    {
        store.AddAccount(new NewAccount("acct", AccountType.Taxable, "USD", null));
        store.AddSecurity("VTI");
        var p = store.SaveProposal(new NewProposal("account acct", "test", null, "{}", "{}", [new ProposedOrder("acct", "VTI", OrderSide.Buy, 1, 100m)]));
        store.SetProposalStatus(p, ProposalStatus.Approved);
        store.SetProposalStatus(p, ProposalStatus.Sent);
    }

    [Fact]
    public async Task PendingEvents_AreDeliveredInOrder_AFailureStopsTheWebhook_AndTheNextRunRetriesIt()
    {
        var store = NewStore();
        var port = WebhookReceiver.FreePort();
        var hook = store.AddWebhook($"http://127.0.0.1:{port}/hook", Secret);
        Assert.Equal(0, hook.Cursor);
        ThreeEvents(store);
        var events = store.Events();
        Assert.Equal(["proposal.created", "proposal.approved", "proposal.sent"], events.Select(e => e.Kind));
        var notifier = new WebhookNotifier(_http, TimeProvider.System, Fast);

        // Down: the first event fails after its attempts, recorded; the others wait behind it (order is kept).
        var report = Assert.Single(await notifier.DeliverPendingAsync(store));
        Assert.Equal((0, 1, true), (report.Delivered, report.Failed, report.Pending));
        Assert.Contains($"event {events[0].Id}", report.Error, StringComparison.Ordinal);
        var failed = Assert.Single(store.WebhookDeliveries(hook.Id));
        Assert.Equal((events[0].Id, "failed", 4), (failed.EventId, failed.Status, failed.Attempts));
        Assert.Equal(0, store.Webhooks()[0].Cursor);
        Assert.Equal(events[0].Id, store.Webhooks()[0].Failure!.EventId);

        // Up again: the next run delivers all three in order and the cursor reaches the last.
        using var receiver = new WebhookReceiver(port);
        report = Assert.Single(await notifier.DeliverPendingAsync(store));
        Assert.Equal((3, 0, false, (string?)null), (report.Delivered, report.Failed, report.Pending, report.Error));
        Assert.Equal(events.Select(e => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), receiver.Requests.Select(r => r.Headers[WebhookNotifier.EventIdHeader]));
        Assert.Equal("proposal 1 approved", JsonDocument.Parse(receiver.Requests[1].Body).RootElement.GetProperty("text").GetString());
        Assert.Equal(events[^1].Id, store.Webhooks()[0].Cursor);
        Assert.Null(store.Webhooks()[0].Failure);
        Assert.Equal([("delivered", 5), ("delivered", 1), ("delivered", 1)], store.WebhookDeliveries(hook.Id).Select(d => (d.Status, d.Attempts)));

        // Nothing pending: nothing sent.
        report = Assert.Single(await notifier.DeliverPendingAsync(store));
        Assert.Equal(0, report.Delivered);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task AWebhookFilteredByKind_GetsOnlyThoseKinds_AndARemovedOneNothing()
    {
        var store = NewStore();
        using var receiver = new WebhookReceiver();
        var approvals = store.AddWebhook(receiver.Url, Secret, ["proposal.approved"]);
        var removed = store.AddWebhook(receiver.Url + "?token=x", Secret);
        store.RemoveWebhook(removed.Id);
        ThreeEvents(store);
        var notifier = new WebhookNotifier(_http, TimeProvider.System, Fast);
        var report = Assert.Single(await notifier.DeliverPendingAsync(store));
        Assert.Equal(approvals.Id, report.WebhookId);
        var got = Assert.Single(receiver.Requests);
        Assert.Equal("proposal.approved", JsonDocument.Parse(got.Body).RootElement.GetProperty("kind").GetString());
        Assert.Empty(store.PendingEvents(approvals.Id));
    }
}
