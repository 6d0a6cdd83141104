using System.Data.Common;
using Ballast.Store.Data;

namespace Ballast.Store.Integrity;

/// <summary>
/// What the append-only triggers of migration 1 did not cover, installed on every append-only table (a table with the
/// <c>{append_only:TABLE}</c> triggers) by migration 6; idempotent, so a later migration that adds an append-only table
/// calls <see cref="Install"/> again from its code step.
/// <list type="bullet">
/// <item>SQLite: <c>INSERT OR REPLACE</c> / <c>REPLACE INTO</c> deletes the row it conflicts with, and that delete fires the
/// delete trigger only when the connection has <c>PRAGMA recursive_triggers</c> on (off by default, so any other client
/// could replace a ledger row). <c>TABLE_no_replace</c> is a BEFORE INSERT trigger that refuses a row whose primary key
/// or any unique key is already taken, which is the only case a REPLACE deletes anything.</item>
/// <item>PostgreSQL: TRUNCATE fires no row trigger. <c>TABLE_no_truncate</c> is a statement-level BEFORE TRUNCATE trigger.</item>
/// </list>
/// </summary>
internal static class AppendOnlyGuards
{
    public static void Install(DbConnection c, DbTransaction tx, StoreProvider provider)
    {
        if (provider == StoreProvider.Postgres)
        {
            var tables = c.Query("""
                SELECT cl.relname FROM pg_trigger tg JOIN pg_class cl ON cl.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = current_schema() AND tg.tgname = cl.relname || '_append_only'
                  AND NOT EXISTS (SELECT 1 FROM pg_trigger t2 WHERE t2.tgrelid = cl.oid AND t2.tgname = cl.relname || '_no_truncate')
                ORDER BY cl.relname
                """, r => r.GetString(0), tx);
            foreach (var t in tables)
                c.Execute($"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION ballast_append_only()", tx);
            return;
        }
        var appendOnly = c.Query("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name = tbl_name || '_no_delete' ORDER BY tbl_name", r => r.GetString(0), tx);
        foreach (var t in appendOnly)
        {
            var keys = UniqueKeys(c, tx, t);
            if (keys.Count == 0) continue; // nothing for a REPLACE to conflict with but the hidden rowid (see README)
            var when = string.Join(" OR ", keys.Select(k => $"EXISTS (SELECT 1 FROM {t} WHERE {string.Join(" AND ", k.Select(col => $"{col} = NEW.{col}"))})"));
            c.Execute($"CREATE TRIGGER IF NOT EXISTS {t}_no_replace BEFORE INSERT ON {t} WHEN {when} " +
                      $"BEGIN SELECT RAISE(ABORT, '{t} is append-only: a row with this key is already recorded'); END", tx);
        }
    }

    /// <summary>
    /// SQLite: drops the triggers <c>TABLE_KIND</c> of <paramref name="table"/> (those it has) inside <paramref name="tx"/> and returns the
    /// statements that create them again, for the caller to run before it commits; a rollback brings them back by itself. No other
    /// connection sees the store without them: they see no uncommitted schema. A migration's backfill lifts the update and delete
    /// refusals so (<see cref="HashChain.WithoutAppendOnly"/>), a bulk write the replace guard (<c>WriteScope.LiftReplaceGuard</c>).
    /// </summary>
    public static List<string> Lift(DbConnection c, DbTransaction tx, string table, params string[] kinds)
    {
        var names = kinds.Select(k => $"{table}_{k}").ToList();
        var triggers = c.Query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = @table AND name IN @names",
            new { table, names }, r => (Name: r.GetString(0), Sql: r.GetString(1)), tx);
        foreach (var t in triggers) c.Execute($"DROP TRIGGER {t.Name}", tx);
        return [.. triggers.Select(t => t.Sql)];
    }

    /// <summary>The primary key and every unique index of an SQLite table, each as its column list.</summary>
    private static List<string[]> UniqueKeys(DbConnection c, DbTransaction tx, string table)
    {
        var keys = new List<string[]>();
        var pk = c.Query("SELECT name FROM pragma_table_info(@table) WHERE pk > 0 ORDER BY pk", new { table }, r => r.GetString(0), tx).ToArray();
        if (pk.Length > 0) keys.Add(pk);
        foreach (var index in c.Query("SELECT name FROM pragma_index_list(@table) WHERE \"unique\" = 1 ORDER BY name", new { table }, r => r.GetString(0), tx))
        {
            var columns = c.Query("SELECT name FROM pragma_index_info(@index) ORDER BY seqno", new { index }, r => r.TextOrNull(0), tx);
            if (columns.Any(col => col is null)) continue; // an expression index
            var key = columns.Select(col => col!).ToArray();
            if (!keys.Any(k => k.SequenceEqual(key))) keys.Add(key);
        }
        return keys;
    }
}
