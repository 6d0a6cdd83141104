using Ballast.Store;

namespace Ballast.Service;

/// <summary>How <c>ballast serve</c> runs: the store, where it listens, and its limits.</summary>
public sealed record ServiceOptions
{
    /// <summary>The store every request reads and writes.</summary>
    public required StoreLocation Store { get; init; }

    /// <summary>Actor and clock of the store; the clock also gives "today" for a document without <c>asOf</c>.</summary>
    public StoreOptions StoreOptions { get; init; } = new() { Actor = "service" };

    /// <summary>Where Kestrel listens, such as <c>http://127.0.0.1:8080</c> (port 0: any free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Requests each API key may make per <see cref="RateWindow"/> (a token bucket refilled that much each window).</summary>
    public int RateLimit { get; init; } = DefaultRateLimit;

    /// <summary>The rate limiter's window.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Log one JSON line per request (and the host's messages) on standard error; false: no logging (tests).</summary>
    public bool Logging { get; init; } = true;

    /// <summary>On SIGTERM or Ctrl+C, how long requests in flight may take to finish before the process stops anyway.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(DefaultShutdownSeconds);

    /// <summary>How long an authenticated key is remembered without asking the store again: a revoked key is refused at most this late.</summary>
    public TimeSpan KeyCacheTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the store is asked for new events while someone waits for them (event streams, webhooks).</summary>
    public TimeSpan EventPoll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often an idle event stream sends a comment line, so proxies and clients see it alive.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliver webhooks in the background (a hosted service over the CLI's <c>WebhookNotifier</c>).</summary>
    public bool DeliverWebhooks { get; init; } = true;

    /// <summary>
    /// Deliver webhooks to loopback, private and link-local addresses too (<see cref="Ballast.Operations.Alerts.WebhookAddresses"/>): for a
    /// receiver on the service's own network. Off by default: a tenant's url must not reach into the service's machine or network.
    /// </summary>
    public bool WebhooksToPrivateAddresses { get; init; }

    /// <summary>How hard the background delivery tries; null for the CLI's defaults.</summary>
    public Ballast.Operations.Alerts.WebhookOptions? Webhooks { get; init; }

    /// <summary>Serve the metrics in Prometheus' text format at <c>GET /metrics</c> (no key; bind to a private address).</summary>
    public bool PrometheusEndpoint { get; init; }

    /// <summary>Export metrics over OTLP to this endpoint; null: the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable when set, else no export.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>
    /// Called with the host's builder after the service's own services are added and before it is built: a host that co-hosts
    /// more in the same process adds it here (<c>ballast-node</c> adds an Orleans silo). Null: nothing more.
    /// </summary>
    public Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? ConfigureHost { get; init; }

    public const int DefaultShutdownSeconds = 30;
    public const long DefaultMaxBodyBytes = 1024 * 1024;
    public const int DefaultRateLimit = 100;
}
