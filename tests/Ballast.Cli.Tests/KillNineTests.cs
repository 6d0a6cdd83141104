using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ballast.Store;
using Microsoft.Data.Sqlite;
using Npgsql;
using Spectre.Console;
using Xunit.Abstractions;

namespace Ballast.Cli.Tests;

/// <summary>
/// <c>kill -9</c> (SIGKILL: no cleanup runs) of a shipped <c>ballast</c> in the middle of a window run and of a block fills
/// import, on SQLite and PostgreSQL, then the same command again: it completes, every account has one verdict, no order,
/// fill, allocation or ledger row is doubled, and <c>ballast verify</c> is clean. The kill moments come from a seeded list
/// (while starting, after a committed batch, inside a write transaction, late), found by polling the store and by the store's
/// trace lines (<c>BALLAST_STORE_TRACE=1</c>), so each run of the test kills at comparable points. At a trace line the child holds
/// its write open for a second (<c>BALLAST_STORE_TRACE_PAUSE_MS</c>): a write of a few milliseconds would otherwise often end
/// before the signal arrives.
/// </summary>
public abstract class KillNineTests : IDisposable
{
    /// <summary>Every third account is within its bands; the others hold 80/20 against 60/40 and are rebalanced.</summary>
    private const int Accounts = 2000, Rebalanced = 1333;

    /// <summary>The proposals gathered into blocks.</summary>
    private const int Blocked = 500;

    private const int Seed = 13;

    private readonly CliRunner _files = new();
    private readonly Random _random = new(Seed);
    private readonly List<string> _log = [];
    private readonly DateOnly _window;
    private readonly string _windowId;

    private readonly ITestOutputHelper _output;

