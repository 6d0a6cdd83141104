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

    public const long DefaultMaxBodyBytes = 1024 * 1024;
    public const int DefaultRateLimit = 100;
}
