using System.Globalization;
using Ballast.Store;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ballast.Store.Tests;

/// <summary>
/// A SQLite write that adds 20,000 rows or more leaves the store analyzed (sampled statistics), and <c>ballast init</c> analyzes a
/// store that has none. Without statistics SQLite read a window batch's 2,000 accounts (<c>tenant_id = @tenant AND id IN (...)</c>)
/// by scanning the tenant's every account through its tenant index: at a million accounts, 150 ms a batch instead of 2.
/// </summary>
public sealed class SqliteStatisticsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-sqlite-stats-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>The shape of a window batch's reads of its accounts (restrictions, the record's checks).</summary>
    private const string BatchRead = "SELECT a.id, a.name FROM accounts a WHERE a.tenant_id = 1 AND a.id IN (SELECT value FROM json_each('[5,6,7]'))";

    private StoreLocation Location => StoreLocation.Resolve(Path.Combine(_directory, "store.db"), _ => null, _directory);

    private string Plan(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_directory, "store.db")}");
        c.Open();
        return string.Join("\n", c.Query<(long, long, long, string)>("EXPLAIN QUERY PLAN " + sql).Select(r => r.Item4));
    }

    private long Scalar(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_directory, "store.db")}");
        c.Open();
        return c.ExecuteScalar<long>(sql);
    }

    private BallastStore ImportAccounts(int count)
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        var (accounts, positions) = LargeBook.Write(store, _directory, count, cash: false, households: true);
        store.ImportAccounts(accounts);
        store.ImportPositions(positions, asOf: LargeBook.AsOf);
        return store;
    }

    [Fact]
    public void ALargeImport_LeavesTheStoreAnalyzed_AndABatchOfAccountsIsReadByPrimaryKey()
    {
        var store = ImportAccounts(2000); // 20,000 ledger rows: the import analyzes before it commits
        Assert.True(Scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'transactions'") > 0);
        Assert.Equal("2000", Scalar("SELECT COUNT(*) FROM accounts").ToString(CultureInfo.InvariantCulture));
        var plan = Plan(BatchRead);
        Assert.Contains("INTEGER PRIMARY KEY", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant", plan, StringComparison.Ordinal);
        Assert.Empty(store.Verify().Differences);
    }

    [Fact]
    public void WithoutStatistics_TheBatchReadScansTheTenant_AndInitAnalyzesTheStore()
    {
        ImportAccounts(2000);
        using (var c = new SqliteConnection($"Data Source={Path.Combine(_directory, "store.db")};Pooling=False"))
        {
            c.Open();
            c.Execute("DROP TABLE sqlite_stat1"); // a store filled before its writes kept statistics
        }
        Assert.DoesNotContain("PRIMARY KEY", Plan(BatchRead), StringComparison.Ordinal); // what the statistics are for: a scan of the tenant

        BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        Assert.True(Scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'accounts'") > 0);
        Assert.Contains("INTEGER PRIMARY KEY", Plan(BatchRead), StringComparison.Ordinal);
    }

    [Fact]
    public void AWindowReadsABatchsCashMovements_FromTheirIndex_NotFromTheLedger()
    {
        ImportAccounts(100);
        var plan = Plan(BallastStore.CashMovementsSql("account_id BETWEEN 1 AND 100")
            .Replace("@cutOff", "'2025-10-01T13:30:00.000Z'", StringComparison.Ordinal).Replace("@since", "'2025-09-01'", StringComparison.Ordinal));
        Assert.Contains("COVERING INDEX transactions_cash_movements", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void ASmallWrite_DoesNotAnalyze()
    {
        ImportAccounts(100); // 1,000 ledger rows; and init on a new store analyzes nothing either
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"));
    }
}
