using Ballast.Input;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Creates a fresh store per test on one provider. The suite in <see cref="StoreSuite"/> derives from this
/// through <see cref="SqliteStoreTests"/> and <see cref="PostgresStoreTests"/>, so every test runs on both.
/// </summary>
public abstract class StoreTestBase : IDisposable
{
    protected static readonly DateOnly Today = DateOnly.FromDateTime(FixedClock.Default.UtcDateTime);

    protected StoreTestBase()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ballast-store-test-").FullName;
    }

    /// <summary>Scratch directory for CSV files (and the SQLite file), deleted after the test.</summary>
    protected string Directory { get; }

    /// <summary>A new, empty database for this test.</summary>
    protected abstract StoreLocation Location { get; }

    protected static StoreOptions Options(string actor = "tester") => new() { Actor = actor, Time = new FixedClock(), BusyTimeout = TimeSpan.FromSeconds(10) };

    protected BallastStore NewStore(string actor = "tester")
    {
        var store = BallastStore.Initialize(Location, Options(actor) with { PooledConnections = Pooled });
        _stores.Add(store);
        return store;
    }

    /// <summary>True when <see cref="NewStore"/> keeps connections open between calls (<see cref="StoreOptions.PooledConnections"/>), as the service does.</summary>
    protected virtual bool Pooled => false;

    private readonly List<BallastStore> _stores = [];

    protected string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    protected static long Count(BallastStore store, string table) => store.Read(c => c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}"));

    /// <summary>Row counts of every table plus the verify result: equal before and after means nothing was written.</summary>
    protected static string Fingerprint(BallastStore store)
    {
        string[] tables = ["households", "securities", "models", "model_versions", "model_targets", "accounts", "imports", "proposals", "proposal_orders",
            "transactions", "lots", "holdings", "balances", "prices", "fx_rates", "audit", "proposal_events", "blocks", "block_orders", "block_fills", "block_allocations", "block_events", "restrictions",
            "events", "webhooks", "webhook_deliveries"];
        tables = [.. tables, "firm_settings", "proposal_rejections", "cash_needs"];
        tables = [.. tables, "tenants", "api_keys", "idempotency_keys"];
        var counts = string.Join(",", tables.Select(t => $"{t}={Count(store, t)}"));
        var cash = store.Read(c => c.ExecuteScalar<long?>("SELECT SUM(cash) FROM balances"));
        var held = store.Read(c => c.ExecuteScalar<long?>("SELECT SUM(quantity) FROM holdings"));
        return $"{counts};cash={cash};held={held}";
    }

    /// <summary>Asserts <paramref name="act"/> throws an <see cref="InputException"/> with a problem naming file, line and field, and writes nothing.</summary>
    protected static InputProblem AssertRefused(BallastStore store, Action act, string file, int? line, string field, string messagePart)
    {
        var before = Fingerprint(store);
        var e = Assert.Throws<InputException>(act);
        var p = Assert.Single(e.Problems, p => p.Field == field);
        Assert.Equal(file, p.File);
        Assert.Equal(line, p.Line);
        Assert.Contains(messagePart, p.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Fingerprint(store));
        return p;
    }

    public virtual void Dispose()
    {
        foreach (var store in _stores) store.ReleaseConnections();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The store suite on a temporary SQLite file.</summary>
public sealed class SqliteStoreTests : StoreSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

/// <summary>
/// The store suite on a temporary SQLite file read through kept connections and compiled commands (<see cref="StoreOptions.PooledConnections"/>,
/// as the service reads): every read must see every write before it, and a failed read must leave nothing behind.
/// </summary>
public sealed class PooledSqliteStoreTests : StoreSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
    protected override bool Pooled => true;
}

/// <summary>
/// The store suite on a real PostgreSQL server: <c>BALLAST_TEST_PG</c> names it (run <c>.ci/postgres.sh</c>);
/// each test creates its own database and drops it afterwards.
/// </summary>
public sealed class PostgresStoreTests : StoreSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override void Dispose()
    {
        _database.Dispose();
        base.Dispose();
    }
}

