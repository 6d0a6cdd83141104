using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// The ledger's and the positions snapshots' references to their account: a foreign key on SQLite, a check of each statement's
/// rows on PostgreSQL (<see cref="Schema.StatementForeignKeys"/>, migration 17). Either way a row naming no account is refused
/// with nothing written, and an account a row names cannot be deleted or given another id.
/// </summary>
public abstract partial class StoreSuite
{
    private static readonly string[] SnapshotColumns = ["import_id", "account_id", "date", "security_id", "quantity"];

    private static readonly string[] LedgerColumns = ["id", "account_id", "kind", "trade_date", "quantity", "cash", "fee", "idempotency_key", "recorded_at"];

    private void AssertRefusedReference(DbException e)
    {
        if (Location.Provider == StoreProvider.Postgres) Assert.Equal("23503", e.SqlState); // foreign_key_violation, as a foreign key says it
        else Assert.Contains("FOREIGN KEY constraint failed", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes <paramref name="rows"/> into <paramref name="table"/> in one write, which must be refused for a reference naming nothing.</summary>
    private DbException RefusedInsert(BallastStore store, string table, string[] columns, Func<WriteScope, IReadOnlyCollection<object?[]>> rows)
    {
        var e = Assert.ThrowsAny<DbException>(() => store.Write<int>($"bad {table} rows", scope =>
        {
            scope.Insert(table, columns, rows(scope));
            return (0, "never");
        }));
        AssertRefusedReference(e);
        return e;
    }

    [Fact]
    public void ALedgerOrSnapshotRow_NamingNoAccount_IsRefused_AndNothingIsWritten()
    {
        var store = Seeded();
        var alice = store.Read(c => c.ExecuteScalar<long>("SELECT id FROM accounts WHERE name = 'alice-taxable'"));
        var missing = store.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM accounts")) + 1000;
        var before = Fingerprint(store);

        // One ledger row (written alone) naming no account.
        RefusedInsert(store, "transactions", LedgerColumns, scope => [[scope.NextId("transactions"), missing, "deposit", "2025-09-30", 0L, 100_000_000L, 0L, "bad-1", scope.Now]]);

        // 300 snapshot rows (written in bulk), the last of them naming no account.
        RefusedInsert(store, "position_snapshots", SnapshotColumns,
            _ => [.. Enumerable.Range(0, 300).Select(i => new object?[] { 1L, i < 299 ? alice : missing, "2025-09-30", null, (long)i })]);
        Assert.Equal(before, Fingerprint(store));

        // The same rows naming a real account are written.
        store.Write("snapshot rows", scope =>
        {
            scope.Insert("position_snapshots", SnapshotColumns, [.. Enumerable.Range(0, 300).Select(i => new object?[] { 1L, alice, "2025-09-30", null, (long)i })]);
            return (0, "rows");
        });
        Assert.Equal(300, Count(store, "position_snapshots"));
    }

    [Fact]
    public void AnAccountTheLedgerOrASnapshotNames_CannotBeDeletedOrRenumbered_ButItsOtherColumnsChange()
    {
        var store = Seeded();
        // bob has only ledger rows (a deposit); alice-ira only a snapshot (its cash row of 0 matches the ledger, so nothing is adjusted).
        store.AddAccount(new NewAccount("bob", AccountType.Taxable, "USD", "bob"));
        store.Deposit("bob", 1_000m, new DateOnly(2025, 9, 30), "bob-1");
        store.ImportPositions(WriteFile("positions.csv", "account,ticker,quantity,cost_basis\nalice-ira,CASH,0,\n"), asOf: new DateOnly(2025, 9, 30));
        var ids = store.Read(c => c.Query<(string Name, long Id)>("SELECT name, id FROM accounts")).ToDictionary(a => a.Name, a => a.Id);
        long Rows(string table, string account) => store.Read(c => c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table} WHERE account_id = @id", new { id = ids[account] }));
        Assert.Equal((0, 1), (Rows("transactions", "alice-ira"), Rows("position_snapshots", "alice-ira")));
        Assert.Equal((1, 0), (Rows("transactions", "bob"), Rows("position_snapshots", "bob")));
        var before = Fingerprint(store);
        foreach (var (name, table) in new[] { ("bob", "transactions"), ("alice-ira", "position_snapshots") })
        {
            var id = ids[name];
            var deleted = Assert.ThrowsAny<DbException>(() => store.Write<int>("delete", scope => (scope.Execute("DELETE FROM accounts WHERE id = @id", new { id }), "never")));
            AssertRefusedReference(deleted);
            var renumbered = Assert.ThrowsAny<DbException>(() => store.Write<int>("renumber", scope => (scope.Execute("UPDATE accounts SET id = @to WHERE id = @id", new { id, to = id + 1000 }), "never")));
            AssertRefusedReference(renumbered);
            if (Location.Provider == StoreProvider.Postgres) Assert.True(deleted.Message.Contains(table, StringComparison.Ordinal), deleted.Message);
        }
        Assert.Equal(before, Fingerprint(store));
        Assert.Equal(1, store.Write("hold", scope => (scope.Execute("UPDATE accounts SET hold = 'review' WHERE id = @id", new { id = ids["alice-ira"] }), "hold")));
    }

    [Fact]
    public void AnAccountMovedToNoHouseholdOrModel_IsRefused_AndAHouseholdItsAccountsName_CannotBeDeleted()
    {
        var store = Seeded();
        var (alice, household) = store.Read(c => c.QuerySingle<(long, long)>("SELECT id, household_id FROM accounts WHERE name = 'alice-taxable'"));
        var missing = store.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM households")) + 1000;
        var before = Fingerprint(store);
        foreach (var sql in new[]
                 {
                     "UPDATE accounts SET household_id = @missing WHERE id = @alice",
                     "UPDATE accounts SET model_id = @missing WHERE id = @alice",
                     "UPDATE accounts SET tenant_id = @missing WHERE id = @alice",
                     "DELETE FROM households WHERE id = @household",
                 })
        {
            var e = Assert.ThrowsAny<DbException>(() => store.Write<int>("refused", scope => (scope.Execute(sql, new { missing, alice, household }), "never")));
            AssertRefusedReference(e);
        }
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void AWindowVerdictOrAProposalEvent_NamingNoRunOrProposal_IsRefused_AndNothingIsWritten()
    {
        var store = Seeded();
        var alice = store.Read(c => c.ExecuteScalar<long>("SELECT id FROM accounts WHERE name = 'alice-taxable'"));
        const long missing = 1_000_000;
        var before = Fingerprint(store);
        // One verdict (written alone) of a window run that does not exist.
        RefusedInsert(store, "window_run_accounts", ["run_id", "account_id", "decision", "outcome", "reason", "reason_kind"],
            _ => [[missing, alice, "due", "skipped", "test", "hold"]]);
        // 100 events (written in bulk) of a proposal that does not exist.
        RefusedInsert(store, "proposal_events", ["id", "proposal_id", "status", "at", "actor"], scope =>
        {
            var id = scope.NextId("proposal_events");
            return [.. Enumerable.Range(0, 100).Select(i => new object?[] { id + i, missing, "approved", scope.Now, "test" })];
        });
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void AWindowOrder_NamingNoProposalLine_IsRefused_WhileOrdersOfRealLinesAreWritten()
    {
        var store = Seeded();
        var alice = store.Read(c => c.ExecuteScalar<long>("SELECT id FROM accounts WHERE name = 'alice-taxable'"));
        var (vti, bnd) = store.Read(c => (c.ExecuteScalar<long>("SELECT id FROM securities WHERE ticker = 'VTI'"), c.ExecuteScalar<long>("SELECT id FROM securities WHERE ticker = 'BND'")));
        var proposal = store.SaveProposal(new NewProposal("account alice-taxable", "test", null, "{}", "{}",
            [new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 1, 100m), new ProposedOrder("alice-taxable", "BND", OrderSide.Sell, 2, 70m)]));
        var (run, _) = store.BeginWindowRun("2025-10-01T10:00", new DateOnly(2025, 10, 1), new DateTimeOffset(2025, 10, 1, 19, 30, 0, TimeSpan.Zero));
        string[] columns = ["run_id", "account_id", "security_id", "side", "proposal_id", "line"];
        var before = Fingerprint(store);
        // In one statement: the proposal's line 1, and a line 3 it does not have (the values of its other columns are real).
        var e = RefusedInsert(store, "window_orders", columns, _ => [[run.Id, alice, vti, "buy", proposal, 1], [run.Id, alice, bnd, "sell", proposal, 3]]);
        if (Location.Provider == StoreProvider.Postgres) Assert.Contains("proposal_id, line", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(store));
        store.Write("window orders", scope =>
        {
            scope.Insert("window_orders", columns, [[run.Id, alice, vti, "buy", proposal, 1], [run.Id, alice, bnd, "sell", proposal, 2]]);
            return (0, "written");
        });
        Assert.Equal(2, Count(store, "window_orders"));
    }

    [Fact]
    public void Migration18_OnAVersion17Store_ChecksAWindowOrdersLinePerStatement_AndKeepsItsOrders()
    {
        // A store at schema version 17 whose window order names its proposal line by a foreign key (as version 17 made it).
        var old = BallastStore.Initialize(Location, Options(), 17);
        old.Read(c =>
        {
            using var tx = c.BeginTransaction();
            void Sql(string sql) => c.Execute(sql, transaction: tx);
            // Migration 14 made the default tenant, id 1.
            Sql("INSERT INTO securities (id, ticker, created_at) VALUES (1, 'VTI', '2025-09-01T00:00:00.000Z')");
            Sql("INSERT INTO accounts (id, name, type, currency, created_at, tenant_id) VALUES (1, 'alice', 'taxable', 'USD', '2025-09-01T00:00:00.000Z', 1)");
            Sql("INSERT INTO proposals (id, created_at, actor, scope, engine_version, inputs, plan, tenant_id) VALUES (1, '2025-09-29T00:00:00.000Z', 'old', 'account alice', 'old', '{}', '{}', 1)");
            Sql("INSERT INTO proposal_orders (proposal_id, line, account_id, security_id, side, quantity) VALUES (1, 1, 1, 1, 'buy', 1000000)");
            Sql("INSERT INTO window_runs (id, window_id, window_date, cut_off, status, started_at, actor, tenant_id) VALUES (1, '2025-09-29T10:00', '2025-09-29', '2025-09-29T14:30:00.000Z', 'proposed', '2025-09-29T14:00:00.000Z', 'old', 1)");
            Sql("INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line) VALUES (1, 1, 1, 'buy', 1, 1)");
            tx.Commit();
            return 0;
        });
        Assert.Equal(17, old.SchemaVersion);
        int LineKeys(BallastStore s) => s.Read(c => Location.Provider == StoreProvider.Postgres
            ? c.ExecuteScalar<int>("SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'window_orders'::regclass AND array_length(conkey, 1) = 2")
            : c.ExecuteScalar<int>("SELECT COUNT(DISTINCT id) FROM pragma_foreign_key_list('window_orders') WHERE \"table\" = 'proposal_orders'"));
        Assert.Equal(1, LineKeys(old));

        var store = NewStore();

        Assert.Equal(Schema.Migrations.Current, store.SchemaVersion);
        Assert.Equal(1, Count(store, "window_orders"));
        // PostgreSQL checks the line per statement instead (SQLite keeps its foreign key), and compresses a proposal's texts with LZ4 where it can.
        Assert.Equal(Location.Provider == StoreProvider.Postgres ? 0 : 1, LineKeys(store));
        RefusedInsert(store, "window_orders", ["run_id", "account_id", "security_id", "side", "proposal_id", "line"], _ => [[1L, 1L, 1L, "sell", 1L, 2]]);
        if (Location.Provider == StoreProvider.Postgres)
        {
            var lz4 = store.Read(c => c.ExecuteScalar<bool>("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"));
            var compression = store.Read(c => c.Query<string>("SELECT COALESCE(NULLIF(attcompression, ''), 'default') FROM pg_attribute WHERE attrelid = 'proposals'::regclass AND attname IN ('inputs', 'plan')")).ToList();
            Assert.Equal(lz4 ? ["l", "l"] : ["default", "default"], compression);
        }
    }
}
