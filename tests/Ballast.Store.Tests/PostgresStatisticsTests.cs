using System.Text;
using Ballast.Store;

namespace Ballast.Store.Tests;

/// <summary>
/// A long PostgreSQL write keeps the planner's statistics of the tables it fills: without them a positions import of a million
/// accounts read each batch's accounts by scanning the whole ledger, so each batch cost more than the last (it did not finish in
/// an hour). The import analyzes a table once it has added 20,000 rows to it, and again each time it has doubled them.
/// </summary>
public sealed class PostgresStatisticsTests : IDisposable
{
    private readonly PostgresDatabase _database = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-pg-stats-").FullName;

    public void Dispose()
    {
        _database.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void ALargeImport_LeavesTheTablesItFilled_Analyzed()
    {
        var store = BallastStore.Initialize(_database.Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        // 2,000 accounts of 10 holdings and cash each: 22,000 ledger rows, 20,000 lots and holdings.
        var (accounts, positions) = LargeBook.Write(store, _directory, 2000);
        Assert.Equal(-1, _database.Scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'transactions'")); // never analyzed: a new store

        store.ImportAccounts(accounts);
        store.ImportPositions(positions, asOf: LargeBook.AsOf);

        // Read at once, before the server's own background analyze could have run: the import's statistics, counting its rows.
        Assert.Equal(22_000, _database.Scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'transactions'"));
        Assert.Equal(20_000, _database.Scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'lots'"));
        Assert.Equal(20_000, _database.Scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'holdings'"));
        // One batch's accounts are then read through the index, not by scanning the ledger.
        using var c = new Npgsql.NpgsqlConnection(_database.Location.ConnectionString);
        c.Open();
        using var explain = new Npgsql.NpgsqlCommand(
            "EXPLAIN SELECT account_id, security_id, SUM(quantity) FROM transactions WHERE account_id = ANY(@ids) GROUP BY account_id, security_id", c);
        explain.Parameters.AddWithValue("ids", Enumerable.Range(1, 50).Select(i => (long)i).ToArray());
        var plan = new StringBuilder();
        using (var r = explain.ExecuteReader())
            while (r.Read()) plan.AppendLine(r.GetString(0));
        Assert.DoesNotContain("Seq Scan", plan.ToString(), StringComparison.Ordinal);
        Assert.Empty(store.Verify().Differences);
    }
}
