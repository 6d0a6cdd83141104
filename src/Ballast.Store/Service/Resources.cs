using System.Data.Common;
using Ballast.Store.Data;
using Ballast.Store.Ledger;

namespace Ballast.Store
{
    /// <summary>One page of a list: its items, and the id to continue after (null on the last page).</summary>
    public sealed record Page<T>(IReadOnlyList<T> Items, long? NextAfter);

    /// <summary>An account as the service lists it: its id, names, model and hold.</summary>
    public sealed record AccountResource(long Id, string Name, string? Household, string Type, string Currency, string? Model, int? ModelVersion, string? Policy,
        string LotMethod, bool AllowMargin, string? Hold, decimal Cash, DateTimeOffset CreatedAt);

    /// <summary>A household as the service lists it, with its accounts by name.</summary>
    public sealed record HouseholdResource(long Id, string Name, string? Hold, IReadOnlyList<string> Accounts);

    /// <summary>A model as the service lists it: its latest version and how many accounts follow it.</summary>
    public sealed record ModelResource(long Id, string Name, int LatestVersion, int Accounts, DateTimeOffset CreatedAt);

    /// <summary>A holding of an account, with the latest close on or before the date asked and its value (null without a close).</summary>
    public sealed record HoldingResource(string Ticker, decimal Quantity, decimal? Price, DateOnly? PriceDate, decimal? Value);

    /// <summary>An open lot with its unrealized gain at the latest close (null without a close or without a cost).</summary>
    public sealed record LotResource(long Id, string Ticker, DateOnly OpenDate, decimal Quantity, decimal Remaining, decimal? Cost, decimal? Price, decimal? Value, decimal? UnrealizedGain);

    /// <summary>A stored restriction with its id (what <c>DELETE /v1/restrictions/{id}</c> names).</summary>
    public sealed record RestrictionResource(long Id, StoredRestriction Restriction);

    /// <summary>A window run's verdict for one account, keyed by the account's id (the page cursor).</summary>
    public sealed record WindowVerdictResource(long AccountId, string Account, string Decision, string Outcome, string Reason, string Kind, long? ProposalId);

    /// <summary>
    /// The reads of the HTTP service's stored resources: keyset pages (<c>WHERE tenant_id = @tenant AND id &gt; @after ORDER BY id LIMIT @n</c>,
    /// one more row read to know whether a next page exists) and single resources by id or name, each as this store's tenant sees them: another
    /// tenant's rows are never read (an account's holdings, lots and ledger, and a run's verdicts, are read by the id of the tenant's own account or run).
    /// </summary>
    public sealed partial class BallastStore
    {
        private static Page<T> PageOf<T>(List<T> rows, int limit, Func<T, long> id) =>
            rows.Count > limit ? new Page<T>(rows.GetRange(0, limit), id(rows[limit - 1])) : new Page<T>(rows, null);

        private const string AccountResourceSql = """
            SELECT a.id, a.name, h.name, a.type, a.currency, m.name, (SELECT MAX(v.version) FROM model_versions v WHERE v.model_id = a.model_id),
              a.policy, a.lot_method, a.allow_margin, a.hold, b.cash, a.created_at
            FROM accounts a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN models m ON m.id = a.model_id LEFT JOIN balances b ON b.account_id = a.id
            """;

        private static AccountResource ReadAccountResource(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.TextOrNull(2), r.GetString(3), r.GetString(4),
            r.TextOrNull(5), r.IsDBNull(6) ? null : (int)r.GetInt64(6), r.TextOrNull(7), r.GetString(8), r.GetInt64(9) != 0, r.TextOrNull(10),
            Scaled.Money(r.LongOrNull(11) ?? 0), ParseInstant(r.GetString(12)));

