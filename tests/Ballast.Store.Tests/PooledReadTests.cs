using Ballast.Store.Data;
using Microsoft.Data.Sqlite;

namespace Ballast.Store.Tests;

/// <summary>
/// The kept connections and compiled commands of a pooled SQLite store (<see cref="StoreOptions.PooledConnections"/>): they read
/// what other writers commit, a read nested in another with the same SQL gets a command of its own, a failed read closes its
/// connection, and the store keeps no more idle connections than its capacity. (The whole store suite also runs pooled:
/// <see cref="PooledSqliteStoreTests"/>.)
/// </summary>
public sealed class PooledReadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-pooled-").FullName;

    private StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(_directory, "ballast.db")}");

    private static StoreOptions Options(bool pooled) => new() { Actor = "tester", Time = new FixedClock(), PooledConnections = pooled };

    private const string Tenants = "SELECT name FROM tenants ORDER BY id";

    [Fact]
    public void PooledReads_SeeWhatAnotherStoreCommits()
    {
        BallastStore.Initialize(Location, Options(pooled: false));
        var pooled = BallastStore.Open(Location, Options(pooled: true));
        var other = BallastStore.Open(Location, Options(pooled: false));
        Assert.Equal(["default"], pooled.Read(c => c.Query(Tenants, r => r.GetString(0))));

        other.CreateApiKey("acme", "viewer");
        other.CreateApiKey("globex", "viewer");

        Assert.Equal(["default", "acme", "globex"], pooled.Read(c => c.Query(Tenants, r => r.GetString(0))));
        pooled.ReleaseConnections();
    }

    [Fact]
    public void ReadNestedInAReadOfTheSameSql_GetsItsOwnCommand()
    {
        var store = BallastStore.Initialize(Location, Options(pooled: true));
        store.CreateApiKey("acme", "viewer");

        var pairs = store.Read(c => c.Query(Tenants, r => (Outer: r.GetString(0), Inner: c.Query(Tenants, q => q.GetString(0)).Count)));

        Assert.Equal([("default", 2), ("acme", 2)], pairs);
        Assert.Equal(["default", "acme"], store.Read(c => c.Query(Tenants, r => r.GetString(0))));
        store.ReleaseConnections();
    }

    [Fact]
    public void FailedRead_ClosesItsConnection_AndTheNextReadWorks()
    {
        var store = BallastStore.Initialize(Location, Options(pooled: true));
        SqliteConnection? failed = null;

        Assert.Throws<SqliteException>(() => store.Read<int>(c =>
        {
            failed = (SqliteConnection)c;
            c.Query("SELECT no_such_column FROM tenants", r => r.GetString(0));
            return 0;
        }));

        Assert.Equal(System.Data.ConnectionState.Closed, failed!.State);
        Assert.Equal(["default"], store.Read(c => c.Query(Tenants, r => r.GetString(0))));
        Assert.NotSame(failed, store.Read(c => c));
        store.ReleaseConnections();
    }

    [Fact]
    public void Pool_KeepsAtMostItsCapacityIdle_AndReusesThem()
    {
        var opened = 0;
        var pool = new ReaderPool(() => { opened++; var c = new SqliteConnection($"Data Source={Path.Combine(_directory, "pool.db")};Pooling=False"); c.Open(); return c; }, capacity: 2);
        var held = new List<System.Data.Common.DbConnection>();

        // Five reads at once (each nested in the one before), then one after they are all given back.
        void Nest(int depth) => pool.Run(c => { held.Add(c); if (depth > 1) Nest(depth - 1); return 0; });
        Nest(5);
        Assert.Equal(5, opened);
        Assert.Equal(3, held.Count(c => c.State == System.Data.ConnectionState.Closed)); // given back beyond the capacity: closed

        var again = pool.Run(c => c);
        Assert.Equal(5, opened);
        Assert.Contains(again, held);
        pool.Dispose();
        Assert.All(held, c => Assert.Equal(System.Data.ConnectionState.Closed, c.State));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
