using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Ballast.Store.Ledger;
using Ballast.Store.Data;
using Npgsql;
using NpgsqlTypes;

namespace Ballast.Store;

/// <summary>One open write transaction: connection, id allocation, bulk row writers and the ledger session.</summary>
internal sealed partial class WriteScope
{
    private const int ProgressEvery = 20_000;

    /// <summary>Columns of type TEXT; every other column the bulk writers touch is a 64-bit integer.</summary>
    private static readonly HashSet<string> TextColumns = new(StringComparer.Ordinal)
    {
        "kind", "trade_date", "lots", "idempotency_key", "execution_id", "memo", "recorded_at", "open_date", "last_rebalance", "date",
        "name", "type", "currency", "policy", "created_at", "side", "ticker", "at", "actor", "action", "summary", "pair", "row_hash", "ledger_head", "lot_method", "tax_settings",
        "decision", "outcome", "reason", "reason_kind", "subject", "data", "scope", "engine_version", "inputs", "plan", "status", "note",
    };
    private readonly Dictionary<string, long> _nextIds = new(StringComparer.Ordinal);
    /// <summary>Rows written per table in this transaction, for progress lines every <see cref="ProgressEvery"/> rows.</summary>
    private readonly Dictionary<string, long> _written = new(StringComparer.Ordinal);

    /// <summary>Counts rows written to <paramref name="table"/>; reports a progress line each time the count passes a multiple of <see cref="ProgressEvery"/>.</summary>
    private void Written(string table, int rows)
    {
        var before = _written.GetValueOrDefault(table);
        var after = before + rows;
        _written[table] = after;
        if (after / ProgressEvery > before / ProgressEvery) Store.Options.Progress?.Invoke($"{table}: {after} rows");
    }
    private LedgerSession? _ledger;

    public WriteScope(BallastStore store, DbConnection connection, DbTransaction transaction)
    {
        Store = store;
        _connection = connection;
        Transaction = transaction;
        Now = store.NowText();
    }

    public BallastStore Store { get; }
    private readonly DbConnection _connection;

    /// <summary>
    /// The connection, with every row written first (appended by <see cref="Append"/>, held by <see cref="HoldWrites"/>, or being
    /// written behind): whatever runs on it sees them.
    /// </summary>
    public DbConnection Connection
    {
        get
        {
            if (t_writingBehind == this) return _connection;
            WriteHeld();
            FlushAppended();
            return _connection;
        }
    }

    /// <summary>Writes the rows held (<see cref="HoldWrites"/>) and waits for those written behind; rows appended stay appended.</summary>
    private void WriteHeld()
    {
        if (t_writingBehind == this) return;
        StartHeldWrites();
        AwaitWrites();
    }

    /// <summary>
    /// The connection for a query (<see cref="Query{T}(string, Func{DbDataReader, T})"/>, <see cref="ScalarLong"/>): the rows being
    /// written behind are written first, but rows held by <see cref="HoldWrites"/> and not yet started stay held.
    /// </summary>
    private DbConnection ReadConnection
    {
        get
        {
            if (t_writingBehind == this) return _connection;
            if (_appended.Count > 0) return Connection; // appended rows are written after the held ones, in order
            AwaitWrites();
            return _connection;
        }
    }

    /// <summary>Rows held by <see cref="HoldWrites"/>, in the order they were written.</summary>
    private readonly List<(string Table, string[] Columns, int KeyCount, IReadOnlyCollection<object?[]> Rows)> _held = [];
    private bool _holding;
    /// <summary>The held rows being written on another thread, or null.</summary>
    private Task? _writing;
    /// <summary>The scope whose held rows this thread is writing: its own uses of the connection go straight to it.</summary>
    [ThreadStatic] private static WriteScope? t_writingBehind;

    /// <summary>
    /// Write-behind, for a long write of independent batches (a streaming import): from now on the rows of <see cref="Insert"/> and
    /// <see cref="Upsert"/> are held, and <see cref="StartHeldWrites"/> writes them on another thread, in order, in this transaction,
    /// while this thread computes the next batch. The connection is never used by two threads at once: any use of it waits for the
    /// rows being written, and any use but a query (<see cref="Query{T}(string, Func{DbDataReader, T})"/>, <see cref="ScalarLong"/>)
    /// writes the held rows first. So a query does not see held rows: the caller holds only rows no query of its before
    /// <see cref="StartHeldWrites"/> needs (a batch's rows, while the next batch reads its own accounts). <see cref="Flush"/> ends it.
    /// </summary>
    public void HoldWrites() => _holding = true;

