using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>One holding of an account with the latest price on or before the snapshot date.</summary>
    /// <param name="Quantity">Shares held.</param>
    /// <param name="Price">Latest close per share in the account currency, or null when the security has no price yet or its
    /// close cannot be converted (<paramref name="Fx"/> then has no rate).</param>
    /// <param name="PriceDate">Date of that close, or null.</param>
    /// <param name="Fx">How the close was converted from the security's currency, or null when the security is in the account's
    /// currency (or states none).</param>
    public sealed record HoldingSnapshot(string Ticker, decimal Quantity, decimal? Price, DateOnly? PriceDate, FxConversion? Fx = null);

    /// <summary>Everything a drift check needs about one account, read from the projections.</summary>
    /// <param name="Cash">Cash in the account currency.</param>
    /// <param name="Holdings">Non-zero holdings, by ticker.</param>
    /// <param name="Targets">The model's latest target weights (fractions summing to 1), or null without a model.</param>
    /// <param name="Policy">The account's own policy text, else the model version's, else null.</param>
    /// <param name="LastRebalance">When the account's latest done proposal was done: the date of the fill that filled it in full, or
    /// the day a person cancelled it; null when none is. A partly filled proposal is not done.</param>
    /// <param name="TargetPrices">The latest close on or before the as-of date of each target ticker that has one, whether held or not,
    /// in the account's currency (see <see cref="PriceQuote.Fx"/>).</param>
    /// <param name="ModelChangedOn">The date of the model's latest version when it was made after the account's last done proposal:
    /// the account is due for a look whatever its schedule. Null otherwise.</param>
    /// <param name="ModelExecution">The model version's execution settings (text of a portfolio file's <c>execution:</c> block), or null.</param>
    /// <param name="Execution">The account's own execution settings, read over the model's, or null.</param>
    public sealed record AccountSnapshot(long AccountId, string Name, string? Household, AccountType Type, string Currency, decimal Cash,
        IReadOnlyList<HoldingSnapshot> Holdings, string? Model, int? ModelVersion, IReadOnlyDictionary<string, decimal>? Targets, string? Policy,
        DateOnly? LastRebalance, IReadOnlyDictionary<string, PriceQuote>? TargetPrices = null, DateOnly? ModelChangedOn = null,
        string? ModelExecution = null, string? Execution = null);

    /// <summary>Which accounts to read and the price date. Filters combine; none reads every account.</summary>
    /// <param name="AsOf">Prices are the latest on or before this date.</param>
    /// <param name="Partition">Only the accounts of this partition (a stable hash of the account id; a window run over a cluster).</param>
    public sealed record SnapshotQuery(DateOnly AsOf, string? Account = null, string? Household = null, string? Model = null, AccountPartition? Partition = null);

    public sealed partial class BallastStore
    {
        private const string AccountFilter = """
            a.tenant_id = @tenant AND (@account IS NULL OR a.name = @account)
              AND (@household IS NULL OR a.household_id = (SELECT id FROM households WHERE tenant_id = @tenant AND name = @household))
              AND (@model IS NULL OR a.model_id = (SELECT id FROM models WHERE tenant_id = @tenant AND name = @model))
            """;

        /// <summary>
        /// One row per account, its holdings packed by the database as <c>security:quantity,...</c> text. Packing in SQL
        /// turns a million joined rows into a hundred thousand, which is what makes the full read fast.
        /// </summary>
        private string SnapshotSql => SnapshotSqlOf(null);

        private string SnapshotSqlOf(AccountPartition? partition) => $"""
            SELECT a.id, a.name, hh.name, a.type, a.currency, a.model_id, a.policy, b.cash, b.last_rebalance,
              (SELECT {(Provider == StoreProvider.Sqlite ? "group_concat" : "string_agg")}(CAST(h.security_id AS TEXT) || ':' || CAST(h.quantity AS TEXT), ',')
                 FROM holdings h WHERE h.account_id = a.id AND h.quantity <> 0),
              a.execution
            FROM accounts a
            LEFT JOIN households hh ON hh.id = a.household_id
            LEFT JOIN balances b ON b.account_id = a.id
            WHERE {AccountFilter}{(partition is null ? "" : " AND " + partition.Sql("a.id"))}
            ORDER BY a.id
            """;

        /// <summary>
        /// Streams account snapshots in account id order with one ordered query (holdings packed per account).
        /// Securities, latest prices and models are read once beforehand; nothing is read per account.
        /// </summary>
        public IEnumerable<AccountSnapshot> ReadAccounts(SnapshotQuery query)
        {
            using var c = Guard(Connect);
            var tenant = Tenant;
            var context = SnapshotContext.Load(c, query.AsOf, tenant);
            using var reader = Guard(() => c.ExecuteReader(SnapshotSqlOf(query.Partition), new { tenant, account = query.Account, household = query.Household, model = query.Model }));
            while (reader.Read()) yield return context.Snapshot(reader);
        }

        /// <summary>The same stream as <see cref="ReadAccounts"/>, read asynchronously.</summary>
        public async IAsyncEnumerable<AccountSnapshot> ReadAccountsAsync(SnapshotQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await using var c = Guard(Connect);
            var tenant = Tenant;
            var context = SnapshotContext.Load(c, query.AsOf, tenant);
            await using var reader = await c.ExecuteReaderAsync(SnapshotSqlOf(query.Partition),
                new { tenant, account = query.Account, household = query.Household, model = query.Model }, cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) yield return context.Snapshot(reader);
        }

        /// <summary>Writes accounts (one, or all when null) in the portfolio-file shape as JSON: cash, holdings, model targets and policy.</summary>
        public string ExportJson(DateOnly asOf, string? account = null)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("as_of", FormatDate(asOf));
                w.WriteStartArray("accounts");
                foreach (var a in ReadAccounts(new SnapshotQuery(asOf, Account: account)))
                {
                    w.WriteStartObject();
                    w.WriteString("name", a.Name);
                    if (a.Household is not null) w.WriteString("household", a.Household);
                    w.WriteString("type", a.Type.ToText());
                    w.WriteString("currency", a.Currency);
                    w.WriteNumber("cash", a.Cash);
                    w.WriteStartObject("holdings");
                    foreach (var h in a.Holdings) w.WriteNumber(h.Ticker, h.Quantity);
                    w.WriteEndObject();
                    if (a.Model is not null)
                    {
                        w.WriteString("model", a.Model);
                        w.WriteStartObject("targets");
                        foreach (var t in a.Targets!) w.WriteNumber(t.Key, t.Value);
                        w.WriteEndObject();
                    }
                    if (a.Policy is not null) w.WriteString("policy", a.Policy);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private sealed record ModelVersionData(string Name, int Version, IReadOnlyDictionary<string, decimal> Targets, string? Policy, string CreatedAt,
            IReadOnlyDictionary<string, PriceQuote> TargetPrices, string? Execution);

        private sealed class SnapshotContext
        {
            public required Dictionary<long, string> Tickers { get; init; }
            public required Dictionary<long, PriceQuote> Prices { get; init; }
            public required Dictionary<long, ModelVersionData> Models { get; init; }
            /// <summary>Per account: the date its latest done proposal was done, and when the latest done proposal was made.</summary>
            public required Dictionary<long, (string DoneOn, string MadeAt)> Done { get; init; }
            /// <summary>The currency each security is stated in; securities without one are absent.</summary>
            public required Dictionary<long, string> Currencies { get; init; }
            /// <summary>The latest rate of every pair on or before the as-of date.</summary>
            public required Dictionary<string, FxRate> Rates { get; init; }
            /// <summary>Target prices per model and account currency: converted once, shared by every account of that currency.</summary>
            private readonly Dictionary<(long Model, string Currency), IReadOnlyDictionary<string, PriceQuote>> _targetPrices = [];

            public static SnapshotContext Load(DbConnection c, DateOnly asOf, long tenant)
            {
                var tickers = c.Query("SELECT id, ticker FROM securities", r => (Id: r.GetInt64(0), Ticker: r.GetString(1))).ToDictionary(s => s.Id, s => s.Ticker);
                var versions = c.Query(
                    """
                    SELECT m.id, m.name, v.id, v.version, v.policy, v.created_at, v.execution FROM models m
                    JOIN model_versions v ON v.model_id = m.id
                    WHERE m.tenant_id = @tenant AND v.version = (SELECT MAX(x.version) FROM model_versions x WHERE x.model_id = m.id)
                    """, new { tenant }, r => (ModelId: r.GetInt64(0), Name: r.GetString(1), VersionId: r.GetInt64(2), Version: r.GetInt32(3), Policy: r.TextOrNull(4), CreatedAt: r.GetString(5), Execution: r.TextOrNull(6))).ToList();
                var rows = c.Query(
                        "SELECT t.model_version_id, t.security_id, t.weight FROM model_targets t JOIN model_versions v ON v.id = t.model_version_id JOIN models m ON m.id = v.model_id WHERE m.tenant_id = @tenant", new { tenant }, r => (VersionId: r.GetInt64(0), SecurityId: r.GetInt64(1), Weight: r.GetInt64(2))).GroupBy(t => t.VersionId).ToDictionary(g => g.Key, g => g.ToList());
                var prices = LatestPrices(c, asOf);
                var done = new Dictionary<long, (string DoneOn, string MadeAt)>();
                foreach (var p in ProposalStates(c, null, null, tenant).Values)
                {
                    if (p.DoneOn is not { } on) continue;
                    foreach (var account in p.Orders.Select(o => o.AccountId).Distinct())
                    {
                        var had = done.TryGetValue(account, out var d);
                        done[account] = (had && string.CompareOrdinal(d.DoneOn, on) >= 0 ? d.DoneOn : on,
                            had && string.CompareOrdinal(d.MadeAt, p.CreatedAt) >= 0 ? d.MadeAt : p.CreatedAt);
                    }
                }
                return new SnapshotContext
                {
                    Tickers = tickers,
                    Prices = prices,
                    Models = versions.ToDictionary(v => v.ModelId, v =>
                    {
                        var targets = rows.GetValueOrDefault(v.VersionId) ?? [];
                        return new ModelVersionData(v.Name, v.Version,
                            targets.ToDictionary(t => tickers[t.SecurityId], t => Scaled.Weight(t.Weight), StringComparer.Ordinal), v.Policy, v.CreatedAt,
                            targets.Where(t => prices.ContainsKey(t.SecurityId)).ToDictionary(t => tickers[t.SecurityId], t => prices[t.SecurityId], StringComparer.Ordinal),
                            v.Execution);
                    }),
                    Done = done,
                    Currencies = c.Query("SELECT id, currency FROM securities WHERE currency IS NOT NULL", r => (Id: r.GetInt64(0), Currency: r.GetString(1)))
                        .ToDictionary(s => s.Id, s => s.Currency),
                    Rates = LatestFxRates(c, asOf),
                };
            }

            public AccountSnapshot Snapshot(System.Data.IDataRecord r)
            {
                long? modelId = r.IsDBNull(5) ? null : r.GetInt64(5);
                var model = modelId is { } m ? Models.GetValueOrDefault(m) : null;
                var type = r.GetString(3) switch { "tax-deferred" => AccountType.TaxDeferred, "tax-free" => AccountType.TaxFree, _ => AccountType.Taxable };
                var policy = r.IsDBNull(6) ? null : r.GetString(6);
                var id = r.GetInt64(0);
                var done = Done.TryGetValue(id, out var d) ? d : ((string DoneOn, string MadeAt)?)null;
                // The model changed after the account's last done proposal was made: due now, whatever the look schedule.
                DateOnly? changed = model is not null && done is { } x && string.CompareOrdinal(model.CreatedAt, x.MadeAt) > 0 ? ParseDate(model.CreatedAt[..10]) : null;
                var currency = r.GetString(4);
                return new AccountSnapshot(id, r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), type, currency,
                    Scaled.Money(r.IsDBNull(7) ? 0 : r.GetInt64(7)), r.IsDBNull(9) ? [] : Holdings(r.GetString(9), currency), model?.Name, model?.Version,
                    model?.Targets, policy ?? model?.Policy, done is { } y ? ParseDate(y.DoneOn) : null,
                    model is null ? null : TargetPrices(modelId!.Value, model, currency), changed, model?.Execution, r.IsDBNull(10) ? null : r.GetString(10));
            }

            /// <summary>A model's target prices in an account currency: converted where a target's currency differs.</summary>
            private IReadOnlyDictionary<string, PriceQuote> TargetPrices(long modelId, ModelVersionData model, string currency)
            {
                if (_targetPrices.TryGetValue((modelId, currency), out var cached)) return cached;
                var byTicker = Tickers.Where(t => model.TargetPrices.ContainsKey(t.Value)).ToDictionary(t => t.Value, t => t.Key, StringComparer.Ordinal);
                Dictionary<string, PriceQuote>? converted = null;
                foreach (var (ticker, quote) in model.TargetPrices)
                {
                    if (!Currencies.TryGetValue(byTicker[ticker], out var from) || from == currency) continue;
                    var (price, fx) = ConvertClose(quote.Close, from, currency, Rates);
                    (converted ??= new Dictionary<string, PriceQuote>(model.TargetPrices, StringComparer.Ordinal))[ticker] = quote with { Close = price ?? quote.Close, Fx = fx };
                }
                return _targetPrices[(modelId, currency)] = (IReadOnlyDictionary<string, PriceQuote>?)converted ?? model.TargetPrices;
            }

            /// <summary>Unpacks <c>security:quantity,...</c> into holdings ordered by security id.</summary>
            private List<HoldingSnapshot> Holdings(string packed, string currency)
            {
                var pairs = new List<(long Security, long Quantity)>(10);
                var span = packed.AsSpan();
                while (span.Length > 0)
                {
                    var comma = span.IndexOf(',');
                    var item = comma < 0 ? span : span[..comma];
                    var colon = item.IndexOf(':');
                    pairs.Add((long.Parse(item[..colon], System.Globalization.CultureInfo.InvariantCulture),
                        long.Parse(item[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
                    span = comma < 0 ? [] : span[(comma + 1)..];
                }
                pairs.Sort();
                var holdings = new List<HoldingSnapshot>(pairs.Count);
                foreach (var (security, quantity) in pairs)
                {
                    var price = Prices.GetValueOrDefault(security);
                    if (price is not null && Currencies.TryGetValue(security, out var from) && from != currency)
                    {
                        var (converted, fx) = ConvertClose(price.Close, from, currency, Rates);
                        holdings.Add(new HoldingSnapshot(Tickers[security], Scaled.Quantity(quantity), converted, price.Date, fx));
                        continue;
                    }
                    holdings.Add(new HoldingSnapshot(Tickers[security], Scaled.Quantity(quantity), price?.Close, price?.Date));
                }
                return holdings;
            }
        }
    }
}
