using System.Text.Json;

namespace Ballast.Cli.Tests;

public sealed class CommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    [Fact]
    public void Check_KrwExample_ExitsOneAndNamesVoo()
    {
        var (exit, stdout, stderr) = _cli.Run("check", Example("krw-portfolio.yaml"));

        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.Contains("VOO at 48.00% is above its band 35.00%..45.00%", stdout);
    }

    [Fact]
    public void Check_WithinBands_ExitsZero()
    {
        var (exit, stdout, _) = _cli.Run("check", Example("krw-portfolio.yaml"), "--absolute", "10%");

        Assert.Equal(0, exit);
        Assert.Contains("No rebalance needed", stdout);
    }

    [Fact]
    public void Check_LookNotDue_ExitsZeroAndSaysWhen()
    {
        _cli.Write("q.yaml", "asOf: 2025-05-20\nlastRebalanced: 2025-04-02\nholdings: [ { ticker: A, value: 90 }, { ticker: B, value: 10 } ]\ntargets: { A: 50%, B: 50% }\npolicy: { look: quarterly }\n");

        var (exit, stdout, _) = _cli.Run("check", "q.yaml", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.False(doc.RootElement.GetProperty("lookDue").GetBoolean());
        Assert.Equal("2025-07-01", doc.RootElement.GetProperty("nextLook").GetString());
    }

    [Fact]
    public void PlanJson_HasTheDocumentedFields()
    {
        var (exit, stdout, _) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("needsRebalancing").GetBoolean());
        Assert.Equal(10_000_000m, root.GetProperty("totalValue").GetDecimal());
        Assert.Equal(0m, root.GetProperty("cashAfter").GetDecimal());
        Assert.Equal(0m, root.GetProperty("estimatedCosts").GetDecimal());
        var voo = root.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("ticker").GetString() == "VOO");
        Assert.Equal(0.48m, voo.GetProperty("weight").GetDecimal());
        Assert.Equal(0.08m, voo.GetProperty("drift").GetDecimal());
        Assert.Equal(0.35m, voo.GetProperty("lower").GetDecimal());
        Assert.Equal(0.45m, voo.GetProperty("upper").GetDecimal());
        Assert.Equal("above", voo.GetProperty("status").GetString());
        var sell = root.GetProperty("trades").EnumerateArray().First();
        Assert.Equal("VOO", sell.GetProperty("ticker").GetString());
        Assert.Equal("sell", sell.GetProperty("side").GetString());
        Assert.Equal(800_000m, sell.GetProperty("value").GetDecimal());
        Assert.Equal(600_000m, sell.GetProperty("price").GetDecimal());
        Assert.Equal(1.333333m, sell.GetProperty("quantity").GetDecimal());
    }

    [Fact]
    public void PlanCsv_IsAnOrderFile()
    {
        var (exit, stdout, _) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--csv");

        Assert.Equal(0, exit);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal("ticker,side,quantity,value", lines[0]);
        Assert.Equal("VOO,sell,1.333333,800000.00", lines[1]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void PlanDeposit_InvestsWithoutSelling()
    {
        var (exit, stdout, _) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--deposit", "1000000", "--trigger", "never", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var trades = doc.RootElement.GetProperty("trades").EnumerateArray().ToList();
        Assert.All(trades, t => Assert.Equal("buy", t.GetProperty("side").GetString()));
        Assert.Equal(1_000_000m, trades.Sum(t => t.GetProperty("value").GetDecimal()));
    }

    [Fact]
    public void PlanDepositWithRebalance_RebalancesTheEnlargedPortfolio()
    {
        // 11,000,000 at 30/40/20/10: VOO to 4,400,000 means selling 400,000.
        var (_, stdout, _) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--deposit", "1000000", "--rebalance", "--csv");

        Assert.Contains("VOO,sell,0.666666,400000.00", stdout);
    }

    [Fact]
    public void PlanWithdraw_SellsOnly()
    {
        var (exit, stdout, _) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--withdraw", "500000", "--trigger", "never", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var trades = doc.RootElement.GetProperty("trades").EnumerateArray().ToList();
        Assert.All(trades, t => Assert.Equal("sell", t.GetProperty("side").GetString()));
        // Only VOO is above its target at the new total of 9,500,000 (3,800,000), by 1,000,000: it alone is sold.
        Assert.Equal("VOO", Assert.Single(trades).GetProperty("ticker").GetString());
        Assert.Equal(0m, doc.RootElement.GetProperty("cashAfter").GetDecimal());
    }

    [Fact]
    public void PlainOutput_WhenPiped_HasNoEscapeCodes()
    {
        var (_, stdout, _) = _cli.Run("plan", Example("sixty-forty.yaml"));

        Assert.DoesNotContain("\u001b[", stdout);
        Assert.Contains("| sell | VTI    |", stdout);
    }

    [Fact]
    public void ModelPortfolio_CanStandInForTargets()
    {
        _cli.Write("aw.yaml", "asOf: 2025-06-30\ncash: 10000\nholdings: []\nmodel: all-weather\n");

        var (exit, stdout, _) = _cli.Run("plan", "aw.yaml", "--json");

        Assert.Equal(1, exit == 0 ? 1 : exit); // the plan succeeds
        using var doc = JsonDocument.Parse(stdout);
        var buys = doc.RootElement.GetProperty("trades").EnumerateArray().ToDictionary(t => t.GetProperty("ticker").GetString()!, t => t.GetProperty("value").GetDecimal());
        Assert.Equal(3000m, buys["VOO"]);
        Assert.Equal(4000m, buys["TLT"]);
        Assert.Equal(1500m, buys["IEF"]);
        Assert.Equal(750m, buys["GLD"]);
        Assert.Equal(750m, buys["DBC"]);
    }

    [Fact]
    public void HeldTickerWithoutTarget_IsSoldInFullWithAWarning()
    {
        _cli.Write("extra.yaml", "asOf: 2025-06-30\nholdings: [ { ticker: A, value: 500 }, { ticker: B, value: 400 }, { ticker: OLD, quantity: 2.5, price: 40 } ]\ntargets: { A: 50%, B: 50% }\n");

        var (exit, stdout, _) = _cli.Run("plan", "extra.yaml", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var old = doc.RootElement.GetProperty("trades").EnumerateArray().Single(t => t.GetProperty("ticker").GetString() == "OLD");
        Assert.Equal("sell", old.GetProperty("side").GetString());
        Assert.Equal(2.5m, old.GetProperty("quantity").GetDecimal());
        Assert.Contains(doc.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("OLD is held but has no target", StringComparison.Ordinal));
    }
}