        /// <summary>Accounts with an id above <paramref name="after"/>, by id.</summary>
        public Page<AccountResource> AccountPage(long after, int limit) => Read(c => PageOf(
            c.Query(AccountResourceSql + " WHERE a.tenant_id = @tenant AND a.id > @after ORDER BY a.id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 }, ReadAccountResource), limit, a => a.Id));

        /// <summary>The account named <paramref name="name"/>, or null.</summary>
        public AccountResource? FindAccount(string name) => Read(c =>
            c.Query(AccountResourceSql + " WHERE a.tenant_id = @tenant AND a.name = @name", new { tenant = Tenant, name }, ReadAccountResource).FirstOrDefault());

        /// <summary>Households with an id above <paramref name="after"/>, by id, with their accounts.</summary>
        public Page<HouseholdResource> HouseholdPage(long after, int limit) => Read(c =>
        {
            var rows = c.Query("SELECT id, name, hold FROM households WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 },
                r => (Id: r.GetInt64(0), Name: r.GetString(1), Hold: r.TextOrNull(2)));
            return PageOf(WithAccounts(c, rows), limit, h => h.Id);
        });

        /// <summary>The household named <paramref name="name"/>, or null.</summary>
        public HouseholdResource? FindHousehold(string name) => Read(c =>
            WithAccounts(c, c.Query("SELECT id, name, hold FROM households WHERE tenant_id = @tenant AND name = @name", new { tenant = Tenant, name }, r => (Id: r.GetInt64(0), Name: r.GetString(1), Hold: r.TextOrNull(2))))
                .FirstOrDefault());

        private static List<HouseholdResource> WithAccounts(DbConnection c, List<(long Id, string Name, string? Hold)> households)
        {
            if (households.Count == 0) return [];
            var ids = households.Select(h => h.Id).ToArray();
            var accounts = c.Query("SELECT household_id, name FROM accounts WHERE household_id >= @first AND household_id <= @last ORDER BY id",
                    new { first = ids.Min(), last = ids.Max() }, r => (Household: r.GetInt64(0), Name: r.GetString(1)))
                .ToLookup(a => a.Household, a => a.Name);
            return [.. households.Select(h => new HouseholdResource(h.Id, h.Name, h.Hold, [.. accounts[h.Id].Order(StringComparer.Ordinal)]))];
        }

        private const string ModelResourceSql = """
            SELECT m.id, m.name, (SELECT MAX(v.version) FROM model_versions v WHERE v.model_id = m.id), (SELECT COUNT(*) FROM accounts a WHERE a.model_id = m.id), m.created_at
            FROM models m
            """;

        private static ModelResource ReadModelResource(DbDataReader r) =>
            new(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? 0 : (int)r.GetInt64(2), (int)r.GetInt64(3), ParseInstant(r.GetString(4)));

        /// <summary>Models with an id above <paramref name="after"/>, by id.</summary>
        public Page<ModelResource> ModelPage(long after, int limit) => Read(c => PageOf(
            c.Query(ModelResourceSql + " WHERE m.tenant_id = @tenant AND m.id > @after ORDER BY m.id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 }, ReadModelResource), limit, m => m.Id));

        /// <summary>The model named <paramref name="name"/>, or null.</summary>
        public ModelResource? FindModel(string name) => Read(c => c.Query(ModelResourceSql + " WHERE m.tenant_id = @tenant AND m.name = @name", new { tenant = Tenant, name }, ReadModelResource).FirstOrDefault());

        /// <summary>An account's holdings (not zero) by ticker, each with the latest close on or before <paramref name="asOf"/> and its value.</summary>
        public IReadOnlyList<HoldingResource> HoldingsOf(long accountId, DateOnly asOf) => Read(c => c.Query(
                $"""
                SELECT s.ticker, h.quantity, p.date, p.close FROM holdings h JOIN securities s ON s.id = h.security_id
                {LatestClose("h.security_id")}
                WHERE h.account_id = @accountId AND h.quantity <> 0
                """, new { accountId, asOf = FormatDate(asOf) },
                r => (Ticker: r.GetString(0), Quantity: Scaled.Quantity(r.GetInt64(1)), Date: r.TextOrNull(2), Close: r.LongOrNull(3)))
            .OrderBy(h => h.Ticker, StringComparer.Ordinal)
            .Select(h => h.Close is { } close
                ? new HoldingResource(h.Ticker, h.Quantity, Scaled.Price(close), ParseDate(h.Date!), checked(h.Quantity * Scaled.Price(close)))
                : new HoldingResource(h.Ticker, h.Quantity, null, null, null))
            .ToList());

        /// <summary>
        /// The join of each row's latest close on or before <c>@asOf</c> (<c>p.date</c>, <c>p.close</c>; null when it has none) for the
        /// security in <paramref name="securityColumn"/>: one primary-key lookup per row, not every security's prices.
        /// </summary>
        private static string LatestClose(string securityColumn) => $"""
            LEFT JOIN prices p ON p.security_id = {securityColumn}
              AND p.date = (SELECT MAX(q.date) FROM prices q WHERE q.security_id = {securityColumn} AND q.date <= @asOf)
            """;

        /// <summary>An account's open lots with an id (the opening transaction) above <paramref name="after"/>, by id, with unrealized gains at the latest closes on or before <paramref name="asOf"/>.</summary>
        public Page<LotResource> LotPage(long accountId, DateOnly asOf, long after, int limit) => Read(c =>
        {
            var rows = c.Query($"""
                SELECT l.open_transaction_id, s.ticker, l.open_date, l.quantity, l.remaining, l.cost, p.close FROM lots l JOIN securities s ON s.id = l.security_id
                {LatestClose("l.security_id")}
                WHERE l.account_id = @accountId AND l.remaining > 0 AND l.open_transaction_id > @after ORDER BY l.open_transaction_id LIMIT @n
                """, new { accountId, after, n = limit + 1, asOf = FormatDate(asOf) },
                r => (Id: r.GetInt64(0), Ticker: r.GetString(1), Open: r.GetString(2), Quantity: r.GetInt64(3), Remaining: r.GetInt64(4), Cost: r.LongOrNull(5), Close: r.LongOrNull(6)));
            var lots = rows.Select(l =>
            {
                var remaining = Scaled.Quantity(l.Remaining);
                decimal? cost = l.Cost is { } k ? Scaled.Money(k) : null;
                decimal? price = l.Close is { } close ? Scaled.Price(close) : null;
                decimal? value = price is { } p ? checked(remaining * p) : null;
                return new LotResource(l.Id, l.Ticker, ParseDate(l.Open), Scaled.Quantity(l.Quantity), remaining, cost, price, value,
                    value is { } v && cost is { } b ? checked(v - b) : null);
            }).ToList();
            return PageOf(lots, limit, l => l.Id);
        });

        /// <summary>An account's ledger transactions with an id above <paramref name="after"/>, by id.</summary>
        public Page<LedgerEntry> TransactionPage(long accountId, long after, int limit) => Read(c => PageOf(c.Query(
                """
                SELECT t.id, a.name, t.kind, t.trade_date, s.ticker, t.quantity, t.price, t.cash, t.fee, t.idempotency_key, t.execution_id, t.proposal_id, t.memo, t.recorded_at
                FROM transactions t JOIN accounts a ON a.id = t.account_id LEFT JOIN securities s ON s.id = t.security_id
                WHERE t.account_id = @accountId AND t.id > @after ORDER BY t.id LIMIT @n
                """, new { accountId, after, n = limit + 1 }, r => new LedgerEntry(r.GetInt64(0), r.GetString(1),
                    LedgerNames.TryParseKind(r.GetString(2), out var k) ? k : TransactionKind.Adjustment, ParseDate(r.GetString(3)), r.TextOrNull(4),
                    Scaled.Quantity(r.GetInt64(5)), r.LongOrNull(6) is { } p ? Scaled.Price(p) : null, Scaled.Money(r.GetInt64(7)), Scaled.Money(r.GetInt64(8)),
                    r.GetString(9), r.TextOrNull(10), r.LongOrNull(11), r.TextOrNull(12), ParseInstant(r.GetString(13)))), limit, t => t.Id));

        /// <summary>Window runs with an id above <paramref name="after"/>, by id.</summary>
        public Page<WindowRunInfo> WindowRunPage(long after, int limit) => Read(c => PageOf(
            c.Query(RunSql + " WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 }, ReadRun), limit, r => r.Id));

        /// <summary>The window run with id <paramref name="id"/>, or null.</summary>
        public WindowRunInfo? FindWindowRunById(long id) => Read(c => c.Query(RunSql + " WHERE tenant_id = @tenant AND id = @id", new { tenant = Tenant, id }, ReadRun).FirstOrDefault());

        /// <summary>A run's verdicts for accounts with an id above <paramref name="after"/>, by account id.</summary>
        public Page<WindowVerdictResource> WindowVerdictPage(long runId, long after, int limit) => Read(c => PageOf(c.Query("""
            SELECT w.account_id, a.name, w.decision, w.outcome, w.reason, w.reason_kind, w.proposal_id FROM window_run_accounts w
            JOIN accounts a ON a.id = w.account_id WHERE w.run_id = @runId AND w.account_id > @after ORDER BY w.account_id LIMIT @n
            """, new { runId, after, n = limit + 1 }, r => new WindowVerdictResource(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.LongOrNull(6))),
            limit, v => v.AccountId));

        /// <summary>
        /// Proposals with an id above <paramref name="after"/>, by id, with <paramref name="status"/> when given. A status is derived (events
        /// and fills), so the ids are read in chunks and filtered until the page is full.
        /// </summary>
        public Page<ProposalInfo> ProposalPage(ProposalStatus? status, long after, int limit) => Read(c =>
        {
            var found = new List<ProposalInfo>(limit + 1);
            var chunk = Math.Max(limit + 1, 200);
            while (found.Count <= limit)
            {
                var rows = c.Query("SELECT id, created_at, actor, scope, engine_version, policy, inputs, plan FROM proposals WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @n",
                    new { tenant = Tenant, after, n = chunk }, r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1), Actor: r.GetString(2), Scope: r.GetString(3), EngineVersion: r.GetString(4),
                        Policy: r.TextOrNull(5), Inputs: r.GetString(6), Plan: r.GetString(7)));
                if (rows.Count == 0) break;
                var states = ProposalStates(c, null, [.. rows.Select(r => r.Id)], Tenant);
                foreach (var row in rows)
                {
                    if (status is not null && states[row.Id].Status != status) continue;
                    found.Add(ToProposal(c, row, states[row.Id]));
                    if (found.Count > limit) break;
                }
                after = rows[^1].Id;
                if (rows.Count < chunk) break;
            }
            return PageOf(found, limit, p => p.Id);
        });

        /// <summary>The proposal with id <paramref name="id"/>, or null.</summary>
        public ProposalInfo? FindProposal(long id) => Read(c =>
        {
            var row = c.Query("SELECT id, created_at, actor, scope, engine_version, policy, inputs, plan FROM proposals WHERE tenant_id = @tenant AND id = @id", new { tenant = Tenant, id },
                r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1), Actor: r.GetString(2), Scope: r.GetString(3), EngineVersion: r.GetString(4),
                    Policy: r.TextOrNull(5), Inputs: r.GetString(6), Plan: r.GetString(7))).FirstOrDefault();
            return row.Plan is null ? null : ToProposal(c, row, ProposalStates(c, null, [id], Tenant)[id]);
        });

        /// <summary>Blocks with an id above <paramref name="after"/>, by id, with their lines, fills and allocations.</summary>
        public Page<BlockInfo> BlockPage(long after, int limit) => Read(c =>
        {
            var ids = c.Query("SELECT id FROM blocks WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 }, r => r.GetInt64(0));
            var blocks = ids.Select(id => ReadBlocks(c, null, Tenant, id).Single()).ToList();
            return PageOf(blocks, limit, b => b.Id);
        });

        /// <summary>The block with id <paramref name="id"/>, or null.</summary>
        public BlockInfo? FindBlock(long id) => Read(c => ReadBlocks(c, null, Tenant, id).SingleOrDefault());

        private const string RestrictionResourceSql = "SELECT scope, name, ticker, kind, value, reason, set_at, actor, id FROM restrictions";

        /// <summary>Restrictions with an id above <paramref name="after"/>, by id.</summary>
        public Page<RestrictionResource> RestrictionPage(long after, int limit) => Read(c => PageOf(
            c.Query(RestrictionResourceSql + " WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @n", new { tenant = Tenant, after, n = limit + 1 }, r => new RestrictionResource(r.GetInt64(8), ReadRestriction(r))),
            limit, x => x.Id));

        /// <summary>The restriction of this scope, name, ticker and kind (the firm's name is empty), or null.</summary>
        public RestrictionResource? FindRestriction(RestrictionScope scope, string? name, string ticker, RestrictionKind kind) => Read(c =>
            c.Query(RestrictionResourceSql + " WHERE tenant_id = @tenant AND scope = @scopeWord AND name = @key AND ticker = @ticker AND kind = @kindWord",
                new { tenant = Tenant, scopeWord = ScopeWord(scope), key = scope == RestrictionScope.Firm ? "" : name ?? "", ticker, kindWord = KindWord(kind) },
                r => new RestrictionResource(r.GetInt64(8), ReadRestriction(r))).FirstOrDefault());

        /// <summary>The restriction with id <paramref name="id"/>, or null.</summary>
        public RestrictionResource? FindRestriction(long id) => Read(c =>
            c.Query(RestrictionResourceSql + " WHERE tenant_id = @tenant AND id = @id", new { tenant = Tenant, id }, r => new RestrictionResource(r.GetInt64(8), ReadRestriction(r))).FirstOrDefault());
    }
}
