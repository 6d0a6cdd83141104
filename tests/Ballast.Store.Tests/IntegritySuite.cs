using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Integrity;
using Ballast.Store.Ledger;
using Ballast.Store.Schema;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Hash chains, the append-only guards, execution ids and the store export, on both providers. The tampering tests act as
/// someone with direct access to the database: they lift the append-only triggers first, as such a person could.
/// </summary>
public abstract class IntegritySuite : StoreTestBase
{
    private bool Postgres => Location.Provider == StoreProvider.Postgres;

    /// <summary>Accounts in a household, positions with basis (lots), a deposit, prices, a proposal with fills.</summary>
    private BallastStore Seeded()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("prices.csv", "date,ticker,close\n2025-09-29,VTI,300.00\n2025-09-29,BND,72.50\n2025-09-30,VTI,310.25\n2025-09-30,BND,72.75\n"));
        store.AddAccount(new NewAccount("alice-taxable", AccountType.Taxable, "USD", "alice"));
        store.AddAccount(new NewAccount("alice-ira", AccountType.TaxDeferred, "USD", "alice"));
        store.ImportPositions(WriteFile("positions.csv", "account,ticker,quantity,cost_basis\nalice-taxable,VTI,20,5000\nalice-ira,BND,40,2800\n"), asOf: new DateOnly(2025, 9, 29));
        store.Deposit("alice-taxable", 10_000m, new DateOnly(2025, 9, 29), "dep-1");
        var proposal = store.SaveProposal(new NewProposal("account alice-taxable", "0.1.0", null, "{}", "{}",
            [new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 10, 310.25m)]));
        store.ImportFills(WriteFile("fills.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nX-1,alice-taxable,2025-09-30,VTI,buy,6,310.25,1,{proposal}\n"));
        var hook = store.AddWebhook("http://127.0.0.1:1/hook", "key", sinceId: 0); // events, webhooks and deliveries go through export and restore
        store.RecordDeliveries(hook.Id, [new DeliveryOutcome(1, true, 2, null, FixedClock.Default), new DeliveryOutcome(2, false, 4, "HTTP 503", FixedClock.Default)]);
        return store;
    }

    private void Sql(BallastStore store, string sql) => store.Read(c => c.Execute(sql));

    /// <summary>What an attacker with the database's credentials does first: lift the append-only triggers of a table.</summary>
    private void LiftTriggers(BallastStore store, string table)
    {
        if (Postgres) Sql(store, $"ALTER TABLE {table} DISABLE TRIGGER USER");
        else foreach (var t in new[] { "no_update", "no_delete", "no_replace" }) Sql(store, $"DROP TRIGGER IF EXISTS {table}_{t}");
    }

    [Fact]
    public void Chains_EveryWrite_KeepsThemIntact_AndHeadsNameTheNewestRows()
    {
        var store = Seeded();
        var report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));
        var heads = store.ChainHeads().ToDictionary(h => h.Table);
        Assert.Equal(Count(store, "transactions"), heads["transactions"].Rows);
        Assert.Equal(store.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM audit")), heads["audit"].LastId);
        Assert.Matches("^[0-9a-f]{64}$", heads["audit"].Hash!);
        Assert.Equal(0, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM transactions WHERE row_hash IS NULL")));
        // The newest audit row names the ledger's newest hash.
        Assert.Equal(heads["transactions"].Hash, store.Read(c => c.ExecuteScalar<string>("SELECT ledger_head FROM audit WHERE id = (SELECT MAX(id) FROM audit)")));
    }

    [Fact]
    public void Chains_Backfill_ComputesTheHashesTheWritesComputed()
    {
        var store = Seeded();
        var before = store.Read(c => c.Query<(long, string)>("SELECT id, row_hash FROM transactions ORDER BY id").ToList());
        LiftTriggers(store, "transactions");
        Sql(store, "UPDATE transactions SET row_hash = NULL");
        store.Read(c =>
        {
            using var tx = c.BeginTransaction();
            HashChain.Backfill(c, tx, Location.Provider, "transactions");
            tx.Commit();
            return 0;
        });
        Assert.Equal(before, store.Read(c => c.Query<(long, string)>("SELECT id, row_hash FROM transactions ORDER BY id").ToList()));
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Migration6_OnAStoreWrittenBeforeIt_ChainsTheExistingRowsInIdOrder()
    {
        // A store at schema version 3 with a ledger, written as that version wrote it (its statements, plain inserts).
        using (var c = Postgres ? (DbConnection)new Npgsql.NpgsqlConnection(Location.ConnectionString) : new Microsoft.Data.Sqlite.SqliteConnection(Location.ConnectionString))
        {
            c.Open();
            c.Execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
            foreach (var m in Migrations.All.Where(m => m.Version <= 3))
            {
                foreach (var sql in Migrations.Statements(m, Location.Provider)) c.Execute(sql);
                c.Execute("INSERT INTO schema_version VALUES (@v, 'old', '2025-01-01T00:00:00.000Z')", new { v = m.Version });
                c.Execute("INSERT INTO audit (id, at, actor, action, summary) VALUES (@v, '2025-01-01T00:00:00.000Z', 'old', 'migrate', 'old')", new { v = m.Version });
            }
            c.Execute("INSERT INTO accounts (id, name, type, currency, created_at) VALUES (1, 'old', 'taxable', 'USD', '2025-01-01T00:00:00.000Z')");
            foreach (var (id, cash) in new[] { (1L, 1_000_0000L), (2L, 250_0000L), (5L, 40_0000L) })
                c.Execute("INSERT INTO transactions (id, account_id, kind, trade_date, quantity, cash, fee, idempotency_key, recorded_at) " +
                          "VALUES (@id, 1, 'deposit', '2025-01-02', 0, @cash, 0, @key, '2025-01-02T00:00:00.000Z')", new { id, cash, key = "k" + id });
            c.Execute("INSERT INTO balances (account_id, cash) VALUES (1, 12900000)");
            c.Execute("INSERT INTO audit (id, at, actor, action, summary) VALUES (4, '2025-01-02T00:00:00.000Z', 'old', 'deposit', 'three deposits')");
        }
        var store = NewStore();
        Assert.Equal(0, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM transactions WHERE row_hash IS NULL")));
        Assert.Equal(0, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE row_hash IS NULL")));
        var report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));
        // The chain goes on from the migrated rows, and a change to one of them shows.
        store.Deposit("old", 1m, Today);
        Assert.True(store.Verify().Ok);
        LiftTriggers(store, "transactions");
        Sql(store, "UPDATE transactions SET cash = 1 WHERE id = 2");
        Assert.Contains("transactions row 2: its hash does not cover its content and the row before it: the row was changed, or rows before it removed, outside Ballast",
            store.Verify().Differences);
    }

    [Fact]
    public void TamperedLedgerRow_IsReportedByVerify_AndRebuildRefusesTheLedger()
    {
        var store = Seeded();
        var id = store.Read(c => c.ExecuteScalar<long>("SELECT id FROM transactions WHERE kind = 'deposit'"));
        LiftTriggers(store, "transactions");
        Sql(store, $"UPDATE transactions SET cash = cash * 2 WHERE id = {id}");

        var report = store.Verify();
        Assert.False(report.Ok);
        Assert.Contains(report.Differences, d => d.StartsWith($"transactions row {id}: its hash does not cover its content", StringComparison.Ordinal));
        var before = Fingerprint(store);
        var e = Assert.Throws<StoreIntegrityException>(() => store.RebuildProjections());
        Assert.Contains("hash chain is broken", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void RemovedLedgerRows_InTheMiddleOrTheNewest_AreReportedByVerify()
    {
        var store = Seeded();
        var ids = store.Read(c => c.Query<long>("SELECT id FROM transactions ORDER BY id").ToList());
        LiftTriggers(store, "transactions");
        Sql(store, $"DELETE FROM transactions WHERE id = {ids[1]}");
        Assert.Contains(store.Verify().Differences, d => d.StartsWith($"transactions row {ids[2]}: its hash does not cover", StringComparison.Ordinal));

        var other = Seeded2();
        var newest = other.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM transactions"));
        LiftTriggers(other, "transactions");
        Sql(other, $"DELETE FROM transactions WHERE id = {newest}");
        Assert.Contains(other.Verify().Differences, d => d.Contains("its newest rows were removed or added outside Ballast", StringComparison.Ordinal));
    }

    /// <summary>A second store for the same test, in a second database.</summary>
    private BallastStore Seeded2()
    {
        var store = BallastStore.Initialize(SecondLocation(), Options());
        store.AddAccount(new NewAccount("bob", AccountType.Taxable, "USD"));
        store.Deposit("bob", 100m, Today, "a");
        store.Deposit("bob", 200m, Today, "b");
        return store;
    }

    protected abstract StoreLocation SecondLocation();

    [Fact]
    public void EmptiedOrCutAuditTrail_IsReportedByVerify()
    {
        var store = Seeded();
        LiftTriggers(store, "audit");
        Sql(store, "DELETE FROM audit WHERE id IN (2, 3)");
        Assert.Contains("audit: rows 2 to 3 are missing: removed outside Ballast", store.Verify().Differences);

        Sql(store, Postgres ? "TRUNCATE audit" : "DELETE FROM audit");
        var report = store.Verify();
        Assert.False(report.Ok);
        Assert.Contains(report.Differences, d => d.StartsWith("audit: the audit trail is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void AppendOnlyTables_RefuseReplaceOnSqlite_AndTruncateOnPostgres()
    {
        var store = Seeded();
        var tables = Postgres
            ? store.Read(c => c.Query<string>("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = c.relname || '_append_only'").ToList())
            : store.Read(c => c.Query<string>("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name = tbl_name || '_no_delete'").ToList());
        Assert.Contains("transactions", tables);
        Assert.Contains("audit", tables);
        var before = Fingerprint(store);
        foreach (var table in tables)
        {
            if (Postgres)
            {
                var e = Assert.ThrowsAny<DbException>(() => Sql(store, $"TRUNCATE {table} CASCADE"));
                Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
            }
            else if (Count(store, table) > 0 && store.Read(c => c.Query<string>($"SELECT name FROM sqlite_master WHERE name = '{table}_no_replace'").Any()))
            {
                var e = Assert.ThrowsAny<DbException>(() => Sql(store, $"INSERT OR REPLACE INTO {table} SELECT * FROM {table} LIMIT 1"));
                Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
                Assert.ThrowsAny<DbException>(() => Sql(store, $"REPLACE INTO {table} SELECT * FROM {table} LIMIT 1"));
            }
        }
        Assert.Equal(before, Fingerprint(store));
        Assert.True(store.Verify().Ok);
        if (!Postgres)
        {
            // Why SQLite needs the insert trigger: without it, REPLACE deletes the row it conflicts with and no delete
            // trigger fires (recursive_triggers is off, as in any client's connection by default).
            Sql(store, "DROP TRIGGER audit_no_replace");
            Sql(store, "REPLACE INTO audit (id, at, actor, action, summary) VALUES (1, 'x', 'x', 'x', 'replaced')");
            Assert.Equal("replaced", store.Read(c => c.ExecuteScalar<string>("SELECT summary FROM audit WHERE id = 1")));
            Assert.Contains(store.Verify().Differences, d => d.StartsWith("audit row 1: has no hash", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ExecutionId_RepeatedWithTheSameFill_IsANoOp_WithADifferentOne_IsAConflictNamingIt()
    {
        var store = Seeded();
        var proposal = store.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM proposals"));
        var same = store.ImportFills(WriteFile("same.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nX-1,alice-taxable,2025-09-30,VTI,buy,6,310.25,1,{proposal}\n"));
        Assert.Equal(0, same.Added);
        Assert.Equal(1, same.Skipped);

        var file = WriteFile("other.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nX-2,alice-taxable,2025-09-30,VTI,buy,1,310,0,{proposal}\nX-1,alice-taxable,2025-09-30,VTI,buy,7,310.25,1,{proposal}\n");
        var p = AssertRefused(store, () => store.ImportFills(file), file, 3, "execution_id", "execution X-1 is already recorded with a different quantity (recorded 6)");
        Assert.Contains("conflict", p.Message, StringComparison.Ordinal);
        // The same id in another account is the same execution recorded twice, not a new fill.
        var elsewhere = WriteFile("elsewhere.csv", "execution_id,account,date,ticker,side,quantity,price\nX-1,alice-ira,2025-09-30,VTI,buy,6,310.25\n");
        AssertRefused(store, () => store.ImportFills(elsewhere), elsewhere, 2, "execution_id", "different account (recorded in alice-taxable)");
        var e = Assert.Throws<InputException>(() => store.RecordFill(new Fill("X-1", "alice-taxable", new DateOnly(2025, 9, 30), "VTI", OrderSide.Buy, 6, 311m, 1m, proposal)));
        Assert.Contains("different price (recorded 310.25)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportAndRestore_IntoAnEmptyStore_KeepsEveryRowAndTheChains()
    {
        var store = Seeded();
        var export = Path.Combine(Directory, "store.jsonl");
        using (var f = File.Create(export)) store.ExportStore(f);
        var target = SecondLocation();
        var result = BallastStore.Restore(target, Options(), export, "store.jsonl");
        Assert.True(result.Verify.Ok, string.Join("\n", result.Verify.Differences));
        var restored = BallastStore.Open(target, Options());
        // Every row as stored; the restored store has one audit row more: the restore itself.
        var again = Path.Combine(Directory, "again.jsonl");
        using (var f = File.Create(again)) restored.ExportStore(f);
        var (a, b) = (Rows(export), Rows(again));
        Assert.Equal(a.Where(l => !l.StartsWith("{\"format\"", StringComparison.Ordinal) && !l.StartsWith("{\"end\"", StringComparison.Ordinal)),
            b.Where(l => !l.StartsWith("{\"format\"", StringComparison.Ordinal) && !l.StartsWith("{\"end\"", StringComparison.Ordinal) && !l.Contains("\"restore\"", StringComparison.Ordinal)));
        Assert.Contains(b, l => l.Contains("\"restore\",\"restored ", StringComparison.Ordinal));
        Assert.Equal(store.Transactions("alice-taxable"), restored.Transactions("alice-taxable"));

        // A second restore into the now filled store is refused, naming --db, and writes nothing.
        var before = Fingerprint(restored);
        var e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), export, "store.jsonl"));
        Assert.Equal("--db", Assert.Single(e.Problems).Field);
        Assert.Contains("is not empty", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(restored));
    }

    private static List<string> Rows(string path) => File.ReadAllLines(path).ToList();

    [Fact]
    public void Restore_RefusesAnotherSchemaVersionOrFormat_AndACutOffFile_NamingTheLine()
    {
        var store = Seeded();
        var export = Path.Combine(Directory, "store.jsonl");
        using (var f = File.Create(export)) store.ExportStore(f);
        var lines = File.ReadAllLines(export);
        var target = SecondLocation();

        File.WriteAllLines(Path.Combine(Directory, "old.jsonl"), [lines[0].Replace($"\"schema_version\":{Migrations.Current}", "\"schema_version\":2", StringComparison.Ordinal), .. lines[1..]]);
        var e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), Path.Combine(Directory, "old.jsonl"), "old.jsonl"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("old.jsonl", 1, "schema_version"), (p.File, p.Line, p.Field));
        Assert.Contains("schema version 2", p.Message, StringComparison.Ordinal);

        File.WriteAllLines(Path.Combine(Directory, "other.jsonl"), ["{\"format\":\"something\"}", .. lines[1..]]);
        e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), Path.Combine(Directory, "other.jsonl"), "other.jsonl"));
        Assert.Equal("format", Assert.Single(e.Problems).Field);

        File.WriteAllLines(Path.Combine(Directory, "cut.jsonl"), lines[..^5]);
        e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), Path.Combine(Directory, "cut.jsonl"), "cut.jsonl"));
        Assert.Contains("ends before its end line", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
        // Nothing was restored: the same target takes the whole file afterwards.
        Assert.True(BallastStore.Restore(target, Options(), export, "store.jsonl").Verify.Ok);
    }

    [Fact]
    public void Restore_OfALedgerCutShort_OrAValueOfTheWrongType_IsRefusedWhole()
    {
        var store = Seeded();
        var export = Path.Combine(Directory, "store.jsonl");
        using (var f = File.Create(export)) store.ExportStore(f);
        var lines = File.ReadAllLines(export).ToList();
        var target = SecondLocation();

        // The newest ledger row removed and the end line's count mended, as someone hiding a transaction would.
        var table = lines.FindIndex(l => l.StartsWith("{\"table\":\"transactions\"", StringComparison.Ordinal));
        var next = lines.FindIndex(table + 1, l => l.StartsWith('{'));
        var newest = Enumerable.Range(table + 1, next - table - 1).MaxBy(i => long.Parse(lines[i][1..lines[i].IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture));
        var cut = lines.Where((_, i) => i != newest).ToList();
        var end = cut.FindIndex(l => l.StartsWith("{\"end\"", StringComparison.Ordinal));
        var total = long.Parse(System.Text.RegularExpressions.Regex.Match(cut[end], "\"rows\":(\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        cut[end] = cut[end].Replace($"\"rows\":{total}", $"\"rows\":{total - 1}", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(Directory, "short.jsonl"), cut);
        var e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), Path.Combine(Directory, "short.jsonl"), "short.jsonl"));
        Assert.Contains(e.Problems, p => p.Message.Contains("the export does not verify, so nothing was restored", StringComparison.Ordinal)
                                          && p.Message.Contains("ledger", StringComparison.Ordinal));

        // Text in an integer column (SQLite would store it as it is).
        var balances = lines.FindIndex(l => l.StartsWith("{\"table\":\"balances\"", StringComparison.Ordinal));
        var bad = lines.ToList();
        var fields = bad[balances + 1].TrimStart('[').TrimEnd(']').Split(',');
        fields[1] = "\"abc\"";
        bad[balances + 1] = "[" + string.Join(",", fields) + "]";
        File.WriteAllLines(Path.Combine(Directory, "typed.jsonl"), bad);
        e = Assert.Throws<InputException>(() => BallastStore.Restore(target, Options(), Path.Combine(Directory, "typed.jsonl"), "typed.jsonl"));
        Assert.Contains("does not fit the column's type", e.Message, StringComparison.Ordinal);

        // Neither left anything behind: the whole export restores into the same target.
        Assert.True(BallastStore.Restore(target, Options(), export, "store.jsonl").Verify.Ok);
    }
}

public sealed class SqliteIntegrityTests : IntegritySuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
    protected override StoreLocation SecondLocation() => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "second.db")}");
}

public sealed class PostgresIntegrityTests : IntegritySuite
{
    private readonly PostgresDatabase _database = new();
    private readonly List<PostgresDatabase> _more = [];
    protected override StoreLocation Location => _database.Location;

    protected override StoreLocation SecondLocation()
    {
        var db = new PostgresDatabase();
        _more.Add(db);
        return db.Location;
    }

    public override void Dispose()
    {
        foreach (var db in _more) db.Dispose();
        _database.Dispose();
        base.Dispose();
    }
}
