using Ballast.Store.Data;

namespace Ballast.Store
{
    public sealed partial class BallastStore
    {
        /// <summary>
        /// The largest event id of the whole store, every tenant's (0 when none): what the service polls, cheaply (the primary key's
        /// last entry), to notice that some write added events. Says nothing of an event but that it exists; readers then read their
        /// own tenant's events after their cursor.
        /// </summary>
        public long HighestEventId() => Read(c => c.ScalarLong("SELECT MAX(id) FROM events") ?? 0);

        /// <summary>The ids of every tenant, oldest first: the service delivers each tenant's webhooks with the store as that tenant sees it.</summary>
        public IReadOnlyList<long> TenantIds() => Read(c => c.Query("SELECT id FROM tenants ORDER BY id", r => r.GetInt64(0)));
    }
}
