using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballast.Store;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ballast.Operations.Alerts;

/// <summary>How hard a webhook delivery tries. The defaults suit a cron job; tests shorten the delays.</summary>
public sealed record WebhookOptions
{
    /// <summary>HTTP attempts per event in one delivery run (the first and its retries).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first retry's delay; each next one doubles, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one attempt may take (connect, send, response headers).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one event's attempts and delays may take together.</summary>
    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>How long one delivery run over every webhook may take; what is left waits for the next run.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Events read from the store at a time, and recorded together.</summary>
    public int BatchSize { get; init; } = 100;
}

/// <summary>An event as a webhook receives it.</summary>
/// <param name="Id">The event id (a stored event's number, as text).</param>
/// <param name="Text">One human line, Slack-compatible (&amp;, &lt; and &gt; escaped).</param>
/// <param name="Data">The event's facts, a JSON object.</param>
public sealed record WebhookEvent(string Id, string Kind, DateTimeOffset At, string Subject, string Text, string Data)
{
    /// <summary>A stored event with its human line.</summary>
    public static WebhookEvent From(StoredEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id.ToString(CultureInfo.InvariantCulture), e.Kind, e.At, e.Subject, EventText.Line(e), e.Data);
    }
}

/// <summary>What sending one event did.</summary>
/// <param name="Attempts">HTTP attempts made.</param>
/// <param name="Status">The last response's status code, or null when none came.</param>
/// <param name="Error">Why it was not delivered, or null.</param>
public sealed record SendResult(bool Delivered, int Attempts, int? Status, string? Error);

/// <summary>What a delivery run did for one webhook.</summary>
/// <param name="Error">The failure that stopped it (it is retried by the next run), or null.</param>
/// <param name="Pending">True when events were left for the next run (a failure, or the run's time budget).</param>
public sealed record WebhookReport(long WebhookId, string Url, int Delivered, int Failed, string? Error, bool Pending);

