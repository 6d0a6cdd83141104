using System.Globalization;
using System.Text;
using Ballast.Store.Data;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Write-behind (<see cref="WriteScope.HoldWrites"/>): a streaming import writes one batch's rows on another thread while it computes
/// the next, in the same transaction. What it must keep: the rows land in order and whole, a query waits for the rows being written,
/// a held row is written before any statement that is not a query, and a row the database refuses rolls back the whole write.
/// </summary>
public abstract partial class StoreSuite
{
    private static readonly string[] SecurityColumns = ["id", "ticker", "name", "created_at"];

    [Fact]
    public void WriteBehind_HeldRows_AreWrittenInOrder_AndAQueryWaitsForTheRowsBeingWritten()
    {
        var store = NewStore();
        var seen = store.Write("write-behind", scope =>
        {
            scope.HoldWrites();
            var first = scope.NextId("securities");
            scope.Insert("securities", SecurityColumns, [[first, "AAA", null, scope.Now]]);
            // Held, not started: a query does not see it (the caller holds only rows its queries do not need).
            var whileHeld = scope.ScalarLong("SELECT COUNT(*) FROM securities WHERE ticker = @t", new { t = "AAA" });
            scope.StartHeldWrites();
            scope.Insert("securities", SecurityColumns, [[first + 1, "BBB", null, scope.Now], [first + 2, "CCC", null, scope.Now]]);
            // Being written: the query waits for it (and still leaves the next held rows alone).
            var afterStart = scope.ScalarLong("SELECT COUNT(*) FROM securities WHERE ticker IN ('AAA', 'BBB')", new { });
            // A statement that is not a query writes the held rows first.
            scope.Execute("UPDATE securities SET name = 'seen' WHERE ticker = 'BBB'");
            return ((whileHeld, afterStart), "three securities");
        });
        Assert.Equal((0L, 1L), seen);
        Assert.Equal(["AAA", "BBB", "CCC"], store.Read(c => c.Query<string>("SELECT ticker FROM securities WHERE ticker IN ('AAA', 'BBB', 'CCC') ORDER BY id")).ToList());
        Assert.Equal("seen", store.Read(c => c.ExecuteScalar<string>("SELECT name FROM securities WHERE ticker = 'BBB'")));
    }

    [Fact]
    public void WriteBehind_ARowTheDatabaseRefuses_RollsBackTheWholeWrite_AndIsTheErrorReported()
    {
        var store = NewStore();
        var before = Fingerprint(store);
        var error = Assert.ThrowsAny<Exception>(() => store.Write("write-behind", scope =>
        {
            scope.HoldWrites();
            var id = scope.NextId("securities");
            scope.Insert("securities", SecurityColumns, [[id, "AAA", null, scope.Now]]);
            scope.Insert("securities", SecurityColumns, [[id, "DUP", null, scope.Now]]); // the same id: refused by the primary key
            scope.StartHeldWrites();
            // The next use of the connection meets the refusal.
            scope.ScalarLong("SELECT COUNT(*) FROM securities", new { });
            return (0, "never");
        }));
        Assert.IsAssignableFrom<System.Data.Common.DbException>(error);
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void WriteBehind_AFailureWhileRowsAreBeingWritten_WaitsForThem_ThenRollsBack()
    {
        var store = NewStore();
        var before = Fingerprint(store);
        var rows = Enumerable.Range(0, 20_000).Select(i => new object?[] { 0L, $"T{i:D5}", null, "2025-01-01T00:00:00.000Z" }).ToList();
        Assert.Throws<ArithmeticException>(() => store.Write<int>("write-behind", scope =>
        {
            scope.HoldWrites();
            var first = scope.NextId("securities");
            for (var i = 0; i < rows.Count; i++) rows[i][0] = first + i;
            scope.Insert("securities", SecurityColumns, rows);
            scope.StartHeldWrites();
            throw new ArithmeticException("the batch's own failure"); // while the rows are still being written
        }));
        Assert.Equal(before, Fingerprint(store));
        // The store is usable at once: the connection was not left in use.
        store.AddSecurity("AFTER");
        Assert.Equal(1, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM securities WHERE ticker = 'AFTER'")));
    }

    [Fact]
    public void BulkRows_KeepTheirTextExactly_WhateverItsScript()
    {
        var store = NewStore();
        string[] names = ["KODEX 200 삼성전자", "Société Générale — €", "emoji 📈 and tab\tinside", "", new string('x', 5000)];
        store.Write("bulk text", scope =>
        {
            var id = scope.NextId("securities");
            scope.Insert("securities", SecurityColumns, [.. names.Select((n, i) => new object?[] { id + i, $"TXT{i}", n, scope.Now })]);
            return (0, "text");
        });
        Assert.Equal(names, store.Read(c => c.Query<string>("SELECT name FROM securities WHERE ticker LIKE 'TXT%' ORDER BY id")).ToList());
    }

    [Fact]
    public void BulkRows_SeveralToAnInsert_KeepEachRowsOwnValues_RepeatedNullOrChanged()
    {
        // 1,037 rows: SQLite writes them 64 to an INSERT (a reset keeps the bindings, and a value equal to the one bound before is
        // not bound again), the last 13 one at a time. Names repeat, turn NULL and back, and change; times change every 100 rows.
        var store = NewStore();
        static string? NameOf(int i) => i % 3 == 0 ? null : i % 5 == 0 ? "same" : i % 7 == 0 ? "" : $"name {i}";
        static string AtOf(int i) => $"2025-01-01T00:{i / 100:D2}:00.000Z";
        const int count = 1037;
        store.Write("bulk values", scope =>
        {
            var id = scope.NextId("securities");
            scope.Insert("securities", SecurityColumns, [.. Enumerable.Range(0, count).Select(i => new object?[] { id + i, $"BV{i:D4}", NameOf(i), AtOf(i) })]);
            return (0, "values");
        });
        var stored = store.Read(c => c.Query<(string Ticker, string? Name, string At)>("SELECT ticker, name, created_at FROM securities WHERE ticker LIKE 'BV%' ORDER BY id")).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => ($"BV{i:D4}", NameOf(i), AtOf(i))), stored);
    }

