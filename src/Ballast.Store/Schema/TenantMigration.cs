using System.Data.Common;
using Ballast.Store.Data;
using Ballast.Store.Integrity;

namespace Ballast.Store.Schema;

/// <summary>
/// Migration 14: the firm's tables get <c>tenant_id</c> (every existing row goes to the <c>default</c> tenant, which the migration's
/// statements create when absent) and their names become unique per tenant instead of store-wide.
/// <list type="bullet">
/// <item>PostgreSQL alters in place: the column is added with the default tenant as its default (no table rewrite), the default is
/// then dropped so that every insert names its tenant, and each store-wide unique key is replaced by one that starts with <c>tenant_id</c>.</item>
/// <item>SQLite cannot drop an inline UNIQUE constraint, so the tables whose keys change are rebuilt by SQLite's documented
/// procedure (create the new table, copy, drop the old, rename, recreate its indexes and triggers; foreign keys are off meanwhile
/// and checked before commit, see <see cref="Migration.RebuildsTables"/>). The other tables get the column by <c>ALTER TABLE ADD
/// COLUMN</c>, whose default (the default tenant's id) SQLite keeps in the table's definition.</item>
/// </list>
/// </summary>
internal static class TenantMigration
{
    /// <summary>The tables whose store-wide keys become keys per tenant: their new definition (columns in their existing order, <c>tenant_id</c> last) and their keys on PostgreSQL.</summary>
    private static readonly (string Table, string Columns, string Create, string[] PgDrop, string[] PgAdd)[] Rebuilt =
    [
        ("households", "id, name, created_at, tax_settings, hold", """
            CREATE TABLE households_new (
              id {pk},
              name TEXT NOT NULL,
              created_at TEXT NOT NULL,
              tax_settings TEXT NULL,
              hold TEXT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, name))
            """, ["households_name_key"], ["UNIQUE (tenant_id, name)"]),
        ("models", "id, name, created_at", """
            CREATE TABLE models_new (
              id {pk},
              name TEXT NOT NULL,
              created_at TEXT NOT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, name))
            """, ["models_name_key"], ["UNIQUE (tenant_id, name)"]),
        ("accounts", "id, name, household_id, type, currency, model_id, policy, created_at, allow_margin, lot_method, execution, hold", """
            CREATE TABLE accounts_new (
              id {pk},
              name TEXT NOT NULL,
              household_id BIGINT NULL REFERENCES households(id),
              type TEXT NOT NULL CHECK (type IN ('taxable', 'tax-deferred', 'tax-free')),
              currency TEXT NOT NULL,
              model_id BIGINT NULL REFERENCES models(id),
              policy TEXT NULL,
              created_at TEXT NOT NULL,
              allow_margin INTEGER NOT NULL DEFAULT 0,
              lot_method TEXT NOT NULL DEFAULT 'fifo' CHECK (lot_method IN ('fifo', 'lifo', 'hifo', 'tax-min')),
              execution TEXT NULL,
              hold TEXT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, name))
            """, ["accounts_name_key"], ["UNIQUE (tenant_id, name)"]),
        ("account_numbers", "number, account_id", """
            CREATE TABLE account_numbers_new (
              number TEXT NOT NULL,
              account_id BIGINT NOT NULL REFERENCES accounts(id),
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              PRIMARY KEY (tenant_id, number))
            """, ["account_numbers_pkey"], ["PRIMARY KEY (tenant_id, number)"]),
        ("schedules", "kind, name, text, set_at, actor", """
            CREATE TABLE schedules_new (
              kind TEXT NOT NULL CHECK (kind IN ('firm', 'model', 'account')),
              name TEXT NOT NULL,
              text TEXT NOT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              PRIMARY KEY (tenant_id, kind, name))
            """, ["schedules_pkey"], ["PRIMARY KEY (tenant_id, kind, name)"]),
        ("window_runs", "id, window_id, window_date, cut_off, status, started_at, finished_at, actor, accounts, evaluated, rebalanced, skipped, error, stage", """
            CREATE TABLE window_runs_new (
              id {pk},
              window_id TEXT NOT NULL,
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
              error TEXT NULL,
              stage TEXT NULL CHECK (stage IN ('sent', 'completed', 'completed-adjusted')),
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, window_id))
            """, ["window_runs_window_id_key"], ["UNIQUE (tenant_id, window_id)"]),
        ("block_fills", "id, block_id, execution_id, trade_date, quantity, price, fee, allocation, import_id, recorded_at", """
            CREATE TABLE block_fills_new (
              id {pk},
              block_id BIGINT NOT NULL REFERENCES blocks(id),
              execution_id TEXT NOT NULL,
              trade_date TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              price BIGINT NOT NULL,
              fee BIGINT NOT NULL,
              allocation INTEGER NOT NULL,
              import_id BIGINT NULL,
              recorded_at TEXT NOT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, execution_id))
            """, ["block_fills_execution_id_key"], ["UNIQUE (tenant_id, execution_id)"]),
        ("restrictions", "id, scope, name, ticker, kind, value, reason, set_at, actor", """
            CREATE TABLE restrictions_new (
              id {pk},
              scope TEXT NOT NULL CHECK (scope IN ('account', 'household', 'firm')),
              name TEXT NOT NULL,
              ticker TEXT NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('do-not-buy', 'do-not-sell', 'max-weight', 'untradable')),
              value BIGINT NULL,
              reason TEXT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              UNIQUE (tenant_id, scope, name, ticker, kind))
            """, ["restrictions_scope_name_ticker_kind_key"], ["UNIQUE (tenant_id, scope, name, ticker, kind)"]),
        ("firm_settings", "key, value, set_at, actor", """
            CREATE TABLE firm_settings_new (
              key TEXT NOT NULL CHECK (key IN ('approval', 'unfilled', 'netting')),
              value TEXT NOT NULL,
              set_at TEXT NOT NULL,
              actor TEXT NOT NULL,
              tenant_id BIGINT NOT NULL REFERENCES tenants(id),
              PRIMARY KEY (tenant_id, key))
            """, ["firm_settings_pkey"], ["PRIMARY KEY (tenant_id, key)"]),
    ];

