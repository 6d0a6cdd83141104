using System.Text.Json;
using Npgsql;

namespace Ballast.Cli.Tests;

/// <summary>
/// <c>ballast export</c> and <c>ballast restore</c> through the command line: a store moved SQLite → PostgreSQL → SQLite
/// verifies and plans the same at every step, and the portfolio-file export (<c>--portfolios</c>).
/// The PostgreSQL server is the one <c>BALLAST_TEST_PG</c> names (<c>.ci/postgres.sh</c>), as for the store tests.
/// </summary>
public sealed class StoreExportCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;
    private readonly List<string> _databases = [];

    public StoreExportCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,VTI,BND,GLD\n2025-06-27,300,75,180\n2025-06-30,310,74,185\n");
        _cli.Write("monthly.yaml", "{ look: monthly, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,core\nbob,tax-deferred,USD,smith,core\ncarol,tax-free,USD,,\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,40,3000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,500,\ncarol,CASH,100,\n");
        Ok(_db, "init");
        Ok(_db, "prices", "import", "prices.csv");
        Ok(_db, "model", "set", "core", "--targets", "VTI=50%,BND=30%,GLD=20%", "--policy-file", "monthly.yaml");
        Ok(_db, "import", "accounts", "accounts.csv");
        Ok(_db, "import", "positions", "positions.csv", "--as-of", "2025-06-30");
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_databases.Count > 0)
        {
            using var c = new NpgsqlConnection(Admin);
            c.Open();
            foreach (var name in _databases)
            {
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
                drop.ExecuteNonQuery();
            }
        }
        _cli.Dispose();
    }

    private static string Admin => Environment.GetEnvironmentVariable("BALLAST_TEST_PG")
        ?? throw new InvalidOperationException("BALLAST_TEST_PG is not set: this test needs a PostgreSQL server. Run: export BALLAST_TEST_PG=\"$(.ci/postgres.sh)\" and test again.");

    /// <summary>A new, empty PostgreSQL database (no schema): what a restore starts from.</summary>
    private string NewPostgres()
    {
        var name = "ballast_export_" + Guid.NewGuid().ToString("N")[..16];
        using (var c = new NpgsqlConnection(Admin))
        {
            c.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            create.ExecuteNonQuery();
        }
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(Admin) { Database = name }.ConnectionString;
    }

    private (int Exit, string Out, string Err) Run(string db, params string[] args) => _cli.Run([.. args, "--db", db]);

    private string Ok(string db, params string[] args)
    {
        var (exit, stdout, stderr) = Run(db, args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    private long Save(string account)
    {
        var (exit, _, stderr) = Run(_db, "plan", "--account", account, "--as-of", "2025-06-30", "--save", "--csv");
        Assert.True(exit == 0, stderr);
        return long.Parse(stderr.Trim().Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The verify lines that describe the data: the summary and the ledger chain's head (the audit trail grows by the restore's own row).</summary>
    private string Verified(string db)
    {
        var (exit, stdout, stderr) = Run(db, "verify");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal("", stderr);
        return string.Join("\n", stdout.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("ok:", StringComparison.Ordinal) || l.StartsWith("chain transactions:", StringComparison.Ordinal)));
    }

    /// <summary>Every table line and row of an export, without the header (time, database) and end line, and without the restores' own audit rows.</summary>
    private List<string> Data(string file) =>
        File.ReadAllLines(Path.Combine(_cli.Directory, file))
            .Where(l => !l.StartsWith("{\"format\"", StringComparison.Ordinal) && !l.StartsWith("{\"end\"", StringComparison.Ordinal) && !l.Contains(",\"restore\",\"restored ", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void SqliteToPostgresToSqlite_VerifiesAndPlansTheSame_AndKeepsEveryRow()
    {
        // Households, lots with basis (positions), a proposal partly filled, an approved one, a deposit, prices; carol follows a model too.
        Ok(_db, "model", "assign", "core", "--account", "carol");
        var alice = Save("alice");
        using (var doc = JsonDocument.Parse(Ok(_db, "proposals", "show", alice.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")))
        {
            var buy = doc.RootElement.GetProperty("orders").EnumerateArray().First(o => o.GetProperty("side").GetString() == "buy");
            _cli.Write("fills.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nF-1,alice,2025-06-30,{buy.GetProperty("ticker").GetString()},buy,1,{(buy.GetProperty("ticker").GetString() == "GLD" ? 185 : 310)},0.35,{alice}\n");
        }
        Ok(_db, "deposit", "1000", "--account", "alice", "--date", "2025-06-30", "--key", "d-1");
        Ok(_db, "fills", "import", "fills.csv");
        Ok(_db, "proposals", "approve", Save("bob").ToString(System.Globalization.CultureInfo.InvariantCulture));
        var plan = Ok(_db, "plan", "--all", "--as-of", "2025-06-30", "--json");
        var verified = Verified(_db);
        Assert.Contains("ok:", verified);

        Assert.Contains("wrote ", Ok(_db, "export", "one.jsonl"));
        var postgres = NewPostgres();
        var restored = Ok(postgres, "restore", "one.jsonl");
        Assert.Contains("restored ", restored);
        Assert.Contains("ok:", restored);
        Assert.Equal(verified, Verified(postgres));
        Assert.Equal(plan, Ok(postgres, "plan", "--all", "--as-of", "2025-06-30", "--json"));

        Ok(postgres, "export", "two.jsonl");
        var back = Path.Combine(_cli.Directory, "back.db");
        Ok(back, "restore", "two.jsonl");
        Assert.Equal(verified, Verified(back));
        Assert.Equal(plan, Ok(back, "plan", "--all", "--as-of", "2025-06-30", "--json"));
        Ok(back, "export", "three.jsonl");

        // Every value as stored, whichever database wrote the export.
        Assert.Equal(Data("one.jsonl"), Data("two.jsonl"));
        Assert.Equal(Data("one.jsonl"), Data("three.jsonl"));
        Assert.Contains(Data("one.jsonl"), l => l.StartsWith("{\"table\":\"lots\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_IntoAStoreInUse_OrFromAnotherFile_IsRefusedWithExitTwo()
    {
        Ok(_db, "export", "one.jsonl");
        var (exit, _, stderr) = Run(_db, "restore", "one.jsonl");
        Assert.Equal(2, exit);
        Assert.Contains("--db: the store", stderr);
        Assert.Contains("is not empty", stderr);

        _cli.Write("bad.jsonl", "{\"format\":\"ballast-store\",\"format_version\":1,\"schema_version\":1}\n{\"end\":true,\"rows\":0}\n");
        var fresh = Path.Combine(_cli.Directory, "fresh.db");
        (exit, _, stderr) = Run(fresh, "restore", "bad.jsonl");
        Assert.Equal(2, exit);
        Assert.Contains("bad.jsonl:1: schema_version: bad.jsonl was exported from a store at schema version 1", stderr);
        Assert.False(File.Exists(fresh));
    }

    [Fact]
    public void Export_APathIsAFileUnlessItEndsInASlash()
    {
        var (exit, _, stderr) = Run(_db, "export", "everything.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("not YAML", stderr);
        Assert.False(Directory.Exists(Path.Combine(_cli.Directory, "everything.yaml")));

        (exit, _, stderr) = Run(_db, "export", "--portfolios", "everything.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("the store has 3 accounts: name one with --account, or give a folder ending in '/'", stderr);
        Assert.False(Directory.Exists(Path.Combine(_cli.Directory, "everything.yaml")));

        Ok(_db, "export", "--portfolios", "bob.json", "--account", "bob", "--as-of", "2025-06-30");
        Assert.True(File.Exists(Path.Combine(_cli.Directory, "bob.json")));
        (exit, _, stderr) = Run(_db, "export", "folder/");
        Assert.Equal(2, exit);
        Assert.Contains("is a folder", stderr);
    }

    [Fact]
    public void ExportPortfolios_AnAccountWithoutAModel_IsWrittenWithoutTargets_AndNamesStayInsideTheFolder()
    {
        _cli.Write("odd.csv", "account,type,currency\n../up,taxable,USD\na/b,taxable,USD\nCON,taxable,USD\n\" . \",taxable,USD\nA/B,taxable,USD\n");
        Ok(_db, "import", "accounts", "odd.csv");
        var stdout = Ok(_db, "export", "--portfolios", "out/", "--as-of", "2025-06-30");
        Assert.Contains("wrote 8 portfolio files", stdout);
        var files = Directory.GetFiles(Path.Combine(_cli.Directory, "out")).Select(f => Path.GetFileName(f)!).ToList();
        Assert.Equal(8, files.Count);
        foreach (var expected in new[] { "_up.yaml", "_CON.yaml", "account.yaml", "alice.yaml", "bob.yaml", "carol.yaml" }) Assert.Contains(expected, files);
        // a/b and A/B: one file each, even on a file system that ignores case.
        Assert.Equal(2, files.Count(f => f.StartsWith("a_b", StringComparison.OrdinalIgnoreCase)));
        Assert.Contains(files, f => f.EndsWith("-2.yaml", StringComparison.Ordinal));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_cli.Directory, "out")));
        Assert.False(File.Exists(Path.Combine(_cli.Directory, "up.yaml")));
        var carol = File.ReadAllText(Path.Combine(_cli.Directory, "out", "carol.yaml"));
        Assert.Matches(@"(?m)^targets: \{\s*\}$", carol);
        Assert.Contains("cash: 100", carol);
    }
}
