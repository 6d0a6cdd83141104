using System.Data.Common;
using Ballast.Store.Integrity;

namespace Ballast.Store.Schema;

/// <summary>One versioned schema change, written once for both providers.</summary>
/// <param name="Version">Schema version reached after this migration; migrations run in version order.</param>
/// <param name="Description">What the migration does, recorded in <c>schema_version</c>.</param>
/// <param name="Sql">Statements separated by <c>;;</c>. Placeholders: <c>{pk}</c> (64-bit primary key),
/// <c>{norowid}</c> (clustering hint for SQLite), <c>{append_only:TABLE}</c> (triggers refusing UPDATE and DELETE).</param>
/// <param name="Code">Run after the statements, in the same transaction: what SQL alone cannot do (computing hashes).</param>
/// <param name="RebuildsTables">SQLite: the migration rebuilds tables (SQLite's documented procedure for a change ALTER TABLE cannot make, such
/// as dropping a UNIQUE constraint): the runner turns <c>PRAGMA foreign_keys</c> off before its transaction, runs <c>PRAGMA foreign_key_check</c>
/// before committing (any dangling reference rolls it back) and turns the pragma on again. No effect on PostgreSQL, which alters in place.</param>
public sealed record Migration(int Version, string Description, string Sql, Action<DbConnection, DbTransaction, StoreProvider>? Code = null, bool RebuildsTables = false);

