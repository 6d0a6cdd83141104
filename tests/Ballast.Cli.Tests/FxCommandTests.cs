using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>
/// Currencies, FX rates and stored execution settings through the command line, on an SQLite store: a KRW account <c>kr</c>
/// holding 10 VTI (a USD security) and 5,000,000 won, and a USD account <c>us</c> holding 20 VTI and 3,000 dollars.
/// </summary>
public sealed class FxCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public FxCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,ticker,close,currency\n2025-06-26,VTI,320,USD\n2025-06-26,BND,72,USD\n2025-06-30,VTI,331.25,USD\n2025-06-30,BND,72.10,USD\n");
        _cli.Write("fx.csv", "date,pair,rate\n2025-06-27,USDKRW,1380.5\n2025-06-30,USDKRW,1390.25\n");
        _cli.Write("accounts.csv", "account,type,currency,model\nkr,taxable,KRW,sixty\nus,taxable,USD,sixty\n");
        _cli.Write("positions.csv", "account,ticker,quantity\nkr,VTI,10\nkr,CASH,5000000\nus,VTI,20\nus,CASH,3000\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("fx", "import", "fx.csv");
        Ok("model", "set", "sixty", "--targets", "VTI=60%,BND=40%");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2025-06-30");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run([.. args, "--db", _db]);

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    [Fact]
    public void PlanAccount_KrwAccountHoldingUsdTicker_IsValuedThroughTheRate_AndNamesTheConversion()
    {
        var (exit, stdout, stderr) = Run("plan", "--account", "kr", "--as-of", "2025-06-30", "--json");
        Assert.True(exit == 0, stderr);
        Assert.Contains("VTI is priced in KRW: 331.25 USD x USDKRW 1390.25 (2025-06-30) = 460520.3125 KRW", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("KRW", root.GetProperty("currency").GetString());
        // 10 shares x 460,520.3125 won = 4,605,203.125, shown at 2 decimals.
        var vti = root.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("ticker").GetString() == "VTI");
        Assert.Equal(4_605_203.13m, vti.GetProperty("value").GetDecimal());
        Assert.Equal(9_605_203.13m, root.GetProperty("totalValue").GetDecimal());
        var fx = root.GetProperty("fx").EnumerateArray().Single(f => f.GetProperty("ticker").GetString() == "VTI");
        Assert.Equal(("USD", 331.25m, "USDKRW", "2025-06-30", 1390.25m, false, 460_520.3125m),
            (fx.GetProperty("currency").GetString(), fx.GetProperty("close").GetDecimal(), fx.GetProperty("pair").GetString(), fx.GetProperty("date").GetString(),
             fx.GetProperty("rate").GetDecimal(), fx.GetProperty("inverse").GetBoolean(), fx.GetProperty("price").GetDecimal()));
        // Orders stay in shares, priced in won: 5,000,000 won buys dozens of BND, not tens of thousands.
        var bnd = root.GetProperty("trades").EnumerateArray().Single(t => t.GetProperty("ticker").GetString() == "BND");
        Assert.Equal(100_237.025m, bnd.GetProperty("price").GetDecimal());
        Assert.InRange(bnd.GetProperty("quantity").GetDecimal(), 37m, 39m);

        // A USD account holding the same ticker is not converted.
        var us = Run("plan", "--account", "us", "--as-of", "2025-06-30", "--json");
        Assert.Equal(0, us.Exit);
        Assert.DoesNotContain("priced in", us.Err, StringComparison.Ordinal);
        Assert.False(JsonDocument.Parse(us.Out).RootElement.TryGetProperty("fx", out _));
    }

    [Fact]
    public void PlanAccount_WithoutARate_IsRefusedNamingThePairAndDate()
    {
        // The first USDKRW rate is of 2025-06-27; the closes of 2025-06-26 cannot be priced in won.
        var (exit, stdout, stderr) = Run("plan", "--account", "kr", "--as-of", "2025-06-26");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("no USDKRW rate (nor KRWUSD) on or before 2025-06-26 to price VTI (USD) in KRW", stderr, StringComparison.Ordinal);
        Assert.Equal(2, Run("check", "--account", "kr", "--as-of", "2025-06-26").Exit);
    }

    [Fact]
    public void FxImport_BadRow_RefusesTheFile_AndListsShowCoverage()
    {
        _cli.Write("bad.csv", "date,pair,rate\n2025-06-30,EURUSD,1.07\n2025-06-30,EURUSD1,1.08\n");
        var (exit, _, stderr) = Run("fx", "import", "bad.csv");
        Assert.Equal(2, exit);
        Assert.Contains("bad.csv:3: pair:", stderr, StringComparison.Ordinal);
        var list = Ok("fx", "list", "--json");
        using var doc = JsonDocument.Parse(list);
        var pair = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal(("USDKRW", 2, "2025-06-27", "2025-06-30", 1390.25m),
            (pair.GetProperty("pair").GetString(), pair.GetProperty("rates").GetInt32(), pair.GetProperty("first").GetString(), pair.GetProperty("last").GetString(),
             pair.GetProperty("latest").GetDecimal()));
        var prices = Ok("prices", "list");
        Assert.Contains("USDKRW", prices, StringComparison.Ordinal);
        Assert.Contains("1 FX pair", prices, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(Ok("prices", "list", "--json"));
        Assert.All(json.RootElement.EnumerateArray(), p => Assert.Equal("USD", p.GetProperty("currency").GetString()));
    }

    [Fact]
    public void StoredExecutionSettings_PlanAsThePortfolioFileWithTheSameExecutionBlock()
    {
        _cli.Write("execution.yaml", "wholeShares: true\nminTrade: 100\n");
        Ok("model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--execution-file", "execution.yaml");
        Assert.Contains("us: execution minTrade=1500, commission=1", Ok("accounts", "set", "us", "--min-trade", "1500", "--commission", "1"), StringComparison.Ordinal);
        _cli.Write("us.yaml", """
            asOf: 2025-06-30
            currency: USD
            cash: 3000
            holdings:
              - { ticker: VTI, quantity: 20 }
            prices: { VTI: 331.25, BND: 72.10 }
            targets: { VTI: 60%, BND: 40% }
            execution:
              wholeShares: true
              minTrade: 1500
              commission: 1
            """);
        var fromStore = JsonDocument.Parse(Ok("plan", "--account", "us", "--as-of", "2025-06-30", "--json")).RootElement;
        var fromFile = JsonDocument.Parse(Ok("plan", "us.yaml", "--json")).RootElement;
        var trades = fromStore.GetProperty("trades").GetRawText();
        Assert.Equal(fromFile.GetProperty("trades").GetRawText(), trades);
        Assert.Equal(fromFile.GetProperty("cashAfter").GetDecimal(), fromStore.GetProperty("cashAfter").GetDecimal());
        Assert.NotEqual("[]", trades);
        Assert.All(fromStore.GetProperty("trades").EnumerateArray(), t => Assert.Equal(1m, t.GetProperty("cost").GetDecimal()));
        // A plan flag overrides both: without the minimum the plan differs.
        var flagged = JsonDocument.Parse(Ok("plan", "--account", "us", "--as-of", "2025-06-30", "--json", "--min-trade", "0")).RootElement;
        Assert.NotEqual(trades, flagged.GetProperty("trades").GetRawText());

        using var accounts = JsonDocument.Parse(Ok("accounts", "list", "--json"));
        var us = accounts.RootElement.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "us").GetProperty("execution");
        Assert.Equal((1500m, 1m), (us.GetProperty("minTrade").GetDecimal(), us.GetProperty("commission").GetDecimal()));
        using var models = JsonDocument.Parse(Ok("model", "list", "--json"));
        var versions = models.RootElement.EnumerateArray().Single().GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.False(versions[0].TryGetProperty("execution", out _));
        Assert.True(versions[1].GetProperty("execution").GetProperty("wholeShares").GetBoolean());
        // A new version keeps the settings; a flag changes one field.
        Ok("model", "set", "sixty", "--targets", "VTI=50%,BND=50%", "--min-trade", "200");
        Assert.Contains("wholeShares=true, minTrade=200", Ok("model", "list", "sixty"), StringComparison.Ordinal);

        var bad = Run("accounts", "set", "us", "--money-decimals", "12");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--money-decimals", bad.Err, StringComparison.Ordinal);
        Assert.Contains("minTrade=1500", Ok("accounts", "list"), StringComparison.Ordinal);
        Assert.Contains("us: no own execution settings", Ok("accounts", "set", "us", "--clear"), StringComparison.Ordinal);
        Assert.Equal(2, Run("accounts", "set", "nobody", "--min-trade", "5").Exit);
    }
}