    /// <summary>Root tables whose keys do not change: the column is added.</summary>
    private static readonly string[] Added = ["imports", "proposals", "blocks", "events", "webhooks"];

    /// <summary>Indexes for the tenant's listings.</summary>
    private static readonly string[] Indexes =
    [
        "CREATE INDEX accounts_tenant_household ON accounts (tenant_id, household_id)",
        "CREATE INDEX proposals_tenant ON proposals (tenant_id, id)",
        "CREATE INDEX blocks_tenant ON blocks (tenant_id, id)",
        "CREATE INDEX events_tenant ON events (tenant_id, id)",
        "CREATE INDEX events_tenant_kind ON events (tenant_id, kind, id)",
        "CREATE INDEX webhooks_tenant ON webhooks (tenant_id)",
        "CREATE INDEX imports_tenant ON imports (tenant_id, id)",
    ];

    public static void Apply(DbConnection c, DbTransaction tx, StoreProvider provider)
    {
        var tenant = c.ScalarLong("SELECT id FROM tenants WHERE name = 'default'", tx)
            ?? throw new InvalidOperationException("migration 14: the default tenant was not created");
        if (provider == StoreProvider.Postgres)
        {
            foreach (var (table, _, _, drop, add) in Rebuilt)
            {
                AddColumn(c, tx, table, tenant);
                foreach (var key in drop) c.Execute($"ALTER TABLE {table} DROP CONSTRAINT {key}", tx);
                foreach (var key in add) c.Execute($"ALTER TABLE {table} ADD {key}", tx);
            }
            foreach (var table in Added) AddColumn(c, tx, table, tenant);
        }
        else
        {
            foreach (var (table, columns, create, _, _) in Rebuilt) Rebuild(c, tx, table, columns, Migrations.Expand(create, provider), tenant);
            foreach (var table in Added)
                c.Execute($"ALTER TABLE {table} ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT {tenant} REFERENCES tenants(id)", tx);
            AppendOnlyGuards.Install(c, tx, provider); // the REPLACE guard of a rebuilt append-only table, on its new keys
        }
        foreach (var index in Indexes) c.Execute(index, tx);
    }

    /// <summary>PostgreSQL: the column, the default tenant in every existing row without rewriting the table, then no default.</summary>
    private static void AddColumn(DbConnection c, DbTransaction tx, string table, long tenant)
    {
        c.Execute($"ALTER TABLE {table} ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT {tenant} REFERENCES tenants(id)", tx);
        c.Execute($"ALTER TABLE {table} ALTER COLUMN tenant_id DROP DEFAULT", tx);
    }

    /// <summary>
    /// SQLite's procedure for a change ALTER TABLE cannot make (https://sqlite.org/lang_altertable.html#otheralter), foreign keys off:
    /// the new table, the rows copied into it with the default tenant, the old one dropped, the new one renamed, and the old one's
    /// indexes and triggers created again (its REPLACE guard excepted: <see cref="AppendOnlyGuards.Install"/> writes it on the new keys).
    /// </summary>
    private static void Rebuild(DbConnection c, DbTransaction tx, string table, string columns, string create, long tenant)
    {
        var indexes = c.Query("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @table AND sql IS NOT NULL ORDER BY name",
            new { table }, r => r.GetString(0), tx);
        var triggers = c.Query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = @table AND name <> @replace ORDER BY name",
            new { table, replace = table + "_no_replace" }, r => r.GetString(0), tx);
        c.Execute(create, tx);
        c.Execute($"INSERT INTO {table}_new ({columns}, tenant_id) SELECT {columns}, {tenant} FROM {table}", tx);
        c.Execute($"DROP TABLE {table}", tx);
        c.Execute($"ALTER TABLE {table}_new RENAME TO {table}", tx);
        foreach (var sql in indexes) c.Execute(sql, tx);
        foreach (var sql in triggers) c.Execute(sql, tx);
    }
}
