using System.Data.Common;
using System.Globalization;
using Ballast.Store.Schema;
using Ballast.Store.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ballast.Store;

/// <summary>Who writes and when, and how long to wait for a locked store.</summary>
public sealed record StoreOptions
{
    /// <summary>Recorded as the actor of every write in the audit trail. Defaults to the OS user.</summary>
    public string Actor { get; init; } = Environment.UserName;

    /// <summary>Clock for recorded instants and for refusing dates in the future.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long a write waits for another writer before failing with <see cref="StoreBusyException"/>.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called during large writes with a line such as <c>transactions: 50000 rows</c>; null for silence.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Called during long operations (imports, window runs) with what is being done, how much is done and the total
    /// (bytes of a file, accounts of a window), at most every few thousand rows; null for silence. Hosts draw progress bars with it.
    /// </summary>
    public Action<string, long, long>? Steps { get; init; }

    /// <summary>
    /// Keeps SQLite connections open between calls and hands them out again (PostgreSQL connections are always pooled): for a
    /// long-running host such as the service, where opening and configuring a connection would cost more than the read it serves.
    /// A one-shot command leaves it off. A pooled store keeps the file it opened: a store file deleted or replaced underneath a
    /// running host is not noticed until <see cref="BallastStore.ReleaseConnections"/>.
    /// </summary>
    public bool PooledConnections { get; init; }
}

/// <summary>
/// A Ballast store: the ledger (append-only transactions), its projections (holdings, cash, lots),
/// prices, models, proposals and the audit trail, in SQLite or PostgreSQL with one schema.
/// Every write runs in one database transaction that also records an audit row: it happens whole or not at all.
/// Writers are serialized (SQLite's single writer; a PostgreSQL advisory lock), so ids are allocated by the store.
/// Thread-safe for independent calls; each call opens its own connection.
/// </summary>
public sealed partial class BallastStore
{
    /// <summary>True when <c>BALLAST_STORE_TRACE=1</c>: the store, the window runner and the cluster print their phases and bulk writes to standard error.</summary>
    public static bool Tracing { get; } = Environment.GetEnvironmentVariable("BALLAST_STORE_TRACE") == "1";

    /// <summary>
    /// With tracing on, <c>BALLAST_STORE_TRACE_PAUSE_MS=N</c> (1 to 10,000) holds each bulk write for N milliseconds after its trace
    /// line, inside its transaction: a moment someone watching from outside can act on, as the kill tests do with <c>kill -9</c>
    /// (a write of a few milliseconds otherwise often ends before the signal arrives). 0 when unset.
    /// </summary>
    public static int TracePauseMs { get; } = Tracing && int.TryParse(Environment.GetEnvironmentVariable("BALLAST_STORE_TRACE_PAUSE_MS"),
        System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) ? Math.Clamp(ms, 0, 10_000) : 0;

    private const long WriteLockKey = 0x42_61_6C_6C_61_73_74; // "Ballast"

    private BallastStore(StoreLocation location, StoreOptions options)
    {
        Location = location;
        Options = options;
    }

    static BallastStore()
    {
        SQLitePCL.Batteries_V2.Init();
        SqliteVersion = SQLitePCL.raw.sqlite3_libversion().utf8_to_string();
    }

    /// <summary>
    /// Version of the SQLite library this build embeds (the <c>e_sqlite3</c> library of the SQLitePCLRaw bundle that
    /// Microsoft.Data.Sqlite brings), such as <c>3.49.1</c>: what every SQLite store is read and written with.
    /// </summary>
    public static string SqliteVersion { get; }

    /// <summary>The database product and version behind this store: <c>SQLite 3.49.1</c> or <c>PostgreSQL 15.18</c>.</summary>
    public string DatabaseVersion => Provider == StoreProvider.Sqlite
        ? $"SQLite {SqliteVersion}"
        : Read(c => $"PostgreSQL {c.ServerVersion}");

    /// <summary>Where the store lives.</summary>
    public StoreLocation Location { get; }

    /// <summary>Actor, clock and busy timeout used by this instance.</summary>
    public StoreOptions Options { get; }

    /// <summary>
    /// The tenant (firm) this instance reads and writes for; null for the <c>default</c> tenant (the command line's, unless told otherwise).
    /// Every row of a firm's book belongs to one tenant, and every read and write of this instance is scoped to its tenant:
    /// another tenant's ids behave as if they did not exist.
    /// </summary>
    public long? TenantId { get; private init; }

