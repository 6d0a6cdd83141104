using System.Data.Common;
using Ballast.Store.Data;

namespace Ballast.Store.Schema;

/// <summary>
/// PostgreSQL: the references of the tables an import or a window run fills by the million (the ledger and the positions snapshots
/// to their account; the accounts to their household, model and tenant, and the households to theirs; a window's verdicts, proposals,
/// proposal orders, window orders and events to their run, account, proposal, security and tenant) checked once per statement
/// instead of once per row (migration 17).
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
        // What a window run writes for each batch of accounts (window_orders' reference to its proposal line, of two columns, stays a foreign key).
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
            // An UPDATE is checked the same way (the whole statement's new rows: a trigger with a transition table cannot name columns).
            foreach (var (suffix, operation) in new[] { ("exists", "INSERT"), ("exists_after_update", "UPDATE") })
                c.Execute($"CREATE TRIGGER {table}_{column}_{suffix} AFTER {operation} ON {table} REFERENCING NEW TABLE AS added " +
                          $"FOR EACH STATEMENT EXECUTE FUNCTION ballast_references_exist('{column}', '{parent}')", tx);
        }
        foreach (var parent in References.Select(r => r.Parent).Distinct())
        {
            var children = string.Join(", ", References.Where(r => r.Parent == parent).Select(r => $"'{r.Table}', '{r.Column}'"));
            c.Execute($"CREATE TRIGGER {parent}_still_referenced BEFORE DELETE OR UPDATE OF id ON {parent} " +
                      $"FOR EACH ROW EXECUTE FUNCTION ballast_still_referenced({children})", tx);
        }
    }

    /// <summary>The statement's rows (<c>added</c>) whose column (argument 0) names no row of the parent (argument 1): none, or the statement fails.</summary>
    private const string ReferencesExist = """
        CREATE OR REPLACE FUNCTION ballast_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE missing bigint;
        BEGIN
          EXECUTE format('SELECT n.%1$I FROM added n WHERE n.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = n.%1$I) LIMIT 1',
                         TG_ARGV[0], TG_ARGV[1]) INTO missing;
          IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert on table "%" violates the reference of its column % to table "%"', TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]
              USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], missing, TG_ARGV[1]);
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