    protected KillNineTests(ITestOutputHelper output)
    {
        _output = output;
        // A Monday two weeks or more before today: the child processes run on the real clock, so every date is in its past.
        var d = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-14);
        while (d.DayOfWeek != DayOfWeek.Monday) d = d.AddDays(-1);
        _window = d;
        _windowId = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:00";
    }

    protected string Directory => _files.Directory;

    /// <summary>The store, as <c>--db</c> names it.</summary>
    protected abstract string Db { get; }

    /// <summary>A connection to the store for the test's own reads (the store's counts while a child writes).</summary>
    protected abstract DbConnection Connect();

    /// <summary>Whether a writer holds the store's write lock now, that is, a write transaction is open.</summary>
    protected abstract bool WriteOpen();

    public virtual void Dispose()
    {
        _files.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string Log => string.Join("\n", _log);

    /// <summary>Where the kills landed: in the test's output, and in every failure message.</summary>
    private void Note(string line)
    {
        _log.Add(line);
        _output.WriteLine(line);
    }

    protected long Scalar(string sql)
    {
        using var c = Connect();
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    /// <summary>The value, or -1 when the store cannot answer it (no run row yet, or the file is being recovered).</summary>
    private long TryScalar(string sql)
    {
        try { return Scalar(sql); }
        catch (DbException) { return -1; }
    }

    /// <summary>Runs the CLI in this process (the setup, fast), on <paramref name="time"/>.</summary>
    private string InProcess(TimeProvider time, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(stdout), Interactive = InteractionSupport.No,
        });
        var context = new CliContext { Console = console, Out = stdout, Error = stderr, WorkingDirectory = Directory, Time = time };
        var exit = CliApp.Run([.. args, "--db", Db], context);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout.ToString();
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A store of <see cref="Accounts"/> accounts on model core (60/40, bands of 20 % relative, rebalanced to inner rails).</summary>
    private void Build()
    {
        var asOf = _window.AddDays(-4);
        var accounts = new StringBuilder("account,type,currency,household,model\n");
        var positions = new StringBuilder("account,ticker,quantity,cost_basis\n");
        for (var i = 0; i < Accounts; i++)
        {
            var name = $"acct-{i:D5}";
            accounts.Append(CultureInfo.InvariantCulture, $"{name},taxable,USD,,core\n");
            positions.Append(i % 3 == 0
                ? $"{name},VTI,180,15000\n{name},BND,120,12000\n"  // 60/40: within
                : $"{name},VTI,240,20000\n{name},BND,60,6000\n");  // 80/20: breaching, 30,000 (looked at every window)
        }
        _files.Write("accounts.csv", accounts.ToString());
        _files.Write("positions.csv", positions.ToString());
        _files.Write("prices.csv", $"date,VTI,BND\n{Day(asOf)},100,100\n");
        _files.Write("rails.yaml", "{ look: daily, trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 10% }\n");
        _files.Write("calendar.yaml", "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        var time = new Clock(new DateTimeOffset(asOf.AddDays(1).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
        InProcess(time, "init");
        InProcess(time, "prices", "import", "prices.csv");
        InProcess(time, "model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "rails.yaml");
        InProcess(time, "import", "accounts", "accounts.csv");
        InProcess(time, "import", "positions", "positions.csv", "--as-of", Day(asOf));
    }

    /// <summary>A <c>ballast</c> child process (the shipped binary), its standard error read line by line.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new();
        private readonly List<string> _err = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public Child(string directory, string db, string[] args, int pauseMs = 0)
        {
            var info = new ProcessStartInfo(ShippedBinaryTests.Binary().Path)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory,
            };
            foreach (var a in args) info.ArgumentList.Add(a);
            info.ArgumentList.Add("--db");
            info.ArgumentList.Add(db);
            info.Environment["NO_COLOR"] = "1";
            info.Environment["BALLAST_STORE_TRACE"] = "1"; // a line per table write: where the child is inside its transaction
            // Each table write then waits inside its transaction after its trace line: a kill at the line lands inside the write.
            if (pauseMs > 0) info.Environment["BALLAST_STORE_TRACE_PAUSE_MS"] = pauseMs.ToString(CultureInfo.InvariantCulture);
            _process = new Process { StartInfo = info };
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_err) _err.Add(e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public TimeSpan Elapsed => _clock.Elapsed;

        public string Out { get { lock (_out) return _out.ToString(); } }

        public string Err { get { lock (_err) return string.Join("\n", _err.Where(l => !l.StartsWith("trace ", StringComparison.Ordinal))); } }

        public bool Saw(string prefix) { lock (_err) return _err.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)); }

        /// <summary>Polls <paramref name="condition"/> until it holds (true) or the process ends (false).</summary>
        public bool WaitUntil(Func<bool> condition)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromMinutes(2))
            {
                if (_process.HasExited) return false;
                if (condition()) return true;
                Thread.Sleep(5);
            }
            throw new TimeoutException("the child neither reached its kill point nor ended");
        }

        /// <summary>SIGKILL, as <c>kill -9</c>. False when the process had ended already.</summary>
        public bool Kill()
        {
            if (_process.HasExited) return false;
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { return false; } // it ended in between
            _process.WaitForExit();
            return true;
        }

        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(3))) { _process.Kill(true); throw new TimeoutException("ballast did not finish"); }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(true);
            _process.Dispose();
        }
    }

    private Child Start(params string[] args) => new(Directory, Db, args);

    /// <summary>How long a child started for a moment at a trace line holds each table write open after the line: ample for a kill.</summary>
    private const int TracePauseMs = 1000;

    private (string Out, string Err) Complete(params string[] args)
    {
        using var child = Start(args);
        var exit = child.WaitForExit();
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {child.Err}\n{Log}");
        return (child.Out, child.Err);
    }

    /// <summary>
    /// A kill moment: a name for the messages, when to kill, and a seeded extra delay once the moment comes. At a trace line
    /// (<paramref name="AtTraceLine"/>), the child holds each table write open after its line (<see cref="TracePauseMs"/>), so the
    /// kill must land inside the write.
    /// </summary>
    private sealed record Moment(string Name, Func<Child, bool> When, int DelayMs, bool AtTraceLine = false);

    /// <summary>Starts <paramref name="args"/>, kills it at <paramref name="moment"/>; true when it was killed (not ended before).</summary>
    private bool KillAt(Moment moment, string[] args, Func<string> state)
    {
        using var child = new Child(Directory, Db, args, moment.AtTraceLine ? TracePauseMs : 0);
        var reached = child.WaitUntil(() => moment.When(child));
        if (reached && moment.DelayMs > 0) Thread.Sleep(moment.DelayMs);
        var killed = reached && child.Kill();
        if (!killed) Assert.True(child.WaitForExit() == 0, $"{moment.Name}: ballast {string.Join(' ', args)} failed: {child.Err}\n{Log}");
        Note($"{moment.Name} (+{moment.DelayMs} ms, at {child.Elapsed.TotalMilliseconds:0} ms): {(killed ? "killed" : "ended before the kill")}; {state()}");
        // A child that printed the trace line held its write open there: the kill must have landed (one that had nothing left to
        // write, after an earlier kill came too late, never prints it).
        Assert.True(killed || !reached || !moment.AtTraceLine, $"{moment.Name}: the child ended before the kill, though it held its write open after the trace line\n{Log}");
        return killed;
    }

    private string WindowScope => $"'window {_windowId}: account %'";

    private long RunId => TryScalar($"SELECT id FROM window_runs WHERE window_id = '{_windowId}'");

    private long Verdicts => TryScalar($"SELECT COUNT(*) FROM window_run_accounts w JOIN window_runs r ON r.id = w.run_id WHERE r.window_id = '{_windowId}'");

    private string WindowState() =>
        $"run {RunId} {(RunId > 0 ? Scalar($"SELECT COUNT(*) FROM window_runs WHERE status = 'running'") > 0 ? "running" : "finished" : "not started")}, " +
        $"{Verdicts} verdicts, {TryScalar($"SELECT COUNT(*) FROM proposals WHERE scope LIKE {WindowScope}")} proposals";

    /// <summary>What a kill may leave: whole batches only, each verdict with its proposal and each proposal order in the window's order book.</summary>
    private void AssertNoHalfWrittenBatch(string when)
    {
        if (RunId <= 0) return;
        var rebalanced = Scalar($"SELECT COUNT(*) FROM window_run_accounts WHERE run_id = {RunId} AND outcome = 'rebalanced' AND proposal_id IS NOT NULL");
        Assert.True(rebalanced == Scalar($"SELECT COUNT(*) FROM proposals WHERE scope LIKE {WindowScope}"), $"{when}: proposals without their verdicts\n{Log}");
        var orders = Scalar($"SELECT COUNT(*) FROM proposal_orders o JOIN proposals p ON p.id = o.proposal_id WHERE p.scope LIKE {WindowScope}");
        Assert.True(orders == Scalar($"SELECT COUNT(*) FROM window_orders WHERE run_id = {RunId}"), $"{when}: orders outside the window's order book\n{Log}");
        Assert.True(orders == 2 * rebalanced, $"{when}: {orders} orders for {rebalanced} proposals\n{Log}");
    }

    [Fact]
    public void KillNine_DuringAWindowRunAndABlockFillsImport_ThenRerun_EveryAccountOnce_NothingDoubled()
    {
        var watch = Stopwatch.StartNew();
        Build();
        Note($"seed {Seed}, window {_windowId}, built in {watch.ElapsedMilliseconds} ms");

        // 1. The window run, killed four times at different moments, each rerun resuming the last.
        // Batches of 100 accounts: a batch commits every few tens of milliseconds, so the seeded delays below land inside the run
        // on a fast machine as on a loaded one.
        const int Batch = 100;
        string[] run = ["window", "run", "--calendar", "calendar.yaml", "--at", _windowId, "--batch-size", Batch.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var before = 0L;
        var starting = TimeSpan.FromMilliseconds(_random.Next(30, 300));
        Moment[] moments =
        [
            new("while starting", c => c.Elapsed >= starting, 0),
            new("after a committed batch", _ => Verdicts > before, _random.Next(0, 40)),
            new("inside a batch's write transaction", c => c.Saw("trace proposal_orders"), 0, AtTraceLine: true),
            new("in the last batch", _ => Verdicts >= Math.Max(before + 1, Accounts - Batch), _random.Next(0, 20)),
        ];
        var midRun = 0;
        foreach (var moment in moments)
        {
            before = Verdicts;
            var killed = KillAt(moment, run, WindowState);
            AssertNoHalfWrittenBatch(moment.Name);
            if (killed && Verdicts > 0 && Verdicts < Accounts) midRun++;
        }
        // A run of 2,000 accounts takes about a second now, so which moments land mid-run is a race; at least one must (the
        // invariants above are checked after every kill, wherever it landed).
        Assert.True(midRun >= 1, $"no kill landed in the middle of the run\n{Log}");

        var existed = RunId > 0 && Verdicts < Accounts;
        var (done, _) = Complete(run);
        Note($"rerun to the end: {WindowState()}");
        if (existed) Assert.Contains("(resumed: accounts recorded before were not evaluated again)", done, StringComparison.Ordinal);
        Assert.Contains($"Window {_windowId} (run {RunId}): proposed", done, StringComparison.Ordinal);
        Assert.Contains("2,000 accounts: 2,000 evaluated, 1,333 rebalanced, 0 skipped", done, StringComparison.Ordinal);
        // Once more: nothing added.
        var proposals = Scalar("SELECT COUNT(*) FROM proposals");
        Assert.Contains("(already run: nothing added)", Complete(run).Out, StringComparison.Ordinal);
        Assert.Equal(proposals, Scalar("SELECT COUNT(*) FROM proposals"));

        // Every account once, one proposal per account rebalanced, no (account, ticker, side) order twice in the window.
        Assert.Equal(Accounts, Scalar($"SELECT COUNT(*) FROM window_run_accounts WHERE run_id = {RunId}"));
        Assert.Equal(Accounts, Scalar($"SELECT COUNT(DISTINCT account_id) FROM window_run_accounts WHERE run_id = {RunId}"));
        Assert.Equal(0, Scalar($"SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM window_run_accounts w WHERE w.run_id = {RunId} AND w.account_id = a.id)"));
        Assert.Equal(Rebalanced, Scalar($"SELECT rebalanced FROM window_runs WHERE id = {RunId}"));
        Assert.Equal(Rebalanced, Scalar($"SELECT COUNT(*) FROM proposals WHERE scope LIKE {WindowScope}"));
        Assert.Equal(Rebalanced, Scalar($"SELECT COUNT(DISTINCT scope) FROM proposals WHERE scope LIKE {WindowScope}"));
        Assert.Equal(Rebalanced, Scalar($"SELECT COUNT(*) FROM window_run_accounts WHERE run_id = {RunId} AND outcome = 'rebalanced'"));
        Assert.Equal(0, Scalar($"""
            SELECT COUNT(*) FROM (SELECT o.account_id, o.security_id, o.side FROM proposal_orders o JOIN proposals p ON p.id = o.proposal_id
            WHERE p.scope LIKE {WindowScope} GROUP BY o.account_id, o.security_id, o.side HAVING COUNT(*) > 1) doubled
            """));
        AssertNoHalfWrittenBatch("after the rerun");
        Note($"window done at {watch.ElapsedMilliseconds} ms");

        // 2. The block fills import, killed inside its one write transaction, then run again.
        ImportBlockFillsKilledAndRerun();
        Note($"blocks done at {watch.ElapsedMilliseconds} ms");
        // Ledger, lots, cash and the hash chains, replayed by a new process on the store the kills left.
        var (verify, _) = Complete("verify");
        Assert.Contains("ok: ", verify, StringComparison.Ordinal);
    }

    private long BlockTransactions => Scalar("SELECT COUNT(*) FROM transactions WHERE execution_id LIKE 'block-%'");

    private string BlockState() =>
        $"{TryScalar("SELECT COUNT(*) FROM block_fills")} fills, {TryScalar("SELECT COUNT(*) FROM block_allocations")} allocations, {BlockTransactions} ledger rows";

    private void ImportBlockFillsKilledAndRerun()
    {
        // The window approved its proposals as it saved them (the firm's default approval rule); the first of them are
        // gathered into two blocks: sell VTI, buy BND.
        var ids = new List<long>();
        using (var c = Connect())
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT id FROM proposals WHERE scope LIKE {WindowScope} ORDER BY id";
            using var r = cmd.ExecuteReader();
            while (r.Read()) ids.Add(r.GetInt64(0));
        }
        Assert.All(ids, id => Assert.Equal(1L, Scalar($"SELECT COUNT(*) FROM proposal_events WHERE proposal_id = {id} AND status = 'approved'")));
        InProcess(TimeProvider.System, "blocks", "create", "--proposals", string.Join(",", ids.Take(Blocked)), "--window", _windowId);
        var sell = Scalar("SELECT b.id FROM blocks b JOIN securities s ON s.id = b.security_id WHERE s.ticker = 'VTI' AND b.side = 'sell'");
        var buy = Scalar("SELECT b.id FROM blocks b JOIN securities s ON s.id = b.security_id WHERE s.ticker = 'BND' AND b.side = 'buy'");
        var sold = Scalar($"SELECT quantity FROM blocks WHERE id = {sell}") / 1_000_000;
        var bought = Scalar($"SELECT quantity FROM blocks WHERE id = {buy}") / 1_000_000;
        // To the inner rail, 60 % x 1.1 = 66 % of 30,000: 198 VTI of 240, so each account sells 42 VTI and buys 42 BND.
        Assert.Equal(Blocked * 42L, sold);
        Assert.Equal(Blocked * 42L, bought);
        var first = sold * 3 / 5;
        _files.Write("block-fills.csv", $"""
            execution_id,block,date,quantity,price,fee
            KX-1,{sell},{Day(_window)},{first},100.00,1.25
            KX-2,{sell},{Day(_window)},{sold - first},100.10,0.75
            KX-3,{buy},{Day(_window)},{bought},99.50,2.00

            """);
        Note($"{Blocked} proposals approved and blocked ({sold} VTI sold, {bought} BND bought)");
        var vtiBefore = Scalar("SELECT SUM(h.quantity) FROM holdings h JOIN securities s ON s.id = h.security_id WHERE s.ticker = 'VTI'");

        string[] import = ["blocks", "fills", "import", "block-fills.csv"];
        var fillsStarting = TimeSpan.FromMilliseconds(_random.Next(30, 300));
        Moment[] moments =
        [
            // Its fills are written first, then its allocations one by one, then the ledger rows in bulk (a few milliseconds since
            // SQLite writes them 64 to a statement). At these two trace lines the child holds its write open, so both kills land in
            // it; they come first, as a kill of the two racing moments after them may come too late (the import then commits).
            new("fills: inside its write transaction, after its fills", c => c.Saw("trace block_fills"), 0, AtTraceLine: true),
            new("fills: inside its write transaction, at its ledger rows", c => c.Saw("trace transactions"), 0, AtTraceLine: true),
            // The write of 1,000 allocations lasts a few tens of milliseconds on an analyzed store: the kill follows the lock at once.
            new("fills: inside its write transaction, allocating", _ => WriteOpen(), _random.Next(0, 5)),
            new("fills: while starting", c => c.Elapsed >= fillsStarting, 0),
        ];
        var inside = 0;
        foreach (var moment in moments)
        {
            var killed = KillAt(moment, import, BlockState);
            // One transaction: all of it or none of it.
            var fills = Scalar("SELECT COUNT(*) FROM block_fills");
            Assert.True(fills is 0 or 3, $"{moment.Name}: {fills} fills recorded\n{Log}");
            if (fills == 0)
            {
                Assert.True(Scalar("SELECT COUNT(*) FROM block_allocations") == 0 && BlockTransactions == 0, $"{moment.Name}: allocations without fills\n{Log}");
                Assert.Equal(vtiBefore, Scalar("SELECT SUM(h.quantity) FROM holdings h JOIN securities s ON s.id = h.security_id WHERE s.ticker = 'VTI'"));
                if (killed && moment.Name.Contains("inside", StringComparison.Ordinal)) inside++;
            }
        }
        // Both kills at a trace line land inside the write (the child holds it open there, and nothing is recorded before them).
        Assert.True(inside >= 2, $"fewer than two kills landed inside the import's write\n{Log}");

        var recordedBefore = Scalar("SELECT COUNT(*) FROM block_fills");
        var (again, _) = Complete(import);
        Note($"fills rerun to the end: {BlockState()}");
        Assert.Contains(recordedBefore == 0 ? "3 block fills recorded" : "0 block fills recorded", again, StringComparison.Ordinal);
        Assert.Contains("0 block fills recorded", Complete(import).Out, StringComparison.Ordinal); // the same file once more: nothing

        // No fill, allocation or ledger row doubled; every blocked account got exactly its 42 shares each way.
        Assert.Equal(3, Scalar("SELECT COUNT(*) FROM block_fills"));
        Assert.Equal(2 * Blocked, Scalar("SELECT COUNT(*) FROM block_allocations"));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM (SELECT block_id, account_id FROM block_allocations GROUP BY block_id, account_id HAVING COUNT(*) > 1) doubled"));
        Assert.Equal(2 * Blocked, BlockTransactions);
        Assert.Equal(2 * Blocked, Scalar("SELECT COUNT(DISTINCT execution_id) FROM transactions WHERE execution_id LIKE 'block-%'"));
        Assert.Equal(2 * Blocked, Scalar("SELECT COUNT(*) FROM block_allocations x JOIN transactions t ON t.id = x.transaction_id"));
        Assert.Equal(Blocked, Scalar("SELECT COUNT(*) FROM holdings h JOIN securities s ON s.id = h.security_id WHERE s.ticker = 'VTI' AND h.quantity = 198000000"));
        Assert.Equal(Blocked, Scalar("SELECT COUNT(*) FROM holdings h JOIN securities s ON s.id = h.security_id WHERE s.ticker = 'BND' AND h.quantity = 102000000"));
        Assert.Equal(vtiBefore - sold * 1_000_000, Scalar("SELECT SUM(h.quantity) FROM holdings h JOIN securities s ON s.id = h.security_id WHERE s.ticker = 'VTI'"));
        // Lots add up to holdings for every account and security.
        Assert.Equal(0, Scalar("""
            SELECT COUNT(*) FROM holdings h
            LEFT JOIN (SELECT account_id, security_id, SUM(remaining) AS remaining FROM lots GROUP BY account_id, security_id) l
              ON l.account_id = h.account_id AND l.security_id = h.security_id
            WHERE h.quantity <> COALESCE(l.remaining, 0)
            """));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM balances WHERE cash < 0"));
    }
}

