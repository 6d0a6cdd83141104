namespace Ballast.Cli.Tests;

/// <summary>
/// Inputs that once ended in a .NET stack trace (exit 134) through the command line: each is now exit 2 with a message
/// that names the file and field, and nothing else.
/// </summary>
public sealed class InputCrashTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private const string Good = """
        asOf: 2025-06-30
        holdings: [ { ticker: VOO, value: 600 }, { ticker: BND, value: 400 } ]
        targets: { VOO: 60%, BND: 40% }
        """;

    public static TheoryData<string, string, string> Portfolios() => new()
    {
        // name, file text, what the message names
        { "deep", new string('[', 100_000) + new string(']', 100_000), "deep" },
        { "cash past decimal", Good + "\ncash: 1e30\n", "cash" },
        { "cash past the limit", Good + "\ncash: 1e28\n", "cash" },
        { "tiny price", Good.Replace("{ ticker: VOO, value: 600 }", "{ ticker: VOO, quantity: 1, price: 1e-28 }"), "price" },
        { "end of the calendar", Good.Replace("2025-06-30", "9999-12-31"), "asOf" },
        { "huge relative band", Good + "\npolicy: { relative: 1e27 }\n", "policy.relative" },
        { "huge rail", Good + "\npolicy: { relative: 20%, rebalanceTo: inner-rail, rail: 1e27 }\n", "policy.rail" },
        { "huge volatility level", Good + "\npolicy: { trigger: volatility, volatility: { level: 1e27 } }\n", "policy.volatility.level" },
        { "weight 1e27%", Good.Replace("VOO: 60%", "VOO: 1e27%"), "targets" },
    };

    [Theory]
    [MemberData(nameof(Portfolios))]
    public void BadPortfolio_IsExitTwoWithOneClearMessage(string name, string text, string names)
    {
        var file = _cli.Write("p.yaml", text);

        foreach (var command in new[] { "check", "plan" })
        {
            var (exit, _, err) = _cli.Run(command, file);

            Assert.True(exit == 2, $"{name}: {command} exited {exit}: {err}");
            Assert.DoesNotContain("   at ", err);
            Assert.Contains("p.yaml", err);
            Assert.Contains(names, err);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1e300")]
    public void BacktestPriceSeries_WithABadClose_IsExitTwoNamingTheLine(string close)
    {
        _cli.Write("prices.csv", $"date,A,B\n2020-01-01,100,100\n2020-02-03,{close},101\n2020-03-02,102,102\n");
        var experiment = _cli.Write("exp.yaml", """
            prices: prices.csv
            initial: 10000
            targets: { A: 60%, B: 40% }
            policies: { monthly: { look: monthly, trigger: always } }
            """);

        var (exit, _, err) = _cli.Run("backtest", experiment);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", err);
        Assert.Contains("exp.yaml", err);
        Assert.Contains("prices", err);
        Assert.Contains("line 3", err);
    }
}