/// <summary>
/// The store schema. Every number is a 64-bit integer at a fixed scale (see <see cref="Scaled"/>);
/// dates are ISO <c>yyyy-MM-dd</c> text and instants ISO-8601 UTC text, so both providers sort and
/// compare them the same way. The ledger tables refuse UPDATE and DELETE with triggers. The ledger's
/// security, proposal and import ids are checked by the store before it writes rather than by foreign
/// keys, whose per-row checks would dominate a million-row import on PostgreSQL; its account id is a foreign key on SQLite and,
/// on PostgreSQL, a reference checked once per statement (<see cref="StatementForeignKeys"/>, as are the accounts' own references and
/// a window run's).
/// </summary>
public static class Migrations
{
    /// <summary>All migrations, oldest first. Append; never edit a released one.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "ledger, projections, prices, models, proposals, audit", """
            CREATE TABLE households (
              id {pk},
              name TEXT NOT NULL UNIQUE,
              created_at TEXT NOT NULL);;
            CREATE TABLE securities (
              id {pk},
              ticker TEXT NOT NULL UNIQUE,
              name TEXT NULL,
              created_at TEXT NOT NULL);;
            CREATE TABLE models (
              id {pk},
              name TEXT NOT NULL UNIQUE,
              created_at TEXT NOT NULL);;
            CREATE TABLE model_versions (
              id {pk},
              model_id BIGINT NOT NULL REFERENCES models(id),
              version INTEGER NOT NULL,
              policy TEXT NULL,
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              UNIQUE (model_id, version));;
            CREATE TABLE model_targets (
              model_version_id BIGINT NOT NULL REFERENCES model_versions(id),
              security_id BIGINT NOT NULL REFERENCES securities(id),
              weight BIGINT NOT NULL,
              PRIMARY KEY (model_version_id, security_id)){norowid};;
            CREATE TABLE accounts (
              id {pk},
              name TEXT NOT NULL UNIQUE,
              household_id BIGINT NULL REFERENCES households(id),
              type TEXT NOT NULL CHECK (type IN ('taxable', 'tax-deferred', 'tax-free')),
              currency TEXT NOT NULL,
              model_id BIGINT NULL REFERENCES models(id),
              policy TEXT NULL,
              created_at TEXT NOT NULL);;
            CREATE INDEX accounts_model ON accounts (model_id);;
            CREATE TABLE imports (
              id {pk},
              kind TEXT NOT NULL,
              file TEXT NOT NULL,
              sha256 TEXT NOT NULL,
              rows_read BIGINT NOT NULL,
              at TEXT NOT NULL,
              actor TEXT NOT NULL);;
            CREATE TABLE proposals (
              id {pk},
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              scope TEXT NOT NULL,
              engine_version TEXT NOT NULL,
              policy TEXT NULL,
              inputs TEXT NOT NULL,
              plan TEXT NOT NULL);;
            CREATE TABLE proposal_orders (
              proposal_id BIGINT NOT NULL REFERENCES proposals(id),
              line INTEGER NOT NULL,
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              security_id BIGINT NOT NULL REFERENCES securities(id),
              side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
              quantity BIGINT NOT NULL,
              price BIGINT NULL,
              PRIMARY KEY (proposal_id, line)){norowid};;
            CREATE TABLE transactions (
              id {pk},
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              kind TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'buy', 'sell', 'dividend', 'fee', 'adjustment')),
              trade_date TEXT NOT NULL,
              security_id BIGINT NULL,
              quantity BIGINT NOT NULL,
              price BIGINT NULL,
              cash BIGINT NOT NULL,
              fee BIGINT NOT NULL,
              lots TEXT NULL,
              idempotency_key TEXT NOT NULL,
              execution_id TEXT NULL,
              proposal_id BIGINT NULL,
              import_id BIGINT NULL,
              memo TEXT NULL,
              recorded_at TEXT NOT NULL,
              UNIQUE (account_id, idempotency_key));;
            CREATE INDEX transactions_proposal ON transactions (proposal_id) WHERE proposal_id IS NOT NULL;;
            CREATE TABLE lots (
              open_transaction_id BIGINT NOT NULL PRIMARY KEY,
              account_id BIGINT NOT NULL,
              security_id BIGINT NOT NULL,
              open_date TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              remaining BIGINT NOT NULL,
              cost BIGINT NULL);;
            CREATE INDEX lots_account ON lots (account_id, security_id);;
            CREATE TABLE holdings (
              account_id BIGINT NOT NULL,
              security_id BIGINT NOT NULL,
              quantity BIGINT NOT NULL,
              PRIMARY KEY (account_id, security_id)){norowid};;
            CREATE TABLE balances (
              account_id BIGINT NOT NULL PRIMARY KEY,
              cash BIGINT NOT NULL,
              last_rebalance TEXT NULL);;
            CREATE TABLE prices (
              security_id BIGINT NOT NULL REFERENCES securities(id),
              date TEXT NOT NULL,
              close BIGINT NOT NULL,
              PRIMARY KEY (security_id, date)){norowid};;
            CREATE TABLE audit (
              id {pk},
              at TEXT NOT NULL,
              actor TEXT NOT NULL,
              action TEXT NOT NULL,
              summary TEXT NOT NULL);;
            {append_only:transactions};;
            {append_only:audit};;
            {append_only:proposals};;
            {append_only:proposal_orders};;
            {append_only:model_versions};;
            {append_only:model_targets};;
            {append_only:imports}
            """),
        new(2, "positions snapshots as stated, the basis a snapshot gives its lots, broker account numbers, rows skipped by imports", """
            CREATE TABLE position_snapshots (
              import_id BIGINT NOT NULL,
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              date TEXT NOT NULL,
              security_id BIGINT NULL,
              quantity BIGINT NOT NULL);;
            CREATE INDEX position_snapshots_account ON position_snapshots (account_id, date);;
            ALTER TABLE transactions ADD COLUMN cost BIGINT NULL;;
            CREATE TABLE account_numbers (
              number TEXT NOT NULL PRIMARY KEY,
              account_id BIGINT NOT NULL REFERENCES accounts(id));;
            CREATE TABLE import_skipped (
              import_id BIGINT NOT NULL,
              line INTEGER NOT NULL,
              reason TEXT NOT NULL);;
            {append_only:position_snapshots};;
            {append_only:import_skipped}
            """),
        new(3, "proposal status events, margin per account; the last rebalance comes from done proposals", """
            CREATE TABLE proposal_events (
              id {pk},
              proposal_id BIGINT NOT NULL REFERENCES proposals(id),
              status TEXT NOT NULL CHECK (status IN ('approved', 'sent', 'cancelled', 'expired')),
              at TEXT NOT NULL,
              actor TEXT NOT NULL,
              note TEXT NULL);;
            CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id);;
            CREATE INDEX proposal_orders_account ON proposal_orders (account_id);;
            ALTER TABLE accounts ADD COLUMN allow_margin INTEGER NOT NULL DEFAULT 0;;
            UPDATE balances SET last_rebalance = NULL;;
            {append_only:proposal_events}
            """),
        new(4, "lot selection method per account, tax settings per household", """
            ALTER TABLE accounts ADD COLUMN lot_method TEXT NOT NULL DEFAULT 'fifo' CHECK (lot_method IN ('fifo', 'lifo', 'hifo', 'tax-min'));;
            ALTER TABLE households ADD COLUMN tax_settings TEXT NULL
            """),
        new(5, "security currencies, FX rates, execution settings per model version and per account", """
            ALTER TABLE securities ADD COLUMN currency TEXT NULL;;
            CREATE TABLE fx_rates (
              pair TEXT NOT NULL,
              date TEXT NOT NULL,
              rate BIGINT NOT NULL,
              PRIMARY KEY (pair, date)){norowid};;
            ALTER TABLE model_versions ADD COLUMN execution TEXT NULL;;
            ALTER TABLE accounts ADD COLUMN execution TEXT NULL
            """),
        new(6, "hash chains over the ledger and the audit trail; append-only tables refuse SQLite REPLACE and PostgreSQL TRUNCATE; execution ids indexed", """
            ALTER TABLE transactions ADD COLUMN row_hash TEXT NULL;;
            ALTER TABLE audit ADD COLUMN ledger_head TEXT NULL;;
            ALTER TABLE audit ADD COLUMN row_hash TEXT NULL;;
            CREATE INDEX transactions_execution ON transactions (execution_id) WHERE execution_id IS NOT NULL
            """, (c, tx, provider) =>
            {
                HashChain.Backfill(c, tx, provider, HashChain.Transactions);
                HashChain.Backfill(c, tx, provider, HashChain.Audit);
                AppendOnlyGuards.Install(c, tx, provider);
            }),
        new(7, "monitoring schedules as data (the firm's, per model, per account), window runs and their per-account verdicts, account holds", """
            CREATE TABLE schedules (
              kind TEXT NOT NULL CHECK (kind IN ('firm', 'model', 'account')),
              name TEXT NOT NULL,
              text TEXT NOT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              PRIMARY KEY (kind, name));;
            CREATE TABLE window_runs (
              id {pk},
              window_id TEXT NOT NULL UNIQUE,
              window_date TEXT NOT NULL,
              cut_off TEXT NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('running', 'proposed', 'completed', 'failed')),
              started_at TEXT NOT NULL,
              finished_at TEXT NULL,
              actor TEXT NOT NULL,
              accounts BIGINT NOT NULL DEFAULT 0,
              evaluated BIGINT NOT NULL DEFAULT 0,
              rebalanced BIGINT NOT NULL DEFAULT 0,
              skipped BIGINT NOT NULL DEFAULT 0,
              error TEXT NULL);;
            CREATE TABLE window_run_accounts (
              run_id BIGINT NOT NULL REFERENCES window_runs(id),
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              decision TEXT NOT NULL,
              outcome TEXT NOT NULL CHECK (outcome IN ('rebalanced', 'no trades', 'not evaluated', 'skipped')),
              reason TEXT NOT NULL,
              reason_kind TEXT NOT NULL,
              proposal_id BIGINT NULL REFERENCES proposals(id),
              PRIMARY KEY (run_id, account_id));;
            CREATE INDEX window_run_accounts_account ON window_run_accounts (account_id, run_id);;
            CREATE UNIQUE INDEX window_run_accounts_proposal ON window_run_accounts (proposal_id) WHERE proposal_id IS NOT NULL;;
            ALTER TABLE accounts ADD COLUMN hold TEXT NULL
            """),
        new(8, "block orders: blocks gathering proposal orders, block fills, their allocations to accounts, block events", """
            CREATE TABLE blocks (
              id {pk},
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              security_id BIGINT NOT NULL REFERENCES securities(id),
              side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
              quantity BIGINT NOT NULL,
              window_id TEXT NULL);;
            CREATE TABLE block_orders (
              block_id BIGINT NOT NULL REFERENCES blocks(id),
              position INTEGER NOT NULL,
              proposal_id BIGINT NOT NULL REFERENCES proposals(id),
              line INTEGER NOT NULL,
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              quantity BIGINT NOT NULL,
              PRIMARY KEY (block_id, position),
              UNIQUE (proposal_id, line)){norowid};;
            CREATE TABLE block_fills (
              id {pk},
              block_id BIGINT NOT NULL REFERENCES blocks(id),
              execution_id TEXT NOT NULL UNIQUE,
              trade_date TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              price BIGINT NOT NULL,
              fee BIGINT NOT NULL,
              allocation INTEGER NOT NULL,
              import_id BIGINT NULL,
              recorded_at TEXT NOT NULL);;
            CREATE INDEX block_fills_block ON block_fills (block_id);;
            CREATE TABLE block_allocations (
              block_id BIGINT NOT NULL REFERENCES blocks(id),
              allocation INTEGER NOT NULL,
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              proposal_id BIGINT NOT NULL REFERENCES proposals(id),
              quantity BIGINT NOT NULL,
              price BIGINT NOT NULL,
              amount BIGINT NOT NULL,
              fee BIGINT NOT NULL,
              transaction_id BIGINT NOT NULL,
              PRIMARY KEY (block_id, allocation, account_id)){norowid};;
            CREATE TABLE block_events (
              id {pk},
              block_id BIGINT NOT NULL REFERENCES blocks(id),
              status TEXT NOT NULL CHECK (status IN ('cancelled')),
              quantity BIGINT NOT NULL,
              at TEXT NOT NULL,
              actor TEXT NOT NULL,
              note TEXT NULL);;
            CREATE INDEX block_events_block ON block_events (block_id);;
            {append_only:blocks};;
            {append_only:block_orders};;
            {append_only:block_fills};;
            {append_only:block_allocations};;
            {append_only:block_events}
            """, (c, tx, provider) => AppendOnlyGuards.Install(c, tx, provider)),
        new(9, "restrictions (do-not-buy, do-not-sell, max weight per account, household or firm; untradable securities firm-wide), household holds", """
            CREATE TABLE restrictions (
              id {pk},
              scope TEXT NOT NULL CHECK (scope IN ('account', 'household', 'firm')),
              name TEXT NOT NULL,
              ticker TEXT NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('do-not-buy', 'do-not-sell', 'max-weight', 'untradable')),
              value BIGINT NULL,
              reason TEXT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              UNIQUE (scope, name, ticker, kind));;
            CREATE INDEX restrictions_ticker ON restrictions (ticker);;
            ALTER TABLE households ADD COLUMN hold TEXT NULL
            """),
        new(10, "events (every run, proposal, block, fill and exception, ids strictly increasing), webhooks with a delivery cursor, webhook deliveries", """
            CREATE TABLE events (
              id {pk},
              at TEXT NOT NULL,
              kind TEXT NOT NULL,
              subject TEXT NOT NULL,
              data TEXT NOT NULL);;
            CREATE INDEX events_kind ON events (kind, id);;
            CREATE TABLE webhooks (
              id {pk},
              url TEXT NOT NULL,
              secret TEXT NOT NULL,
              kinds TEXT NULL,
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              active INTEGER NOT NULL DEFAULT 1,
              cursor_event BIGINT NOT NULL DEFAULT 0);;
            CREATE TABLE webhook_deliveries (
              webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
              event_id BIGINT NOT NULL REFERENCES events(id),
              attempts INTEGER NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
              last_error TEXT NULL,
              last_attempt_at TEXT NOT NULL,
              PRIMARY KEY (webhook_id, event_id)){norowid};;
            {append_only:events}
            """, (c, tx, provider) => AppendOnlyGuards.Install(c, tx, provider)),
        new(11, "firm settings (approval rule, unfilled rest, netting), proposal rejections, cash needs (withdrawal requests), window runs' order stage", """
            CREATE TABLE firm_settings (
              key TEXT PRIMARY KEY CHECK (key IN ('approval', 'unfilled', 'netting')),
              value TEXT NOT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL);;
            CREATE TABLE proposal_rejections (
              proposal_id BIGINT PRIMARY KEY REFERENCES proposals(id),
              at TEXT NOT NULL,
              actor TEXT NOT NULL,
              reason TEXT NOT NULL){norowid};;
            CREATE TABLE cash_needs (
              id {pk},
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              amount BIGINT NOT NULL CHECK (amount > 0),
              needed_by TEXT NOT NULL,
              note TEXT NULL,
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('open', 'raised', 'cancelled')),
              proposal_id BIGINT NULL REFERENCES proposals(id),
              closed_at TEXT NULL);;
            CREATE INDEX cash_needs_account ON cash_needs (account_id, status);;
            CREATE INDEX cash_needs_proposal ON cash_needs (proposal_id);;
            ALTER TABLE window_runs ADD COLUMN stage TEXT NULL CHECK (stage IN ('sent', 'completed', 'completed-adjusted'));;
            {append_only:proposal_rejections}
            """, (c, tx, provider) => AppendOnlyGuards.Install(c, tx, provider)),
        new(12, "the orders of window runs, one per (window, account, ticker, side): a window never doubles an order, enforced by the database", """
            CREATE TABLE window_orders (
              run_id BIGINT NOT NULL REFERENCES window_runs(id),
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              security_id BIGINT NOT NULL REFERENCES securities(id),
              side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
              proposal_id BIGINT NOT NULL,
              line INTEGER NOT NULL,
              PRIMARY KEY (run_id, account_id, security_id, side),
              UNIQUE (proposal_id, line),
              FOREIGN KEY (proposal_id, line) REFERENCES proposal_orders(proposal_id, line)){norowid};;
            INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line)
              SELECT w.run_id, o.account_id, o.security_id, o.side, o.proposal_id, o.line
              FROM window_run_accounts w JOIN proposal_orders o ON o.proposal_id = w.proposal_id;;
            {append_only:window_orders}
            """, (c, tx, provider) => AppendOnlyGuards.Install(c, tx, provider)),
        new(13, "the service's tenants (firms), their API keys (stored hashed, with a role) and the responses kept for Idempotency-Key retries", """
            CREATE TABLE tenants (
              id {pk},
              name TEXT NOT NULL UNIQUE,
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL);;
            CREATE TABLE api_keys (
              id {pk},
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              key_hash TEXT NOT NULL UNIQUE,
              prefix TEXT NOT NULL,
              role TEXT NOT NULL CHECK (role IN ('viewer', 'trader', 'approver', 'admin')),
              created_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              revoked_at TEXT NULL,
              last_used_at TEXT NULL);;
            CREATE INDEX api_keys_tenant ON api_keys (tenant_id);;
            CREATE TABLE idempotency_keys (
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              key TEXT NOT NULL,
              request_hash TEXT NOT NULL,
              status INTEGER NOT NULL,
              content_type TEXT NOT NULL,
              body TEXT NOT NULL,
              created_at TEXT NOT NULL,
              PRIMARY KEY (tenant_id, key)){norowid}
            """),
        new(14, "tenants own the firm's book: the default tenant holds every existing row, the firm's tables carry tenant_id, names are unique per tenant, audit rows name their tenant", """
            INSERT INTO tenants (id, name, created_at, actor)
              SELECT n.id, 'default', {now}, {actor} FROM (SELECT COALESCE(MAX(id), 0) + 1 AS id FROM tenants) n
              WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE name = 'default');;
            ALTER TABLE audit ADD COLUMN tenant_id BIGINT NULL REFERENCES tenants(id)
            """, TenantMigration.Apply, RebuildsTables: true),
        new(15, "the Orleans cluster's tables on PostgreSQL (membership of the silos, reminders, and the queries Orleans reads); nothing on SQLite, where there is no cluster",
            "", OrleansTables.Apply),
        new(16, "a partial index of the ledger's cash movements (deposits, withdrawals and sales) by account: a window reads a batch's last cash flow and unsettled cash from it, not from every ledger row of the batch's accounts", """
            CREATE INDEX transactions_cash_movements ON transactions (account_id, kind, trade_date, recorded_at) WHERE kind IN ('deposit', 'withdrawal', 'sell')
            """),
        new(17, "PostgreSQL: the references of what imports and window runs write by the million (the ledger and the positions snapshots to their account; the accounts and households to their household, model and tenant; a window's verdicts, proposals, orders and events to their run, account, proposal, security and tenant) checked once per statement (triggers reading the statement's rows) instead of by foreign keys row by row; nothing on SQLite",
            "", StatementForeignKeys.Apply),
        new(18, "PostgreSQL: a reference checked per statement looks up each distinct value once; a window order's reference to its proposal line is checked per statement too; a proposal's inputs and plan are compressed with LZ4 where the server has it; nothing on SQLite",
            "", StatementForeignKeys.ApplyDistinct),
    ];

    /// <summary>The schema version this build of Ballast reads and writes.</summary>
    public static int Current => All[^1].Version;

    /// <param name="now">The instant a <c>{now}</c> placeholder records (migration 14's default tenant).</param>
    /// <param name="actor">Who runs the migration, for an <c>{actor}</c> placeholder.</param>
    internal static IEnumerable<string> Statements(Migration migration, StoreProvider provider, string now = "1970-01-01T00:00:00.000Z", string actor = "migration")
    {
        foreach (var raw in migration.Sql.Split(";;", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.StartsWith("{append_only:", StringComparison.Ordinal))
            {
                var table = raw["{append_only:".Length..^1];
                foreach (var s in AppendOnly(table, provider)) yield return s;
                continue;
            }
            yield return Expand(raw, provider)
                .Replace("{now}", Quote(now), StringComparison.Ordinal)
                .Replace("{actor}", Quote(actor), StringComparison.Ordinal);
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The statement with <c>{pk}</c> and <c>{norowid}</c> replaced for <paramref name="provider"/>.</summary>
    internal static string Expand(string raw, StoreProvider provider) => raw
                .Replace("{pk}", provider == StoreProvider.Sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY", StringComparison.Ordinal)
                .Replace("{norowid}", provider == StoreProvider.Sqlite ? " WITHOUT ROWID" : "", StringComparison.Ordinal);

    private static IEnumerable<string> AppendOnly(string table, StoreProvider provider)
    {
        if (provider == StoreProvider.Sqlite)
        {
            yield return $"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END";
            yield return $"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END";
        }
        else
        {
            yield return """
                CREATE OR REPLACE FUNCTION ballast_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
                """;
            yield return $"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION ballast_append_only()";
        }
    }
}