    /// <summary>Starts writing the rows held so far on another thread (after those being written); returns at once.</summary>
    public void StartHeldWrites()
    {
        if (_held.Count == 0) return;
        AwaitWrites();
        var jobs = _held.ToArray();
        _held.Clear();
        _writing = Task.Run(() =>
        {
            t_writingBehind = this;
            try
            {
                foreach (var (table, columns, keyCount, rows) in jobs) Write(table, columns, keyCount, rows);
            }
            finally { t_writingBehind = null; }
        }, CancellationToken.None);
    }

    /// <summary>Waits for the rows being written behind; their failure is thrown here (the write then rolls back).</summary>
    private void AwaitWrites()
    {
        if (_writing is not { } writing) return;
        _writing = null;
        var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
        try { writing.GetAwaiter().GetResult(); }
        finally { s_waitedForWrites += System.Diagnostics.Stopwatch.GetElapsedTime(waiting); }
    }

    /// <summary>
    /// Waits for rows being written behind without throwing their failure: before the transaction is rolled back for another
    /// failure, so that the connection is no longer in use on another thread.
    /// </summary>
    public void Quiesce()
    {
        _holding = false;
        _held.Clear();
        try { AwaitWrites(); }
        catch (Exception) { /* the write is failing for another reason; that one is reported */ }
    }

    public DbTransaction Transaction { get; }

    /// <summary>Rows appended and not yet written, by table.</summary>
    private readonly List<(string Table, string[] Columns, List<object?[]> Rows)> _appended = [];

    /// <summary>Each appended table's rank: the order in which this write first appended to it.</summary>
    private readonly Dictionary<string, int> _appendRank = new(StringComparer.Ordinal);

    /// <summary>
    /// Appends one row to be written in bulk with the others of its table, before the next statement of this write runs (any use of
    /// <see cref="Connection"/>) or at its end. A window run's thousands of proposals, orders and events become a few bulk writes instead
    /// of a statement each. Every row of a table must name the same columns. Tables are written in the order this write first appended
    /// to them: a row can only refer to an appended row of a table appended to before it (a proposal's orders and events to the
    /// proposal), so parents are written before their children.
    /// </summary>
    public void Append(string table, string[] columns, object?[] row)
    {
        _appendRank.TryAdd(table, _appendRank.Count);
        foreach (var entry in _appended)
            if (entry.Table == table)
            {
                if (!ReferenceEquals(entry.Columns, columns) && !entry.Columns.AsSpan().SequenceEqual(columns))
                    throw new InvalidOperationException($"rows appended to {table} name different columns");
                entry.Rows.Add(row);
                return;
            }
        _appended.Add((table, columns, [row]));
    }

    private void FlushAppended()
    {
        if (_appended.Count == 0) return;
        var tables = _appended.OrderBy(t => _appendRank[t.Table]).ToArray();
        _appended.Clear(); // before writing: the writers use the connection too
        foreach (var (table, columns, rows) in tables) Write(table, columns, 0, rows);
    }

    public StoreProvider Provider => Store.Location.Provider;

    /// <summary>The tenant this write is for (<see cref="BallastStore.Tenant"/>): every row it inserts into a tenant's table carries it, every query names it.</summary>
    public long Tenant => Store.Tenant;

    /// <summary>True for a write of the whole store rather than of a tenant (a restore): its audit row names no tenant.</summary>
    public bool StoreWide { get; set; }

    /// <summary>The instant of this write, ISO-8601 UTC.</summary>
    public string Now { get; }

    /// <summary>The ledger session, created on first use; flushed before commit.</summary>
    public LedgerSession Ledger => _ledger ??= new LedgerSession(this);

    /// <summary>Next id of <paramref name="table"/>. Safe because writers are serialized.</summary>
    public long NextId(string table)
    {
        if (!_nextIds.TryGetValue(table, out var next))
        {
            // Rows appended to other tables stay appended (only the table's own unwritten rows matter to its next id): a window's
            // batch reads the next event id after appending its first proposal, whose bulk writes would otherwise split in two.
            if (IsAppended(table)) _ = Connection; // writes everything appended, the table's own rows among it
            else WriteHeld();
            next = _connection.ScalarLong($"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}", Transaction) ?? 1;
        }
        _nextIds[table] = next + 1;
        return next;
    }

