namespace Ballast.Cli.Tests;

/// <summary><c>ballast import</c> on files that must be refused cleanly (exit 2, one line per problem, no stack trace) or skipped on request.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public ImportCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,VTI,BND\n2025-06-27,300,75\n");
        _cli.Write("accounts.csv", "account,type,currency,broker_account\nalice,taxable,USD,X-1\nbob,tax-free,USD,X-2\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("import", "accounts", "accounts.csv");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run([.. args, "--db", _db]);

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    private string Refused(params string[] args)
    {
        var (exit, _, stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        return stderr;
    }

    [Fact]
    public void SkipUnknown_ListsTheSkippedRows_WithoutItEveryRowIsListedAndNothingWritten()
    {
        _cli.Write("tx.csv", """
            Date,Action,Symbol,Description,Quantity,Price,Fees & Comm,Amount
            06/02/2025,MoneyLink Transfer,,Tfr BANK,,,,"$5,000.00"
            06/03/2025,Buy,VTI,VANGUARD,10,$300.00,,"-$3,000.00"
            06/04/2025,Sell to Open,VTI 07/18/2025 320.00 C,CALL,1,$2.00,$0.65,$199.35
            06/05/2025,Stock Merger,OLDCO,OLD CO,-5,,,
            06/06/2025,Stock Split,VTI,VANGUARD,10,,,

            Date downloaded 06/30/2025
            """);
        var stderr = Refused("import", "transactions", "tx.csv", "--account", "alice", "--layout", "schwab");
        Assert.Contains("tx.csv:4", stderr, StringComparison.Ordinal);
        Assert.Contains("tx.csv:5", stderr, StringComparison.Ordinal);
        var stdout = Ok("import", "transactions", "tx.csv", "--account", "alice", "--layout", "schwab", "--skip-unknown");
        Assert.Contains("3 transactions added", stdout, StringComparison.Ordinal);
        Assert.Contains("skipped line 4: 'Sell to Open' of VTI 07/18/2025 320.00 C is not modeled", stdout, StringComparison.Ordinal);
        Assert.Contains("skipped line 5: 'Stock Merger' of OLDCO is not modeled", stdout, StringComparison.Ordinal);
        Assert.Contains("ok", Ok("verify"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BadFiles_AreOneLineErrors_WithExitTwo()
    {
        _cli.Write("quote.csv", "ticker,quantity\nVTI,1\n\"BND,2\nVTI,3\n");
        Assert.Contains("quote.csv:3", Refused("import", "positions", "quote.csv", "--account", "alice"), StringComparison.Ordinal);
        _cli.Write("nul.csv", "ticker,quantity\nVT\0I,1\n");
        Assert.Contains("NUL", Refused("import", "positions", "nul.csv", "--account", "alice"), StringComparison.Ordinal);
        _cli.Write("late.csv", string.Concat(Enumerable.Repeat("x\n", 30)) + "ticker,quantity\nVTI,1\n");
        Assert.Contains("first 20 lines", Refused("import", "positions", "late.csv", "--account", "alice"), StringComparison.Ordinal);
        _cli.Write("huge.csv", "date,type,amount\n2025-06-01,deposit,922337203685477\n2025-06-02,deposit,922337203685477\n");
        Assert.Contains("largest amount", Refused("import", "transactions", "huge.csv", "--account", "alice"), StringComparison.Ordinal);
        _cli.Write("big.csv", "ticker,quantity\nVTI,99999999999999999999\n");
        Assert.Contains("too large", Refused("import", "positions", "big.csv", "--account", "alice"), StringComparison.Ordinal);
    }

    [Fact]
    public void MultiAccountFile_RoutesByBrokerNumber_AndRefusesAccountFlag()
    {
        _cli.Write("pos.csv", "Account Number,Account Name,Symbol,Quantity,Last Price,Current Value,Cost Basis Total\nX-1,A,VTI,5,$300.00,\"$1,500.00\",$1000\nX-2,B,BND,8,$75.00,$600.00,\nX-2,B,SPAXX**,,,$12.50,\n");
        Assert.Contains("holds 2 accounts", Refused("import", "positions", "pos.csv", "--layout", "fidelity", "--account", "alice", "--as-of", "2025-06-27"), StringComparison.Ordinal);
        Ok("import", "positions", "pos.csv", "--layout", "fidelity", "--as-of", "2025-06-27");
        Assert.Contains("0 adjustments", Ok("import", "positions", "pos.csv", "--layout", "fidelity", "--as-of", "2025-06-27"), StringComparison.Ordinal);
        Assert.Contains("ok", Ok("verify"), StringComparison.OrdinalIgnoreCase);
    }
}