/// <summary>
/// Sends events to webhooks: an HTTP POST of a JSON body, signed with HMAC-SHA256, retried with exponential backoff and jitter by a
/// Polly pipeline (a timeout per attempt and per event). A delivery never throws into the caller's work: failures are returned and
/// recorded. Stored events are delivered in id order per webhook; its cursor moves only past events a receiver acknowledged with a
/// 2xx, so an event is delivered at least once (a receiver deduplicates by <c>X-Ballast-Event-Id</c>).
/// </summary>
public sealed class WebhookNotifier
{
    /// <summary>Headers of every request.</summary>
    public const string EventIdHeader = "X-Ballast-Event-Id", TimestampHeader = "X-Ballast-Timestamp", SignatureHeader = "X-Ballast-Signature";

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public WebhookNotifier(HttpClient http, TimeProvider? time = null, WebhookOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = time ?? TimeProvider.System;
        Options = options ?? new WebhookOptions();
        if (Options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1");
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        builder.AddTimeout(Options.EventTimeout);
        if (Options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(Transient),
                MaxRetryAttempts = Options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.FirstDelay,
                MaxDelay = Options.MaxDelay,
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose(); // the failed response is not read again
                    return default;
                },
            });
        }
        builder.AddTimeout(Options.AttemptTimeout);
        _pipeline = builder.Build();
    }

    public WebhookOptions Options { get; }

    /// <summary>A response worth retrying: a server error, 408 (timeout) or 429 (too many requests). Other 4xx are the receiver's refusal.</summary>
    private static bool Transient(HttpResponseMessage r) =>
        (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>Sends one event to <paramref name="url"/>, signed with <paramref name="secret"/> (unsigned when it is empty), with retries. Never throws but for cancellation by <paramref name="cancel"/>.</summary>
    public async Task<SendResult> SendAsync(string url, string secret, WebhookEvent e, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        var body = Body(e);
        var bytes = Encoding.UTF8.GetBytes(body);
        var attempts = 0;
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                Interlocked.Increment(ref attempts);
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add(EventIdHeader, e.Id);
                request.Headers.Add(TimestampHeader, timestamp);
                if (!string.IsNullOrEmpty(secret)) request.Headers.Add(SignatureHeader, Signature(secret, timestamp, bytes)); // without a secret, unsigned
                request.Headers.UserAgent.ParseAdd("Ballast-Webhook/1");
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            }, cancel).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new SendResult(true, attempts, status, null)
                : new SendResult(false, attempts, status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new SendResult(false, attempts, null, "stopped: the delivery's time was up");
        }
        catch (TimeoutRejectedException t)
        {
            return new SendResult(false, attempts, null, $"timed out after {t.Timeout.TotalSeconds:0.###} s");
        }
        catch (Exception x) when (x is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException or UriFormatException)
        {
            return new SendResult(false, attempts, null, Describe(x));
        }
    }

    private static string Describe(Exception x)
    {
        var message = x.Message;
        for (var inner = x.InnerException; inner is not null; inner = inner.InnerException)
            if (!message.Contains(inner.Message, StringComparison.Ordinal)) message += " (" + inner.Message + ")";
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>
    /// Delivers every active webhook's pending events, oldest first, within <see cref="WebhookOptions.Budget"/>. Each webhook stops at
    /// its first event not delivered (order is kept; the next run retries it). Results are recorded in the store as they come,
    /// a batch at a time. Store failures propagate; HTTP failures are reported.
    /// </summary>
    public async Task<IReadOnlyList<WebhookReport>> DeliverPendingAsync(BallastStore store, long? webhookId = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var budget = new CancellationTokenSource(Options.Budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancel);
        var reports = new List<WebhookReport>();
        foreach (var hook in store.Webhooks().Where(w => webhookId is null || w.Id == webhookId))
        {
            int delivered = 0, failed = 0;
            string? error = null;
            var pending = false;
            while (error is null && !pending)
            {
                var events = store.PendingEvents(hook.Id, Options.BatchSize);
                if (events.Count == 0) break;
                var outcomes = new List<DeliveryOutcome>(events.Count);
                foreach (var e in events)
                {
                    if (linked.IsCancellationRequested) { pending = true; break; }
                    var r = await SendAsync(hook.Url, hook.Secret, WebhookEvent.From(e), linked.Token).ConfigureAwait(false);
                    if (r.Attempts == 0 && linked.IsCancellationRequested) { pending = true; break; }
                    outcomes.Add(new DeliveryOutcome(e.Id, r.Delivered, r.Attempts, r.Error, _time.GetUtcNow()));
                    if (r.Delivered) { delivered++; continue; }
                    failed++;
                    error = $"event {e.Id} ({e.Kind}): {r.Error} after {r.Attempts} attempt{(r.Attempts == 1 ? "" : "s")}";
                    pending = true;
                    break;
                }
                store.RecordDeliveries(hook.Id, outcomes);
            }
            reports.Add(new WebhookReport(hook.Id, hook.Url, delivered, failed, error, pending));
        }
        return reports;
    }

    /// <summary>
    /// The request body: <c>{"id","kind","at","subject","text","data"}</c>, written with <see cref="Utf8JsonWriter"/> (no reflection).
    /// </summary>
    public static string Body(WebhookEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var stream = new MemoryStream();
        // Relaxed escaping: the body is JSON over HTTP, never HTML, so an apostrophe stays an apostrophe.
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            w.WriteString("kind", e.Kind);
            w.WriteString("at", e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteString("subject", e.Subject);
            w.WriteString("text", e.Text);
            w.WritePropertyName("data");
            using (var data = JsonDocument.Parse(string.IsNullOrWhiteSpace(e.Data) ? "{}" : e.Data)) data.RootElement.WriteTo(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of <c>TIMESTAMP.BODY</c>.</summary>
    public static string Signature(string secret, string timestamp, string body) => Signature(secret, timestamp, Encoding.UTF8.GetBytes(body));

    private static string Signature(string secret, string timestamp, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message, prefix.Length);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>A new random secret: 32 bytes as 64 hex characters.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
