using System.Collections.Concurrent;
using Ballast.Store;

namespace Ballast.Cluster;

/// <summary>The store every grain of a silo reads and writes: one location, opened once per tenant.</summary>
public sealed class ClusterStore(StoreLocation location, StoreOptions options)
{
    private readonly ConcurrentDictionary<string, Lazy<BallastStore>> _tenants = new(StringComparer.Ordinal);

    public StoreLocation Location => location;

    /// <summary>The store as the tenant named <paramref name="tenant"/> sees it (opened and version-checked on first use).</summary>
    /// <remarks>A store that cannot be opened yet (the database restarting) is tried again at the next call, not remembered as failed.</remarks>
    public BallastStore For(string tenant) => _tenants.GetOrAdd(tenant, t => new Lazy<BallastStore>(() =>
    {
        var store = BallastStore.Open(location, options);
        return t == BallastStore.DefaultTenantName ? store : store.ForTenant(t);
    }, LazyThreadSafetyMode.PublicationOnly)).Value;
}