    /// <summary>
    /// This store as seen by one tenant, writing as <paramref name="actor"/> (recorded on every audit row it writes, such as
    /// <c>key 12 (acme, trader)</c>). Cheap: it shares the location and options; each call still opens its own connection.
    /// </summary>
    public BallastStore ForTenant(long tenantId, string actor) =>
        new(Location, Options with { Actor = actor }) { TenantId = tenantId, _sqliteConnectionString = _sqliteConnectionString, _readers = _readers };

    internal StoreProvider Provider => Location.Provider;

    /// <summary>The default tenant's id once read (0 until then): every instance reads it at most once.</summary>
    private long _defaultTenant;

    /// <summary>
    /// The id of the tenant this instance reads and writes for: <see cref="TenantId"/>, or the <c>default</c> tenant's id (read from the
    /// store on first use and kept). Every query on a tenant's tables names it.
    /// </summary>
    internal long Tenant => TenantId ?? DefaultTenant();

    private long DefaultTenant()
    {
        var known = Interlocked.Read(ref _defaultTenant);
        if (known != 0) return known;
        var id = Read(c => c.ScalarLong("SELECT id FROM tenants WHERE name = @name", new { name = DefaultTenantName }))
            ?? throw new StoreVersionException($"{Location} has no '{DefaultTenantName}' tenant; run 'ballast init' to migrate it", null);
        Interlocked.Exchange(ref _defaultTenant, id);
        return id;
    }

    /// <summary>The tenant every store has (migration 14 puts every row written before tenants in it); the command line acts for it unless told otherwise.</summary>
    public const string DefaultTenantName = "default";

    /// <summary>The id of the tenant named <paramref name="name"/>, or null when the store has none by that name.</summary>
    public long? FindTenant(string name) => Read(c => c.ScalarLong("SELECT id FROM tenants WHERE name = @name", new { name }));

    /// <summary>This store as seen by the tenant named <paramref name="name"/>, writing with this instance's actor.</summary>
    /// <exception cref="Ballast.Input.InputException">No tenant has that name (field <paramref name="field"/>).</exception>
    public BallastStore ForTenant(string name, string field = "--tenant") =>
        FindTenant(name) is { } id
            ? ForTenant(id, Options.Actor)
            : throw new Ballast.Input.InputException(new Ballast.Input.InputProblem(
                $"no tenant named '{name}'; 'ballast keys list' shows the tenants, 'ballast keys create --tenant {name} --role ROLE' creates one", Field: field));

    /// <summary>
    /// Opens an existing store and checks its schema version.
    /// </summary>
    /// <exception cref="StoreVersionException">The store is missing, not initialized, older than this build (run <c>ballast init</c>) or newer (refused).</exception>
    public static BallastStore Open(StoreLocation location, StoreOptions? options = null)
    {
        var store = new BallastStore(location, options ?? new StoreOptions());
        if (location.Provider == StoreProvider.Sqlite && !File.Exists(location.SqlitePath))
            throw new StoreVersionException($"no store at {location}; run 'ballast init' to create it", null);
        var version = store.Guard(() =>
        {
            using var c = store.Connect();
            return ReadVersion(c, location.Provider);
        });
        CheckVersion(location, version);
        if (store.Options.PooledConnections && location.Provider == StoreProvider.Sqlite) store._readers = store.NewReaderPool();
        return store;
    }

    /// <summary>
    /// Creates the store when missing and applies every pending migration, each in its own transaction.
    /// Returns the opened store. A store written by a newer version is refused.
    /// </summary>
    public static BallastStore Initialize(StoreLocation location, StoreOptions? options = null) => Initialize(location, options, Migrations.Current);

