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

    [Fact]
    public void ALedgerOrSnapshotRow_NamingNoAccount_IsRefused_AndNothingIsWritten()
    {
        var store = Seeded();
        var alice = store.Read(c => c.ExecuteScalar<long>("SELECT id FROM accounts WHERE name = 'alice-taxable'"));
        var missing = store.Read(c => c.ExecuteScalar<long>("SELECT MAX(id) FROM accounts")) + 1000;
        var before = Fingerprint(store);

        // One ledger row (written alone) naming no account.
        var ledger = Assert.ThrowsAny<DbException>(() => store.Write<int>("bad ledger row", scope =>
        {
            var id = scope.NextId("transactions");
            scope.Insert("transactions", LedgerColumns, [[id, missing, "deposit", "2025-09-30", 0L, 100_000_000L, 0L, "bad-1", scope.Now]]);
            return (0, "never");
        }));
        AssertRefusedReference(ledger);

        // 300 snapshot rows (written in bulk), the last of them naming no account.
        var snapshots = Assert.ThrowsAny<DbException>(() => store.Write<int>("bad snapshot rows", scope =>
        {
            var rows = Enumerable.Range(0, 300).Select(i => new object?[] { 1L, i < 299 ? alice : missing, "2025-09-30", null, (long)i }).ToList();
            scope.Insert("position_snapshots", SnapshotColumns, rows);
            return (0, "never");
        }));
        AssertRefusedReference(snapshots);
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
        var verdict = Assert.ThrowsAny<DbException>(() => store.Write<int>("bad verdict", scope =>
        {
            scope.Insert("window_run_accounts", ["run_id", "account_id", "decision", "outcome", "reason", "reason_kind"],
                [[missing, alice, "due", "skipped", "test", "hold"]]);
            return (0, "never");
        }));
        AssertRefusedReference(verdict);
        // 100 events (written in bulk) of a proposal that does not exist.
        var events = Assert.ThrowsAny<DbException>(() => store.Write<int>("bad events", scope =>
        {
            var id = scope.NextId("proposal_events");
            scope.Insert("proposal_events", ["id", "proposal_id", "status", "at", "actor"],
                [.. Enumerable.Range(0, 100).Select(i => new object?[] { id + i, missing, "approved", scope.Now, "test" })]);
            return (0, "never");
        }));
        AssertRefusedReference(events);
        Assert.Equal(before, Fingerprint(store));
    }
}
