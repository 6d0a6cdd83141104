using System.Collections.Concurrent;
using System.Diagnostics;
using Ballast.Store;

namespace Ballast.Service.Operations;

/// <summary>
/// The keys the service has authenticated lately, so a busy key does not cost a store round trip on every request. An entry lives
/// <see cref="ServiceOptions.KeyCacheTtl"/> (monotonic time); then the next request asks the store again, which refuses a key
/// revoked meanwhile and records the key's last use (at most once a minute, <see cref="BallastStore.LastUseResolution"/>). So a
/// revocation takes effect within the TTL. Only keys the store accepted are kept (an unknown key always asks the store), under
/// their SHA-256 (the cache keeps no secrets), at most <see cref="MaxEntries"/> of them.
/// </summary>
internal sealed class KeyCache(TimeSpan ttl)
{
    /// <summary>Beyond this many keys the cache starts afresh (a flood of distinct keys cannot grow it without bound).</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ApiCaller Caller, long Until)> _entries = new(StringComparer.Ordinal);
    private readonly long _ttlTicks = (long)(ttl.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Store round trips made (misses and expiries): what the tests and the bench count.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    /// <summary>The caller <paramref name="token"/> authenticates, from the cache while fresh, else from <paramref name="authenticate"/> (the store).</summary>
    public ApiCaller? Authenticate(string token, string hash, Func<string, ApiCaller?> authenticate)
    {
        var now = Stopwatch.GetTimestamp();
        if (_ttlTicks > 0 && _entries.TryGetValue(hash, out var hit) && now < hit.Until) return hit.Caller;
        Interlocked.Increment(ref _lookups);
        var caller = authenticate(token);
        if (caller is null)
        {
            _entries.TryRemove(hash, out _);
            return null;
        }
        if (_ttlTicks > 0)
        {
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[hash] = (caller, now + _ttlTicks);
        }
        return caller;
    }

    /// <summary>Forgets every key (after a revocation made by this process, so it takes effect at once).</summary>
    public void Clear() => _entries.Clear();
}