    /// <summary>Creates the store and applies the migrations up to version <paramref name="upTo"/> (tests build older stores with it).</summary>
    internal static BallastStore Initialize(StoreLocation location, StoreOptions? options, int upTo)
    {
        var store = new BallastStore(location, options ?? new StoreOptions());
        store.Guard(() =>
        {
            using var c = store.Connect();
            if (location.Provider == StoreProvider.Sqlite) c.Execute("PRAGMA journal_mode=WAL");
            c.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
            var current = ReadVersion(c, location.Provider) ?? 0;
            if (current > Migrations.Current) CheckVersion(location, current);
            foreach (var m in Migrations.All.Where(m => m.Version > current && m.Version <= upTo))
            {
                // SQLite's table rebuild needs foreign keys off, which only takes effect outside a transaction; they are checked before commit.
                var rebuild = m.RebuildsTables && location.Provider == StoreProvider.Sqlite;
                if (rebuild) c.Execute("PRAGMA foreign_keys = OFF");
                try
                {
                    using var tx = c.BeginTransaction();
                    if (location.Provider == StoreProvider.Postgres) c.Execute("SELECT pg_advisory_xact_lock(@k)", new { k = WriteLockKey }, tx);
                    // Another process may have migrated while this one waited for the lock.
                    if ((c.ScalarLong("SELECT MAX(version) FROM schema_version", tx) ?? 0) >= m.Version) { tx.Commit(); continue; }
                    foreach (var sql in Migrations.Statements(m, location.Provider, store.NowText(), store.Options.Actor)) c.Execute(sql, tx);
                    m.Code?.Invoke(c, tx, location.Provider);
                    if (rebuild)
                    {
                        var dangling = c.Query("PRAGMA foreign_key_check", r => $"{r.GetString(0)} row {r.GetValue(1)} refers to a missing {r.GetString(2)} row", tx);
                        if (dangling.Count > 0)
                            throw new StoreVersionException($"{location}: migration {m.Version} stopped, nothing was changed: {string.Join("; ", dangling.Take(5))}", current);
                    }
                    c.Execute("INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @a)",
                        new { v = m.Version, d = m.Description, a = store.NowText() }, tx);
                    Integrity.HashChain.AppendAudit(c, tx, store.NowText(), store.Options.Actor, "migrate", $"schema version {m.Version}: {m.Description}", null);
                    tx.Commit();
                }
                finally
                {
                    if (rebuild) c.Execute("PRAGMA foreign_keys = ON");
                }
            }
            // A SQLite store filled before its writes kept statistics (WriteScope.AnalyzeIfBulk) gets them here, sampled: milliseconds.
            // A new or small store gets none: statistics of empty tables would mislead the planner once they fill.
            if (location.Provider == StoreProvider.Sqlite && c.ScalarLong("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 0
                && c.ScalarLong("SELECT COUNT(*) FROM (SELECT 1 FROM transactions LIMIT 20000)") >= 20_000)
                c.Execute(WriteScope.SqliteAnalyze);
            return 0;
        });
        if (store.Options.PooledConnections && location.Provider == StoreProvider.Sqlite) store._readers = store.NewReaderPool();
        return store;
    }

    /// <summary>The schema version recorded in the store.</summary>
    public int SchemaVersion => Read(c => ReadVersion(c, Provider) ?? 0);

    private static int? ReadVersion(DbConnection c, StoreProvider provider)
    {
        var exists = provider == StoreProvider.Sqlite
            ? c.ScalarLong("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") > 0
            : c.ScalarLong("SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END") == 1;
        return exists ? (int?)c.ScalarLong("SELECT MAX(version) FROM schema_version") : null;
    }

    private static void CheckVersion(StoreLocation location, int? version)
    {
        if (version is null || version == 0)
            throw new StoreVersionException($"{location} is not an initialized Ballast store; run 'ballast init'", version);
        if (version > Migrations.Current)
            throw new StoreVersionException(
                $"{location} has schema version {version}, written by a newer Ballast; this version reads up to {Migrations.Current}. Upgrade Ballast to use this store.", version);
        if (version < Migrations.Current)
            throw new StoreVersionException(
                $"{location} has schema version {version}; this Ballast needs {Migrations.Current}. Run 'ballast init' to migrate it.", version);
    }

    internal DbConnection Connect()
    {
        if (Provider == StoreProvider.Sqlite)
        {
            var c = new SqliteConnection(_sqliteConnectionString ??= new SqliteConnectionStringBuilder(Location.ConnectionString)
            {
                DefaultTimeout = Math.Max(1, (int)Math.Ceiling(Options.BusyTimeout.TotalSeconds)),
                Pooling = Options.PooledConnections,
            }.ConnectionString);
            c.Open();
            // A pooled connection keeps its settings: they are made once, when the pool first opens it.
            if (!Options.PooledConnections || !Configured.TryGetValue(c.Handle!, out _))
            {
                c.Execute($"PRAGMA busy_timeout = {(long)Options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY");
                if (Options.PooledConnections) Configured.AddOrUpdate(c.Handle!, Configured);
            }
            return c;
        }
        var pg = new NpgsqlConnection(Location.ConnectionString);
        pg.Open();
        return pg;
    }

    private string? _sqliteConnectionString;

    /// <summary>The SQLite connections (their native handles) that have had the store's settings made; pooled connections only.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];

    /// <summary>
    /// Closes the connections this store keeps (<see cref="StoreOptions.PooledConnections"/>) and stops keeping them: later reads open
    /// and close their own, so a store file replaced underneath is seen. Also empties the SQLite driver's pools of the process.
    /// </summary>
    public void ReleaseConnections()
    {
        _readers?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    internal string NowText() => FormatInstant(Options.Time.GetUtcNow());

    /// <summary>An instant as the store keeps it and every document writes it: UTC to the millisecond, <c>2026-03-02T15:00:00.000Z</c>.</summary>
    public static string FormatInstant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Today in UTC by the injected clock: later dates are refused as being in the future.</summary>
    internal DateOnly Today => DateOnly.FromDateTime(Options.Time.GetUtcNow().UtcDateTime);

    internal T Read<T>(Func<DbConnection, T> work) => Guard(() =>
    {
        if (_readers is { } pool) return pool.Run(work);
        using var c = Connect();
        return work(c);
    });

    /// <summary>Connections kept open for reads (<see cref="StoreOptions.PooledConnections"/>, SQLite), shared by the store's tenant views.</summary>
    private Data.ReaderPool? _readers;

    /// <summary>A kept reader's page cache: the file's pages are in the system's cache already; a few connections per core must not each hold 64 MiB.</summary>
    private const int ReaderCacheKiB = 8 * 1024;

    private Data.ReaderPool NewReaderPool() => new(() =>
    {
        var c = Connect();
        c.Execute($"PRAGMA cache_size = -{ReaderCacheKiB}");
        return c;
    }, capacity: 4 * Environment.ProcessorCount);

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction, records an audit row with its summary and
    /// commits. Any exception rolls everything back.
    /// </summary>
    internal T Write<T>(string action, Func<WriteScope, (T Result, string Summary)> work) => Guard(() =>
    {
        _ = Tenant; // resolved before the write's transaction opens
        using var c = Connect();
        using var tx = c.BeginTransaction(); // SQLite: BEGIN IMMEDIATE, so the write lock is taken up front
        if (Provider == StoreProvider.Postgres)
        {
            c.Execute($"SET LOCAL lock_timeout = {(long)Options.BusyTimeout.TotalMilliseconds}", tx);
            c.Execute("SELECT pg_advisory_xact_lock(@k)", new { k = WriteLockKey }, tx);
        }
        var scope = new WriteScope(this, c, tx);
        T result;
        string summary;
        try
        {
            (result, summary) = work(scope);
            scope.Flush();
            scope.AnalyzeIfBulk();
        }
        catch (Exception)
        {
            scope.Quiesce(); // rows written behind (WriteScope.HoldWrites) stop before the transaction rolls back
            throw;
        }
        Integrity.HashChain.AppendAudit(c, tx, scope.Now, Options.Actor, action, summary, scope.StoreWide ? null : scope.Tenant);
        tx.Commit();
        return result;
    });

    /// <summary>
    /// Translates lock and transient failures (a locked file, a serialization failure, an unreachable or restarting server)
    /// into <see cref="StoreBusyException"/>, and failures that need fixing first (credentials, a missing database, a file that
    /// is not a database or is read-only) into <see cref="StoreUnavailableException"/>: each one line, never a driver trace.
    /// </summary>
    internal T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new StoreBusyException(
                $"the store {Location} is locked by another process (waited {Options.BusyTimeout.TotalSeconds:0.#} s); nothing was written, try again", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26) // SQLITE_NOTADB
        {
            throw new StoreUnavailableException($"{Location} is not a Ballast store: the file is not an SQLite database; check --db", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 8) // SQLITE_READONLY
        {
            throw new StoreUnavailableException($"the store {Location} is read-only (file or folder permissions, or a read-only mount); nothing was written", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 3 or 10 or 13 or 14 or 23) // PERM, IOERR, FULL, CANTOPEN, AUTH
        {
            throw new StoreUnavailableException($"cannot open or write the store {Location}: {e.Message.Replace("SQLite Error ", "error ", StringComparison.Ordinal)}; nothing was written", e);
        }
        catch (PostgresException e) when (e.SqlState is "40001" or "40P01" or "55P03" or "57014" or "53300" or "57P01" or "57P02" or "57P03")
        {
            throw new StoreBusyException($"the store {Location} is busy ({e.MessageText}); nothing was written, try again", e);
        }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000")
        {
            throw new StoreUnavailableException($"cannot log in to {Location}: {e.MessageText}; check the user and password in --db or {StoreLocation.EnvironmentVariable}", e);
        }
        catch (PostgresException e) when (e.SqlState is "3D000")
        {
            throw new StoreUnavailableException($"{Location}: {e.MessageText}; create the database, then run 'ballast init'", e);
        }
        catch (PostgresException e) when (e.SqlState is "42501" or "25006")
        {
            throw new StoreUnavailableException($"the store {Location} refused the write: {e.MessageText}; nothing was written", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException && e.IsTransient)
        {
            throw new StoreBusyException($"lost or could not open the connection to {Location} ({e.Message}); nothing was written, try again", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new StoreUnavailableException($"cannot connect to {Location}: {e.Message}", e);
        }
    }
}