/// <summary>The kill test on an SQLite file (WAL): the killed writer's journal is recovered by the next process.</summary>
public sealed class SqliteKillNineTests(ITestOutputHelper output) : KillNineTests(output)
{
    protected override string Db => Path.Combine(Directory, "ballast.db");

    protected override DbConnection Connect() => new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");

    /// <summary>Tries BEGIN IMMEDIATE without waiting (the store's writes take the lock up front): busy means a writer holds it.</summary>
    protected override bool WriteOpen()
    {
        using var c = new SqliteConnection($"Data Source={Db};Pooling=False");
        c.Open();
        var db = c.Handle!;
        SQLitePCL.raw.sqlite3_busy_timeout(db, 0);
        var rc = SQLitePCL.raw.sqlite3_exec(db, "BEGIN IMMEDIATE");
        if (rc == SQLitePCL.raw.SQLITE_OK) SQLitePCL.raw.sqlite3_exec(db, "ROLLBACK");
        return rc == SQLitePCL.raw.SQLITE_BUSY;
    }
}

/// <summary>The kill test on a PostgreSQL database of its own on the server <c>BALLAST_TEST_PG</c> names.</summary>
public sealed class PostgresKillNineTests : KillNineTests
{
    private readonly string _admin = Environment.GetEnvironmentVariable("BALLAST_TEST_PG")
        ?? throw new InvalidOperationException("BALLAST_TEST_PG is not set: this test needs a PostgreSQL server. Run: export BALLAST_TEST_PG=\"$(.ci/postgres.sh)\" and test again.");
    private readonly string _name = "ballast_kill_" + Guid.NewGuid().ToString("N")[..16];

    public PostgresKillNineTests(ITestOutputHelper output) : base(output)
    {
        using var c = new NpgsqlConnection(_admin);
        c.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", c);
        create.ExecuteNonQuery();
        Db = new NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString;
    }

    protected override string Db { get; }

    protected override DbConnection Connect() => new NpgsqlConnection(Db);

    /// <summary>The store's writes hold a transaction-scoped advisory lock: granted to another session means a write is open.</summary>
    protected override bool WriteOpen() =>
        Scalar("SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()") > 0;

    public override void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using (var c = new NpgsqlConnection(_admin))
        {
            c.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", c);
            drop.ExecuteNonQuery();
        }
        base.Dispose();
    }
}
