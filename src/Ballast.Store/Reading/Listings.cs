using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>One account as <c>ballast accounts list</c> shows it.</summary>
    /// <param name="Model">The model it follows, or null.</param>
    /// <param name="ModelVersion">That model's latest version, or null.</param>
    /// <param name="Holdings">Securities with a non-zero quantity.</param>
    /// <param name="LastRebalance">When its latest proposal was filled or cancelled, or null.</param>
    /// <param name="AllowMargin">Whether fills may take its cash below zero.</param>
    /// <param name="Execution">The account's own execution settings (text of an <c>execution:</c> block), or null.</param>
    /// <param name="LotMethod">The order its sales consume lots: fifo, lifo, hifo or tax-min.</param>
    public sealed record AccountListing(string Name, string? Household, string Type, string Currency, string? Model, int? ModelVersion,
        decimal Cash, int Holdings, DateOnly? LastRebalance, bool AllowMargin, bool OwnPolicy, string? Execution = null, string LotMethod = "fifo");

    /// <summary>A household and the names of its accounts.</summary>
    public sealed record HouseholdListing(string Name, IReadOnlyList<string> Accounts);

    /// <summary>One version of a model as listed: when and by whom it was made, and its targets.</summary>
    /// <param name="Execution">The version's execution settings (text of an <c>execution:</c> block), or null.</param>
    public sealed record ModelVersionListing(int Version, DateTimeOffset CreatedAt, string Actor, IReadOnlyDictionary<string, decimal> Targets, bool HasPolicy,
        string? Execution = null);

    /// <summary>A model with every version (oldest first) and the accounts that follow it.</summary>
    public sealed record ModelListing(string Name, IReadOnlyList<ModelVersionListing> Versions, IReadOnlyList<string> Accounts);

    /// <summary>
    /// The prices the store has for one security: how many closes, the first and last date on or before the as-of date,
    /// the latest close, and where it is needed (held by accounts, a target of models).
    /// </summary>
    /// <param name="Latest">The latest close on or before the as-of date, or null when there is none.</param>
    /// <param name="Currency">The security's currency, or null when none was stated.</param>
    public sealed record PriceCoverage(string Ticker, int Closes, DateOnly? First, DateOnly? Last, decimal? Latest, int HeldBy, IReadOnlyList<string> InModels,
        string? Currency = null);

    public sealed partial class BallastStore
    {
        /// <summary>Every account, by name, with its household, type, currency, model, cash, holdings count, last rebalance and margin.</summary>
        public IReadOnlyList<AccountListing> ListAccounts() => Read(c =>
        {
            var models = c.Query(
                "SELECT m.id, m.name, (SELECT MAX(v.version) FROM model_versions v WHERE v.model_id = m.id) FROM models m WHERE m.tenant_id = @tenant", new { tenant = Tenant }, r => (Id: r.GetInt64(0), Name: r.GetString(1), Version: r.GetInt32(2))).ToDictionary(m => m.Id);
            var done = new Dictionary<long, string>();
            foreach (var p in ProposalStates(c, null, null, Tenant).Values)
                if (p.DoneOn is { } on)
                    foreach (var a in p.Orders.Select(o => o.AccountId).Distinct())
                        if (!done.TryGetValue(a, out var d) || string.CompareOrdinal(on, d) > 0) done[a] = on;
            return c.Query(
                    """
                    SELECT a.id, a.name, h.name, a.type, a.currency, a.model_id, a.policy, b.cash,
                      (SELECT COUNT(*) FROM holdings x WHERE x.account_id = a.id AND x.quantity <> 0), a.allow_margin, a.execution, a.lot_method
                    FROM accounts a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN balances b ON b.account_id = a.id
                    WHERE a.tenant_id = @tenant
                    ORDER BY a.name
                    """, new { tenant = Tenant }, r => (Id: r.GetInt64(0), Name: r.GetString(1), Household: r.TextOrNull(2), Type: r.GetString(3), Currency: r.GetString(4), ModelId: r.LongOrNull(5), Policy: r.TextOrNull(6), Cash: r.LongOrNull(7), Holdings: r.GetInt64(8), Margin: r.GetInt64(9), Execution: r.TextOrNull(10), LotMethod: r.GetString(11)))
                .OrderBy(a => a.Name, StringComparer.Ordinal)
                .Select(a =>
                {
                    var model = a.ModelId is { } m ? models[m] : ((long, string, int)?)null;
                    return new AccountListing(a.Name, a.Household, a.Type, a.Currency, model?.Item2, model?.Item3, Scaled.Money(a.Cash ?? 0), (int)a.Holdings,
                        done.TryGetValue(a.Id, out var d) ? ParseDate(d) : null, a.Margin != 0, a.Policy is not null, a.Execution, a.LotMethod);
                })
                .ToList();
        });

        /// <summary>Every household with its accounts, by name (ordinal, the same on every database).</summary>
        public IReadOnlyList<HouseholdListing> ListHouseholds() => Read(c =>
        {
            var accounts = c.Query("SELECT household_id, name FROM accounts WHERE tenant_id = @tenant AND household_id IS NOT NULL ORDER BY name", new { tenant = Tenant }, r => (Household: r.GetInt64(0), Name: r.GetString(1)))
                .OrderBy(a => a.Name, StringComparer.Ordinal).ToLookup(a => a.Household, a => a.Name);
            return c.Query("SELECT id, name FROM households WHERE tenant_id = @tenant ORDER BY name", new { tenant = Tenant }, r => (Id: r.GetInt64(0), Name: r.GetString(1)))
                .OrderBy(h => h.Name, StringComparer.Ordinal).Select(h => new HouseholdListing(h.Name, accounts[h.Id].ToList())).ToList();
        });

        /// <summary>Every model (or the one named) with all its versions and the accounts that follow it, by name.</summary>
        public IReadOnlyList<ModelListing> ListModels(string? name = null) => Read(c =>
        {
            var targets = c.Query(
                    "SELECT t.model_version_id, s.ticker, t.weight FROM model_targets t JOIN securities s ON s.id = t.security_id JOIN model_versions v ON v.id = t.model_version_id JOIN models m ON m.id = v.model_id WHERE m.tenant_id = @tenant ORDER BY s.ticker", new { tenant = Tenant }, r => (VersionId: r.GetInt64(0), Ticker: r.GetString(1), Weight: r.GetInt64(2)))
                .OrderBy(t => t.Ticker, StringComparer.Ordinal).ToLookup(t => t.VersionId);
            var versions = c.Query(
                    "SELECT v.id, v.model_id, v.version, v.created_at, v.actor, v.policy, v.execution FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.tenant_id = @tenant ORDER BY v.version", new { tenant = Tenant }, r => (Id: r.GetInt64(0), ModelId: r.GetInt64(1), Version: r.GetInt32(2), CreatedAt: r.GetString(3), Actor: r.GetString(4), Policy: r.TextOrNull(5), Execution: r.TextOrNull(6)))
                .ToLookup(v => v.ModelId, v => new ModelVersionListing(v.Version, ParseInstant(v.CreatedAt), v.Actor,
                    targets[v.Id].ToDictionary(t => t.Ticker, t => Scaled.Weight(t.Weight), StringComparer.Ordinal), v.Policy is not null, v.Execution));
            var accounts = c.Query("SELECT model_id, name FROM accounts WHERE tenant_id = @tenant AND model_id IS NOT NULL ORDER BY name", new { tenant = Tenant }, r => (ModelId: r.GetInt64(0), Name: r.GetString(1)))
                .OrderBy(a => a.Name, StringComparer.Ordinal).ToLookup(a => a.ModelId, a => a.Name);
            return c.Query("SELECT id, name FROM models WHERE tenant_id = @tenant AND (@name IS NULL OR name = @name) ORDER BY name", new { tenant = Tenant, name }, r => (Id: r.GetInt64(0), Name: r.GetString(1)))
                .OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new ModelListing(m.Name, versions[m.Id].ToList(), accounts[m.Id].ToList())).ToList();
        });

        /// <summary>The price coverage of every security on or before <paramref name="asOf"/>, by ticker.</summary>
        public IReadOnlyList<PriceCoverage> ListPrices(DateOnly asOf) => Read(c =>
        {
            var latest = LatestPrices(c, asOf);
            var held = c.Query("SELECT h.security_id, COUNT(*) FROM holdings h JOIN accounts a ON a.id = h.account_id WHERE a.tenant_id = @tenant AND h.quantity <> 0 GROUP BY h.security_id", new { tenant = Tenant }, r => (SecurityId: r.GetInt64(0), Accounts: r.GetInt64(1)))
                .ToDictionary(h => h.SecurityId, h => (int)h.Accounts);
            var inModels = c.Query(
                    """
                    SELECT t.security_id, m.name FROM model_targets t JOIN model_versions v ON v.id = t.model_version_id JOIN models m ON m.id = v.model_id
                    WHERE m.tenant_id = @tenant AND v.version = (SELECT MAX(x.version) FROM model_versions x WHERE x.model_id = m.id) ORDER BY m.name
                    """, new { tenant = Tenant }, r => (SecurityId: r.GetInt64(0), Model: r.GetString(1))).OrderBy(t => t.Model, StringComparer.Ordinal).ToLookup(t => t.SecurityId, t => t.Model);
            return c.Query(
                    """
                    SELECT s.id, s.ticker, COUNT(p.date), MIN(p.date), MAX(p.date), s.currency FROM securities s
                    LEFT JOIN prices p ON p.security_id = s.id AND p.date <= @asOf
                    GROUP BY s.id, s.ticker, s.currency ORDER BY s.ticker
                    """, new { asOf = FormatDate(asOf) }, r => (Id: r.GetInt64(0), Ticker: r.GetString(1), Closes: r.GetInt64(2), First: r.TextOrNull(3), Last: r.TextOrNull(4), Currency: r.TextOrNull(5)))
                .OrderBy(s => s.Ticker, StringComparer.Ordinal)
                .Select(s => new PriceCoverage(s.Ticker, (int)s.Closes, s.First is null ? null : ParseDate(s.First), s.Last is null ? null : ParseDate(s.Last),
                    latest.TryGetValue(s.Id, out var q) ? q.Close : null, held.GetValueOrDefault(s.Id), inModels[s.Id].ToList(), s.Currency))
                .ToList();
        });
    }
}
