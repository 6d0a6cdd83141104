using System.Data.Common;
using Ballast.Store.Data;

namespace Ballast.Store.Schema;

/// <summary>
/// PostgreSQL: the references of the tables an import or a window run fills by the million (the ledger and the positions snapshots
/// to their account; the accounts to their household, model and tenant, and the households to theirs; a window's verdicts, proposals,
/// proposal orders, window orders and events to their run, account, proposal, security and tenant) checked once per statement
/// instead of once per row (migration 17); each distinct value of a statement looked up once, and a window order's reference to its
/// proposal line (two columns) checked so too (migration 18).
/// <para>
/// A foreign key is checked by PostgreSQL row by row, each check a query of its own: in a positions import of 100,000 accounts
/// (2,200,000 such rows) the checks were half of the server's work, 8.7 s of it, against 0.4 s on SQLite. So on PostgreSQL these
/// references are AFTER INSERT and AFTER UPDATE triggers for each statement, which read the statement's rows (its transition
/// table) in one anti-join against the table referred to and refuse the statement, with the foreign key's error code (23503),
/// when a row names a row that does not exist; and a trigger on each table referred to refuses to delete a row, or change its id,
/// while a row names it. What a foreign key adds beyond that is a lock on the row referred to while the referring row is written,
/// against a concurrent delete: Ballast's writes are serialized (one write lock), and no Ballast write deletes a row that anything
/// names. SQLite keeps the foreign keys, which cost it little.
/// </para>
/// </summary>
internal static class StatementForeignKeys
{
    /// <summary>Each reference checked so: the table, its column, and the table (with an <c>id</c> key) it names.</summary>
    internal static readonly (string Table, string Column, string Parent)[] References =
    [
        // What the imports write.
        ("accounts", "household_id", "households"),
        ("accounts", "model_id", "models"),
        ("accounts", "tenant_id", "tenants"),
        ("households", "tenant_id", "tenants"),
        ("position_snapshots", "account_id", "accounts"),
        ("transactions", "account_id", "accounts"),
        // What a window run writes for each batch of accounts (window_orders' reference to its proposal line, of two columns, is in LineReferences: migration 18).
        ("events", "tenant_id", "tenants"),
        ("proposal_events", "proposal_id", "proposals"),
        ("proposal_orders", "account_id", "accounts"),
        ("proposal_orders", "proposal_id", "proposals"),
        ("proposal_orders", "security_id", "securities"),
        ("proposals", "tenant_id", "tenants"),
        ("window_orders", "account_id", "accounts"),
        ("window_orders", "run_id", "window_runs"),
        ("window_orders", "security_id", "securities"),
        ("window_run_accounts", "account_id", "accounts"),
        ("window_run_accounts", "proposal_id", "proposals"),
        ("window_run_accounts", "run_id", "window_runs"),
    ];

    public static void Apply(DbConnection c, DbTransaction tx, StoreProvider provider)
    {
        if (provider != StoreProvider.Postgres) return;
        c.Execute(ReferencesExist, tx);
        c.Execute(StillReferenced, tx);
        foreach (var (table, column, parent) in References)
        {
            // The foreign key of that column, whatever name the migration that made it gave it.
            var names = c.Query("""
                SELECT co.conname FROM pg_constraint co
                JOIN pg_class ch ON ch.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid JOIN pg_namespace n ON n.oid = ch.relnamespace
                JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
                WHERE co.contype = 'f' AND n.nspname = current_schema() AND ch.relname = @table AND pa.relname = @parent AND a.attname = @column
                  AND array_length(co.conkey, 1) = 1
                """, new { table, parent, column }, r => r.GetString(0), tx);
            foreach (var name in names) c.Execute($"ALTER TABLE {table} DROP CONSTRAINT \"{name}\"", tx);
            CreateChecks(c, tx, table, column, parent, null);
        }
        foreach (var parent in References.Select(r => r.Parent).Distinct())
        {
            var children = string.Join(", ", References.Where(r => r.Parent == parent).Select(r => $"'{r.Table}', '{r.Column}'"));
            c.Execute($"CREATE TRIGGER {parent}_still_referenced BEFORE DELETE OR UPDATE OF id ON {parent} " +
                      $"FOR EACH ROW EXECUTE FUNCTION ballast_still_referenced({children})", tx);
        }
    }

    /// <summary>The AFTER INSERT and AFTER UPDATE statement triggers that check a reference (<see cref="ReferencesExist"/>).</summary>
    private static void CreateChecks(DbConnection c, DbTransaction tx, string table, string columns, string parent, string? keys)
    {
        var name = table + "_" + columns.Replace(", ", "_", StringComparison.Ordinal);
        var arguments = $"'{columns}', '{parent}'" + (keys is null ? "" : $", '{keys}'");
        // An UPDATE is checked the same way (the whole statement's new rows: a trigger with a transition table cannot name columns).
        foreach (var (suffix, operation) in new[] { ("exists", "INSERT"), ("exists_after_update", "UPDATE") })
            c.Execute($"CREATE TRIGGER {name}_{suffix} AFTER {operation} ON {table} REFERENCING NEW TABLE AS added " +
                      $"FOR EACH STATEMENT EXECUTE FUNCTION ballast_references_exist({arguments})", tx);
    }