    /// <summary>Whether rows appended to <paramref name="table"/> wait to be written (a loop: a lambda here would allocate its closure on every call of <see cref="NextId"/>, a million times in an import).</summary>
    private bool IsAppended(string table)
    {
        foreach (var entry in _appended)
            if (entry.Table == table) return true;
        return false;
    }

    public int Execute(string sql) => Connection.Execute(sql, Transaction);

    public int Execute<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TParam>(string sql, TParam param) =>
        Connection.Execute(Dialect(sql), param, Transaction);

    public List<T> Query<T>(string sql, Func<DbDataReader, T> row) => ReadConnection.Query(sql, row, Transaction);

    public List<T> Query<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TParam, T>(string sql, TParam param, Func<DbDataReader, T> row) =>
        ReadConnection.Query(Dialect(sql), param, row, Transaction);

    public long? ScalarLong<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TParam>(string sql, TParam param) =>
        ReadConnection.ScalarLong(Dialect(sql), param, Transaction);

    /// <summary>Every security's id by ticker.</summary>
    public Dictionary<string, long> SecurityIds() =>
        Query("SELECT ticker, id FROM securities", r => (Ticker: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(s => s.Ticker, s => s.Id, StringComparer.Ordinal);

    /// <summary>SQLite gets <c>IN @list</c> expanded to one parameter per element; Npgsql gets one array, which needs <c>= ANY(@list)</c>.</summary>
    private string Dialect(string sql) => Provider == StoreProvider.Postgres ? InList().Replace(sql, "= ANY($1)") : sql;

    [System.Text.RegularExpressions.GeneratedRegex(@"\bIN\s+(@\w+)")]
    private static partial System.Text.RegularExpressions.Regex InList();

    public void Flush()
    {
        _holding = false;
        StartHeldWrites();
        AwaitWrites();
        FlushAppended();
        _ledger?.Flush();
        RestoreReplaceGuards();
    }

    /// <summary>The tables whose <c>TABLE_no_replace</c> trigger this write lifted (<see cref="LiftReplaceGuard"/>), and the statements that put them back before it commits.</summary>
    private readonly HashSet<string> _liftedGuards = new(StringComparer.Ordinal);
    private readonly List<string> _restoreGuards = [];

    /// <summary>
    /// SQLite, a bulk write (<see cref="AnalyzeAfter"/> rows or more into one append-only table): the table's <c>TABLE_no_replace</c>
    /// trigger (see <c>Integrity.AppendOnlyGuards</c>) is dropped inside this transaction and created again by <see cref="Flush"/>,
    /// before the commit. The trigger ran a subprogram for every row inserted, a third of the time SQLite took to insert a ledger
    /// row. Nothing is weakened: only this write can write while its transaction is open (it holds the write lock), no other
    /// connection sees its schema before it commits, a rollback brings the trigger back with everything else, and this write's own
    /// rows are plain INSERTs, which the table's primary and unique keys refuse on any conflict. The trigger is there for a
    /// <c>REPLACE</c>, which Ballast never issues. A migration lifts the update and delete refusals the same way
    /// (<see cref="Integrity.AppendOnlyGuards.Lift"/>).
    /// </summary>
    private void LiftReplaceGuard(string table)
    {
        if (_liftedGuards.Add(table)) _restoreGuards.AddRange(Integrity.AppendOnlyGuards.Lift(_connection, Transaction, table, "no_replace"));
    }

    private void RestoreReplaceGuards()
    {
        foreach (var sql in _restoreGuards) _connection.Execute(sql, Transaction);
        _restoreGuards.Clear();
        _liftedGuards.Clear();
    }

    /// <summary>
    /// Inserts rows (values: long, int, string or null in column order). SQLite: one prepared statement;
    /// PostgreSQL: binary COPY for large sets.
    /// </summary>
    public void Insert(string table, string[] columns, IReadOnlyCollection<object?[]> rows) =>
        WriteOrHold(table, columns, 0, rows);

    /// <summary>Inserts or, when the first <paramref name="keyCount"/> columns match a row, replaces the other columns.</summary>
    public void Upsert(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows) =>
        WriteOrHold(table, columns, keyCount, rows);

    private void WriteOrHold(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows)
    {
        if (rows.Count == 0) return;
        if (!_holding || t_writingBehind == this)
        {
            Write(table, columns, keyCount, rows);
            return;
        }
        // A copy (callers reuse their lists), in slices that stay off the large object heap.
        if (rows.Count <= SliceRows) _held.Add((table, columns, keyCount, [.. rows]));
        else foreach (var slice in rows.Chunk(SliceRows)) _held.Add((table, columns, keyCount, slice));
    }

    /// <summary>
    /// Rows a bulk writer's caller gathers before handing them over: 8,000 row references are 64 KB, under the 85,000 bytes from which
    /// .NET puts an array on the large object heap. A streaming import that handed over lists of 20,000 rows a batch filled that heap,
    /// and each time it filled the runtime collected every generation: 22 full collections in a 100,000-account import.
    /// </summary>
    internal const int SliceRows = 8_000;

    private void Write(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows)
    {
        if (rows.Count == 0) return;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        try { WriteRows(table, columns, keyCount, rows); }
        finally
        {
            if (Trace)
            {
                Console.Error.WriteLine($"trace {table}: {rows.Count} rows in {sw.ElapsedMilliseconds} ms");
                if (BallastStore.TracePauseMs > 0) Thread.Sleep(BallastStore.TracePauseMs);
            }
        }
        if (Provider == StoreProvider.Postgres) AnalyzeWhenGrown(table);
    }

    /// <summary>Rows of each table this write had written when it last analyzed the table (PostgreSQL).</summary>
    private readonly Dictionary<string, long> _analyzedAt = new(StringComparer.Ordinal);

    /// <summary>Rows a write adds to a table before it first analyzes it; it analyzes again each time it has quadrupled them.</summary>
    private const long AnalyzeAfter = 20_000;

    /// <summary>
    /// PostgreSQL plans a query by its statistics of each table, which only an ANALYZE gathers. A long write (a positions import of a
    /// million accounts) that adds millions of rows and keeps reading them, batch by batch, would otherwise be planned against the
    /// table as it was before: reading one batch's accounts by scanning the whole table, so each batch costs more than the last.
    /// So a write analyzes a table it has added <see cref="AnalyzeAfter"/> rows to, and again whenever it has quadrupled them: a
    /// handful of analyzes per table (each samples a fixed number of rows), seeing this transaction's own rows. (Doubling analyzed
    /// each table of a million-account import ten times, a tenth of the server's work. Growing sixteenfold between analyzes was
    /// too few: a 100,000-account import took 19.1 s instead of 17.5, its batch reads planned on statistics gone stale.)
    /// </summary>
    private void AnalyzeWhenGrown(string table)
    {
        var written = _written.GetValueOrDefault(table);
        var last = _analyzedAt.GetValueOrDefault(table);
        if (written < AnalyzeAfter || written < 4 * last) return;
        _analyzedAt[table] = written;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Execute($"ANALYZE {table}");
        if (Trace) Console.Error.WriteLine($"trace analyze {table} at {written} rows: {sw.ElapsedMilliseconds} ms");
    }

    /// <summary>
    /// SQLite: a write that added <see cref="AnalyzeAfter"/> rows or more analyzes the store before it commits (sampling at most
    /// 1,000 rows an index, <see cref="SqliteAnalyze"/>: milliseconds, whatever the store's size). Without statistics SQLite
    /// takes any indexed equality for a selective one, so it read a batch of 2,000 accounts (<c>tenant_id = @tenant AND id IN
    /// (...)</c>) by scanning every account of the tenant through its tenant index: 150 ms a batch at a million accounts instead
    /// of 2 ms by primary key, a third of a window run. Called by the store once the write's work is done.
    /// </summary>
    public void AnalyzeIfBulk()
    {
        var written = _written.Values.Sum();
        if (Provider != StoreProvider.Sqlite || written < AnalyzeAfter) return;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Execute(SqliteAnalyze);
        if (Trace) Console.Error.WriteLine($"trace analyze after {written} rows: {sw.ElapsedMilliseconds} ms");
    }

    /// <summary>SQLite's sampled analyze: at most 1,000 rows an index (its <c>analysis_limit</c>), milliseconds whatever the store's size.</summary>
    internal const string SqliteAnalyze = "PRAGMA analysis_limit = 1000; ANALYZE";

    /// <summary>Time this process has waited for rows written behind (<see cref="HoldWrites"/>), for the trace.</summary>
    private static TimeSpan s_waitedForWrites;

    /// <summary>With BALLAST_STORE_TRACE=1, prints a phase and the elapsed time to standard error.</summary>
    internal static void TraceLine(string what, System.Diagnostics.Stopwatch clock)
    {
        if (Trace)
            Console.Error.WriteLine($"trace {what}: {clock.ElapsedMilliseconds} ms (GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, " +
                                    $"collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, allocated {GC.GetTotalAllocatedBytes() >> 20} MB, " +
                                    $"waited for writes behind {s_waitedForWrites.TotalMilliseconds:F0} ms, heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MB, working set {Environment.WorkingSet >> 20} MB)");
    }

    private static bool Trace => BallastStore.Tracing;

    private void WriteRows(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows)
    {
        if (Provider == StoreProvider.Postgres && rows.Count > 64)
        {
            CopyPostgres(table, columns, keyCount, rows);
            return;
        }
        if (Provider == StoreProvider.Sqlite)
        {
            WriteSqliteBatches(table, columns, keyCount, rows);
            return;
        }
        var conflict = keyCount == 0 ? "" :
            $" ON CONFLICT ({string.Join(", ", columns[..keyCount])}) DO UPDATE SET " +
            string.Join(", ", columns[keyCount..].Select(c => $"{c} = excluded.{c}"));
        using var cmd = Connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))}){conflict}";
        var parameters = new DbParameter[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            parameters[i] = cmd.CreateParameter();
            parameters[i].ParameterName = "@p" + i;
            parameters[i].DbType = TextColumns.Contains(columns[i]) ? System.Data.DbType.String : System.Data.DbType.Int64;
            cmd.Parameters.Add(parameters[i]);
        }
        var prepared = false;
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = row[i] ?? DBNull.Value;
            }
            if (!prepared && Provider == StoreProvider.Postgres) cmd.Prepare();
            prepared = true;
            cmd.ExecuteNonQuery();
            Written(table, 1);
        }
    }

    /// <summary>
    /// SQLite: prepared INSERTs of <see cref="RowsPerInsert"/> rows each (and one of a single row for the rest), their values bound by
    /// position and the statement stepped and reset, through the SQLite library the connection already uses. Nothing is parsed or
    /// allocated per row; a million-row import used to spend a quarter of its time collecting the SQL texts it built. Each
    /// execution of a statement opens its cursors on the table, its indexes and the tables its foreign keys name, and clears its
    /// registers when reset: once for many rows instead of for each. A value equal to the one bound to the same parameter before
    /// is not bound again (a reset keeps the bindings): an import's rows share their kind, date, memo and import.
    /// </summary>
    private void WriteSqliteBatches(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows)
    {
        var conflict = keyCount == 0 ? "" :
            $" ON CONFLICT ({string.Join(", ", columns[..keyCount])}) DO UPDATE SET " +
            string.Join(", ", columns[keyCount..].Select(c => $"{c} = excluded.{c}"));
        var values = $"({string.Join(", ", columns.Select(_ => "?"))})";
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        var db = ((Microsoft.Data.Sqlite.SqliteConnection)Connection).Handle!;
        if (keyCount == 0 && _written.GetValueOrDefault(table) + rows.Count >= AnalyzeAfter) LiftReplaceGuard(table);
        var perInsert = rows.Count >= 2 * RowsPerInsert ? Math.Max(1, Math.Min(RowsPerInsert, MaxParameters / columns.Length)) : 1;
        SQLitePCL.sqlite3_stmt? many = null;
        SQLitePCL.sqlite3_stmt? single = null;
        try
        {
            if (perInsert > 1) Check(SQLitePCL.raw.sqlite3_prepare_v2(db, insert + string.Join(", ", Enumerable.Repeat(values, perInsert)) + conflict, out many));
            Check(SQLitePCL.raw.sqlite3_prepare_v2(db, insert + values + conflict, out single));
            var bound = new object?[perInsert * columns.Length]; // the value bound to each parameter of `many`
            var boundSingle = new object?[columns.Length];
            var full = perInsert > 1 ? rows.Count / perInsert * perInsert : 0;
            int n = 0, inStatement = 0, inSlice = 0;
            foreach (var row in rows)
            {
                if (row.Length != columns.Length) throw new ArgumentException($"a row of {table} has {row.Length} values for {columns.Length} columns", nameof(rows));
                if (n++ < full)
                {
                    Bind(many!, bound, inStatement * columns.Length, row);
                    if (++inStatement < perInsert) continue;
                    inStatement = 0;
                    Run(many!);
                }
                else
                {
                    Bind(single, boundSingle, 0, row);
                    Run(single);
                }
                if ((inSlice += n <= full ? perInsert : 1) >= 256) { Written(table, inSlice); inSlice = 0; }
            }
            if (inSlice > 0) Written(table, inSlice);
        }
        finally
        {
            many?.Dispose();
            single?.Dispose();
        }

        void Bind(SQLitePCL.sqlite3_stmt statement, object?[] bound, int first, object?[] row)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var value = row[i];
                if (Same(bound[first + i], value)) continue;
                var index = first + i + 1;
                Check(value switch
                {
                    null => SQLitePCL.raw.sqlite3_bind_null(statement, index),
                    long l => SQLitePCL.raw.sqlite3_bind_int64(statement, index, l),
                    int number => SQLitePCL.raw.sqlite3_bind_int64(statement, index, number),
                    string text => text.Contains('\0', StringComparison.Ordinal)
                        ? throw new ArgumentException("text values cannot contain NUL characters", nameof(rows))
                        : BindText(statement, index, text),
                    _ => throw new ArgumentException($"unsupported column value type {value.GetType()}", nameof(rows)),
                });
                bound[first + i] = value;
            }
        }

        void Run(SQLitePCL.sqlite3_stmt statement)
        {
            var step = SQLitePCL.raw.sqlite3_step(statement);
            if (step != SQLitePCL.raw.SQLITE_DONE) Check(step); // a refused row ends the write: the statement is finalized, the transaction rolls back
            Check(SQLitePCL.raw.sqlite3_reset(statement));
        }

        void Check(int rc)
        {
            if (rc is not (SQLitePCL.raw.SQLITE_OK or SQLitePCL.raw.SQLITE_DONE)) Microsoft.Data.Sqlite.SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    /// <summary>Rows an INSERT of a bulk SQLite write names (fewer when they would take more than <see cref="MaxParameters"/> parameters).</summary>
    private const int RowsPerInsert = 64;

    /// <summary>Parameters of one bulk INSERT: under SQLite's oldest limit (999), whatever the library was built with.</summary>
    private const int MaxParameters = 999;

    /// <summary>Whether a value is the one already bound: a fresh parameter (null bound) counts as bound to NULL, which it is.</summary>
    private static bool Same(object? bound, object? value) => value switch
    {
        null => bound is null,
        long l => bound is long b && b == l,
        int n => bound is int b && b == n,
        string t => bound is string b && (ReferenceEquals(b, t) || string.Equals(b, t, StringComparison.Ordinal)),
        _ => false,
    };

    /// <summary>Reused for the UTF-8 of the text values bound by <see cref="BindText"/> (SQLite copies each value as it is bound).</summary>
    private byte[] _utf8 = new byte[256];

    /// <summary>
    /// Binds text as UTF-8, the store's encoding, so SQLite keeps the bytes as they are instead of translating UTF-16 into a new buffer
    /// for every value (a ledger row binds six).
    /// </summary>
    private int BindText(SQLitePCL.sqlite3_stmt statement, int index, string text)
    {
        var most = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (most > _utf8.Length) _utf8 = new byte[Math.Max(most, 2 * _utf8.Length)];
        var length = System.Text.Encoding.UTF8.GetBytes(text, _utf8);
        return SQLitePCL.raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length));
    }

    private void CopyPostgres(string table, string[] columns, int keyCount, IReadOnlyCollection<object?[]> rows)
    {
        var pg = (NpgsqlConnection)Connection;
        var target = table;
        if (keyCount > 0)
        {
            target = "ballast_copy_" + table;
            Execute($"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {string.Join(", ", columns)} FROM {table} WHERE false");
        }
        using (var importer = pg.BeginBinaryImport($"COPY {target} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)"))
        {
            var written = 0;
            foreach (var row in rows)
            {
                if (++written % 256 == 0) Written(table, 256);
                importer.StartRow();
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null: importer.WriteNull(); break;
                        case long l: importer.Write(l, NpgsqlDbType.Bigint); break;
                        case int i: importer.Write(i, NpgsqlDbType.Integer); break;
                        case string s: importer.Write(s, NpgsqlDbType.Text); break;
                        default: throw new ArgumentException($"unsupported column value type {value.GetType()}", nameof(rows));
                    }
                }
            }
            importer.Complete();
            Written(table, written % 256);
        }
        if (keyCount > 0)
        {
            Execute($"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {string.Join(", ", columns)} FROM {target} " +
                $"ON CONFLICT ({string.Join(", ", columns[..keyCount])}) DO UPDATE SET " +
                string.Join(", ", columns[keyCount..].Select(c => $"{c} = excluded.{c}")));
            Execute($"DROP TABLE {target}");
        }
    }
}
