using System.Data.Common;
using Ballast.Operations.Blocks;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// The keys that make window runs and block fills idempotent are the database's, not only the code's: a doubled verdict,
/// order, fill or allocation written by any client is refused by SQLite and PostgreSQL alike.
/// </summary>
public abstract partial class StoreSuite
{
    private static long Id(BallastStore store, string sql, object? param = null) => store.Read(c => c.ExecuteScalar<long>(sql, param));

    /// <summary>Asserts the database refuses <paramref name="sql"/> as a key violation and the table keeps its rows.</summary>
    private static void RefusedByTheDatabase(BallastStore store, string table, string sql, object? param = null)
    {
        var before = Count(store, table);
        var e = Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute(sql, param)));
        // SQLite: "UNIQUE constraint failed" (or, on an append-only table, its no-replace guard); PostgreSQL: 23505 duplicate key.
        Assert.True(e.Message.Contains("UNIQUE constraint failed", StringComparison.Ordinal) || e.Message.Contains("a row with this key is already recorded", StringComparison.Ordinal)
            || e is Npgsql.PostgresException { SqlState: "23505" }, $"{table}: not refused as a key violation: {e.Message}");
        Assert.Equal(before, Count(store, table));
    }

    [Fact]
    public void UniqueKeys_AWindowsVerdictOrOrderTwice_IsRefusedByTheDatabase()
    {
        var (store, _, _, _, _) = BlockDeskStore();
        const string Window = "2025-10-01T10:00";
        var (run, existing) = store.BeginWindowRun(Window, new DateOnly(2025, 10, 1), new DateTimeOffset(2025, 10, 1, 13, 30, 0, TimeSpan.Zero));
        Assert.False(existing);
        var acct = Id(store, "SELECT id FROM accounts WHERE name = 'acct-a'");
        NewWindowRunAccount Verdict() => new(acct, "look", "rebalanced", "look", "drifted", new NewProposal($"window {Window}: account acct-a", "test", null, "{}", "{}",
            [new ProposedOrder("acct-a", "VTI", OrderSide.Buy, 3, 100m), new ProposedOrder("acct-a", "BND", OrderSide.Sell, 1, 72.75m)]));
        var proposal = store.RecordWindowAccounts(run.Id, [Verdict()])[acct];

        // Each order of the window's proposal is in the window's order book, keyed by (run, account, security, side).
        Assert.Equal(2, Id(store, "SELECT COUNT(*) FROM window_orders WHERE run_id = @run AND account_id = @acct AND proposal_id = @proposal", new { run = run.Id, acct, proposal }));
        // The same batch again (a rerun after a kill): the account is recorded, so nothing is added.
        var proposals = Count(store, "proposals");
        Assert.Empty(store.RecordWindowAccounts(run.Id, [Verdict()]));
        Assert.Equal(proposals, Count(store, "proposals"));
        Assert.Equal(2, Count(store, "window_orders"));
        Assert.True(store.BeginWindowRun(Window, new DateOnly(2025, 10, 1), new DateTimeOffset(2025, 10, 1, 13, 30, 0, TimeSpan.Zero)).Existing);

        // Any client writing around the store meets the database's keys.
        RefusedByTheDatabase(store, "window_runs", "INSERT INTO window_runs (id, window_id, window_date, cut_off, status, started_at, actor, tenant_id) VALUES (@id, @Window, '2025-10-01', 'x', 'running', 'x', 'x', (SELECT id FROM tenants WHERE name = 'default'))",
            new { id = run.Id + 100, Window });
        RefusedByTheDatabase(store, "window_run_accounts", "INSERT INTO window_run_accounts (run_id, account_id, decision, outcome, reason, reason_kind) VALUES (@run, @acct, 'look', 'no trades', 'again', 'look')",
            new { run = run.Id, acct });
        // A second proposal for the account with the same ticker and side may be stored, but not entered as the window's order.
        var vti = Id(store, "SELECT id FROM securities WHERE ticker = 'VTI'");
        var second = Id(store, "SELECT MAX(id) FROM proposals") + 1;
        store.Read(c => c.Execute("INSERT INTO proposals (id, created_at, actor, scope, engine_version, plan, inputs, tenant_id) VALUES (@second, 'x', 'x', 'window again', 'test', '{}', '{}', (SELECT id FROM tenants WHERE name = 'default'))", new { second }));
        store.Read(c => c.Execute("INSERT INTO proposal_orders (proposal_id, line, account_id, security_id, side, quantity) VALUES (@second, 1, @acct, @vti, 'buy', 1000000)", new { second, acct, vti }));
        RefusedByTheDatabase(store, "window_orders", "INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line) VALUES (@run, @acct, @vti, 'buy', @second, 1)",
            new { run = run.Id, acct, vti, second });
        // One proposal line is one window order.
        RefusedByTheDatabase(store, "window_orders", "INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line) VALUES (@run, @acct, @vti, 'sell', @proposal, 1)",
            new { run = run.Id, acct, vti, proposal });
        RefusedByTheDatabase(store, "window_run_accounts", "INSERT INTO window_run_accounts (run_id, account_id, decision, outcome, reason, reason_kind, proposal_id) VALUES (@run, @other, 'look', 'rebalanced', 'x', 'look', @proposal)",
            new { run = run.Id, other = Id(store, "SELECT id FROM accounts WHERE name = 'acct-b'"), proposal });
    }

    [Fact]
    public void UniqueKeys_TheMigration_EntersTheOrdersOfWindowsRunBefore_InTheWindowOrderBook()
    {
        var (store, _, _, _, _) = BlockDeskStore();
        var (run, _) = store.BeginWindowRun("2025-10-01T10:00", new DateOnly(2025, 10, 1), new DateTimeOffset(2025, 10, 1, 13, 30, 0, TimeSpan.Zero));
        var acct = Id(store, "SELECT id FROM accounts WHERE name = 'acct-b'");
        var proposal = store.RecordWindowAccounts(run.Id, [new NewWindowRunAccount(acct, "look", "rebalanced", "look", "drifted", new NewProposal("window 2025-10-01T10:00: account acct-b", "test", null, "{}", "{}",
            [new ProposedOrder("acct-b", "VTI", OrderSide.Sell, 2, 100m), new ProposedOrder("acct-b", "BND", OrderSide.Buy, 3, 72.75m)]))])[acct];
        // The store as a version before the window order book: without the table; then migration 12 applied to it as the runner
        // applies it (its statements and code in one transaction). Later migrations (tenants) cannot be undone, so 12 runs alone.
        store.Read(c => c.Execute("DROP TABLE window_orders"));
        var twelve = Schema.Migrations.All.Single(m => m.Version == 12);
        store.Read(c =>
        {
            using var tx = c.BeginTransaction();
            foreach (var sql in Schema.Migrations.Statements(twelve, Location.Provider)) c.Execute(sql, transaction: tx);
            twelve.Code?.Invoke(c, tx, Location.Provider);
            tx.Commit();
            return 0;
        });

        var migrated = BallastStore.Initialize(Location, Options());

        Assert.Equal(Schema.Migrations.Current, migrated.SchemaVersion);
        Assert.Equal([1L, 2L], migrated.Read(c => c.Query<long>("SELECT line FROM window_orders WHERE run_id = @run AND account_id = @acct AND proposal_id = @proposal ORDER BY line",
            new { run = run.Id, acct, proposal })).ToList());
        RefusedByTheDatabase(migrated, "window_orders", "INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line) SELECT run_id, account_id, security_id, side, proposal_id, line FROM window_orders LIMIT 1");
        Assert.True(migrated.Verify().Ok);
    }

    [Fact]
    public void UniqueKeys_ABlockFillOrAllocationTwice_IsRefusedByTheDatabase()
    {
        var (store, _, _, _, _) = BlockDeskStore();
        var vti = new BlockDesk(store).Create().Single(b => b.Ticker == "VTI");
        var file = WriteFile("block-fills.csv", $"execution_id,block,date,quantity,price,fee\nE-1,{vti.Id},2025-10-01,30,100,0.90\n");
        new BlockDesk(store).ImportFills(file);
        Assert.Equal(1, Count(store, "block_fills"));
        var allocations = Count(store, "block_allocations");
        Assert.Equal(3, allocations);
        var ledger = Count(store, "transactions");

        // The same file again writes nothing.
        new BlockDesk(store).ImportFills(file);
        Assert.Equal((1L, allocations, ledger), (Count(store, "block_fills"), Count(store, "block_allocations"), Count(store, "transactions")));

        // (tenant, execution id): the execution id is unique in the tenant, so also within a block.
        RefusedByTheDatabase(store, "block_fills", "INSERT INTO block_fills (id, block_id, execution_id, trade_date, quantity, price, fee, allocation, recorded_at, tenant_id) VALUES (@id, @block, 'E-1', '2025-10-02', 1000000, 100000000, 0, 2, 'x', (SELECT id FROM tenants WHERE name = 'default'))",
            new { id = Id(store, "SELECT MAX(id) FROM block_fills") + 1, block = vti.Id });
        // (block, allocation, account): an account's share of one allocation once.
        RefusedByTheDatabase(store, "block_allocations", """
            INSERT INTO block_allocations (block_id, allocation, account_id, proposal_id, quantity, price, amount, fee, transaction_id)
            SELECT block_id, allocation, account_id, proposal_id, quantity, price, amount, fee, transaction_id + 1000 FROM block_allocations WHERE block_id = @block LIMIT 1
            """, new { block = vti.Id });
        // (account, idempotency key): the ledger row of an allocation once.
        RefusedByTheDatabase(store, "transactions", """
            INSERT INTO transactions (id, account_id, kind, trade_date, security_id, quantity, price, cash, fee, idempotency_key, execution_id, proposal_id, recorded_at)
            SELECT @id, account_id, kind, trade_date, security_id, quantity, price, cash, fee, idempotency_key, execution_id, proposal_id, recorded_at FROM transactions
            WHERE execution_id LIKE 'block-%' LIMIT 1
            """, new { id = Id(store, "SELECT MAX(id) FROM transactions") + 1 });
        Assert.True(store.Verify().Ok, string.Join("\n", store.Verify().Differences));
    }
}