    /// <summary>
    /// References of several columns checked once per statement too (migration 18): the table, its columns, the table they name
    /// and its key columns. A window order names its proposal's line.
    /// </summary>
    internal static readonly (string Table, string Columns, string Parent, string Keys)[] LineReferences =
    [
        ("window_orders", "proposal_id, line", "proposal_orders", "proposal_id, line"),
    ];

    /// <summary>Every reference checked by a statement trigger, as (table, table it names): the order an export writes tables in.</summary>
    internal static IEnumerable<(string Table, string Parent)> AllReferences =>
        References.Select(r => (r.Table, r.Parent)).Concat(LineReferences.Select(r => (r.Table, r.Parent)));

    /// <summary>
    /// Migration 18, PostgreSQL: each reference looks up each distinct value of a statement once (<see cref="ReferencesExist"/>);
    /// a window order's reference to its proposal line (<see cref="LineReferences"/>), the last foreign key a window run checked row
    /// by row, is checked per statement too; and a proposal's inputs and plan (6 KB of JSON a proposal, 100,000 of them in a
    /// window over a million accounts) are compressed with LZ4 where the server has it, instead of pglz, which was an eighth of the
    /// server's work in such a window. Nothing on SQLite.
    /// <para>
    /// No trigger guards the proposal lines named: <c>proposal_orders</c> is append-only and refuses every UPDATE and DELETE, so
    /// a line a window order names can neither go nor change its key.
    /// </para>
    /// </summary>
    public static void ApplyDistinct(DbConnection c, DbTransaction tx, StoreProvider provider)
    {
        if (provider != StoreProvider.Postgres) return;
        c.Execute(ReferencesExist, tx);
        foreach (var (table, columns, parent, keys) in LineReferences)
        {
            var names = c.Query("""
                SELECT co.conname FROM pg_constraint co
                JOIN pg_class ch ON ch.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid JOIN pg_namespace n ON n.oid = ch.relnamespace
                WHERE co.contype = 'f' AND n.nspname = current_schema() AND ch.relname = @table AND pa.relname = @parent AND array_length(co.conkey, 1) > 1
                """, new { table, parent }, r => r.GetString(0), tx);
            foreach (var name in names) c.Execute($"ALTER TABLE {table} DROP CONSTRAINT \"{name}\"", tx);
            CreateChecks(c, tx, table, columns, parent, keys);
        }
        var lz4 = c.Query("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'", r => r.GetBoolean(0), tx);
        if (lz4 is [true]) c.Execute("ALTER TABLE proposals ALTER COLUMN inputs SET COMPRESSION lz4, ALTER COLUMN plan SET COMPRESSION lz4", tx);
    }

    /// <summary>
    /// The statement's rows (<c>added</c>) whose columns (argument 0, a comma-separated list) name no row of the parent (argument 1)
    /// by its key columns (argument 2, the same way; <c>id</c> when left out): none, or the statement fails. Each distinct value is
    /// looked up once: a window's batch of 2,000 verdicts names one run, its 2,000 proposal orders 200 accounts and 10 securities, an
    /// import's 11 ledger rows of an account one account. A row with a null among its columns names nothing, as with a foreign key
    /// (MATCH SIMPLE). The body is the one migration 18 gave it; migration 17 installs the same.
    /// </summary>
    private const string ReferencesExist = """
        CREATE OR REPLACE FUNCTION ballast_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          columns text[] := string_to_array(replace(TG_ARGV[0], ' ', ''), ',');
          keys text[] := string_to_array(replace(CASE WHEN TG_NARGS > 2 THEN TG_ARGV[2] ELSE 'id' END, ' ', ''), ',');
          list text; matched text; missing text;
        BEGIN
          SELECT string_agg(format('%I', c), ', ' ORDER BY i) INTO list FROM unnest(columns) WITH ORDINALITY u(c, i);
          SELECT string_agg(format('p.%I = n.%I', k, c), ' AND ' ORDER BY i) INTO matched FROM unnest(columns, keys) WITH ORDINALITY u(c, k, i);
          EXECUTE format('SELECT ROW(%1$s)::text FROM (SELECT DISTINCT %1$s FROM added WHERE ROW(%1$s) IS NOT NULL) n '
                         'WHERE NOT EXISTS (SELECT 1 FROM %2$I p WHERE %3$s) LIMIT 1', list, TG_ARGV[1], matched) INTO missing;
          IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert on table "%" violates the reference of its column % to table "%"', TG_TABLE_NAME, list, TG_ARGV[1]
              USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=%s is not present in table "%s".', list, missing, TG_ARGV[1]);
          END IF;
          RETURN NULL;
        END $$
        """;

    /// <summary>A parent row deleted or given another id while a child table (arguments in pairs: table, column) names it: refused.</summary>
    private const string StillReferenced = """
        CREATE OR REPLACE FUNCTION ballast_still_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE i integer := 0; named boolean;
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
          WHILE i < TG_NARGS LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1]) INTO named USING OLD.id;
            IF named THEN
              RAISE EXCEPTION 'update or delete on table "%" violates the reference of table "%" to it', TG_TABLE_NAME, TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', OLD.id, TG_ARGV[i]);
            END IF;
            i := i + 2;
          END LOOP;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$
        """;
}