    [Fact]
    public void BulkWrite_OfAnAppendOnlyTable_LeavesItsReplaceGuard_WhetherItCommitsOrRollsBack()
    {
        // SQLite lifts TABLE_no_replace inside a write of 20,000 rows or more and puts it back before the commit.
        var store = NewStore();
        string[] columns = ["id", "kind", "file", "sha256", "rows_read", "at", "actor", "tenant_id"];
        List<object?[]> Rows(long first) => [.. Enumerable.Range(0, 20_500).Select(i => new object?[] { first + i, "positions", $"f{i}.csv", "00", 1L, "2025-01-01T00:00:00.000Z", "test", 1L })];
        var before = Fingerprint(store);
        Assert.Throws<ArithmeticException>(() => store.Write<int>("bulk imports", scope =>
        {
            scope.Insert("imports", columns, Rows(scope.NextId("imports")));
            throw new ArithmeticException("after the rows");
        }));
        Assert.Equal(before, Fingerprint(store));
        store.Write("bulk imports", scope =>
        {
            scope.Insert("imports", columns, Rows(scope.NextId("imports")));
            return (0, "imports");
        });
        Assert.Equal(20_500, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM imports WHERE actor = 'test'")));
        if (Location.Provider == StoreProvider.Postgres) return; // no replace guard: PostgreSQL has no REPLACE
        Assert.Equal(1, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'imports_no_replace'")));
        var refused = Assert.ThrowsAny<System.Data.Common.DbException>(() => store.Read(c => c.Execute("INSERT OR REPLACE INTO imports SELECT * FROM imports WHERE actor = 'test' LIMIT 1")));
        Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInList_OfIntegers_OfAnyLength_FindsExactlyItsRows()
    {
        var store = NewStore();
        store.Write("securities", scope =>
        {
            var id = scope.NextId("securities");
            scope.Insert("securities", SecurityColumns, [.. Enumerable.Range(0, 1200).Select(i => new object?[] { id + i, $"IN{i:D4}", null, scope.Now })]);
            return (0, "securities");
        });
        var ids = store.Read(c => c.Query<long>("SELECT id FROM securities WHERE ticker LIKE 'IN%' ORDER BY id")).ToList();
        List<long> Found(IEnumerable<long> wanted) => store.Write("read", scope =>
            (scope.Query("SELECT id FROM securities WHERE id IN @wanted ORDER BY id", new { wanted = wanted.ToList() }, r => r.GetInt64(0)), "read"));
        Assert.Equal(ids, Found(ids.Concat([-1L, long.MaxValue, long.MinValue])));
        Assert.Equal(ids.Where((_, i) => i % 2 == 0), Found(ids.Where((_, i) => i % 2 == 0)));
        Assert.Equal(ids.Take(300), Found(ids.Take(300).Concat([-1L, 0L, long.MinValue]))); // up to 500: written as literals
        Assert.Equal([ids[7]], Found([ids[7]]));
        Assert.Empty(Found([]));
    }

    [Fact]
    public void StreamingPositionsImport_WritesEveryBatch_InOneTransaction_AndVerifiesClean()
    {
        var store = NewStore();
        string[] tickers = ["VTI", "BND", "GLD"];
        var asOf = Today.AddDays(-1);
        foreach (var t in tickers)
        {
            store.AddSecurity(t);
            store.SetPrice(t, asOf, 50m);
        }
        var accounts = new StringBuilder("account,type,currency\n");
        var positions = new StringBuilder("account,ticker,quantity,cost_basis\n");
        const int count = 4500; // three batches of the streaming import, the last one partial
        for (var a = 0; a < count; a++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"w-{a:D5},taxable,USD\n");
            foreach (var t in tickers) positions.Append(CultureInfo.InvariantCulture, $"w-{a:D5},{t},{1 + a % 5},{(1 + a % 5) * 40}\n");
        }
        store.ImportAccounts(WriteFile("accounts.csv", accounts.ToString()));
        var result = store.ImportPositions(WriteFile("positions.csv", positions.ToString()), asOf: asOf);

        Assert.Equal(count * tickers.Length, result.Added);
        Assert.Equal(count * tickers.Length, Count(store, "transactions"));
        Assert.Equal(count * tickers.Length, Count(store, "lots"));
        Assert.Equal(count * tickers.Length, Count(store, "holdings"));
        Assert.Equal(count * tickers.Length, Count(store, "position_snapshots"));
        // The last batch's last account: 4499 % 5 = 4, so 5 shares of each.
        var last = Assert.Single(store.ReadAccounts(new SnapshotQuery(asOf, Account: "w-04499")));
        Assert.Equal([5m, 5m, 5m], last.Holdings.Select(h => h.Quantity));
        Assert.Empty(store.Verify().Differences);
    }
}
