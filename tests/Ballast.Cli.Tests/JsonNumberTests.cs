using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>JSON prints fractions to at most 10 decimals and money to the portfolio's (or experiment's) money decimals.</summary>
public sealed class JsonNumberTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    private static readonly HashSet<string> Fractions =
        ["weight", "target", "drift", "lower", "upper", "maxDrift", "totalReturn", "cagr", "volatility", "sharpe", "sortino", "maxDrawdown",
         "turnover", "trackingError", "averageDrift", "shareOutsideBands", "maxTrackingError"];

    private static readonly HashSet<string> Money =
        ["value", "totalValue", "investedValue", "cash", "cost", "cashAfter", "estimatedCosts", "deposit", "withdraw", "proceeds", "costBasis",
         "gain", "short", "long", "estimatedTax", "cashBefore", "amount", "washSaleAdjustment", "unrealizedGain", "disallowedLosses",
         "disallowedLoss", "loss", "estimatedTaxSaved", "totalLoss", "finalValue", "costs", "costsAndTaxes"];

    /// <summary>Every number under a fraction or money name, with how many decimals it was printed with.</summary>
    private static IEnumerable<(string Name, string Text, int Decimals)> Numbers(JsonElement e, string name = "")
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    foreach (var n in Numbers(p.Value, p.Name)) yield return n;
                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray())
                    foreach (var n in Numbers(x, name)) yield return n;
                break;
            case JsonValueKind.Number:
                var text = e.GetRawText();
                Assert.DoesNotContain('E', text.ToUpperInvariant());
                var dot = text.IndexOf('.', StringComparison.Ordinal);
                yield return (name, text, dot < 0 ? 0 : text.Length - dot - 1);
                break;
        }
    }

    private static void AssertDecimals(string json, int moneyDecimals, int expectFractions = 1)
    {
        using var doc = JsonDocument.Parse(json);
        var numbers = Numbers(doc.RootElement).ToList();
        Assert.True(numbers.Count(n => Fractions.Contains(n.Name)) >= expectFractions, json);
        foreach (var (name, text, decimals) in numbers)
        {
            if (Fractions.Contains(name)) Assert.True(decimals <= 10, $"{name}: {text} has {decimals} decimals");
            if (Money.Contains(name)) Assert.True(decimals <= moneyDecimals, $"{name}: {text} has more than {moneyDecimals} decimals");
        }
    }

    [Fact]
    public void PlanJson_NormalizedThirds_PrintTenDecimals_AndMoneyToTheMoneyDecimals()
    {
        _cli.Write("thirds.yaml", """
            asOf: 2025-06-30
            execution: { moneyDecimals: 0 }
            holdings:
              - { ticker: A, value: 1000.4 }
              - { ticker: B, value: 2000.7 }
              - { ticker: C, quantity: 3.3333, price: 370.37 }
            targets: { A: 1, B: 1, C: 1 }
            """);

        var (exit, stdout, stderr) = _cli.Run("plan", "thirds.yaml", "--normalize", "--json");

        Assert.True(exit == 0, stderr);
        AssertDecimals(stdout, moneyDecimals: 0);
        using var doc = JsonDocument.Parse(stdout);
        var a = doc.RootElement.GetProperty("positions")[0];
        // 1/3 to ten places, rounded half away from zero; 1000.4 to whole units; 0.2833... (1/3 - 5pp) likewise.
        Assert.Equal("0.3333333333", a.GetProperty("target").GetRawText());
        Assert.Equal("1000", a.GetProperty("value").GetRawText());
        Assert.Equal("0.2833333333", a.GetProperty("lower").GetRawText());
        Assert.Equal("3.3333", doc.RootElement.GetProperty("positions")[2].GetProperty("quantity").GetRawText());
    }

    [Fact]
    public void CheckJson_OfEveryPortfolioExample_KeepsTheLimits()
    {
        foreach (var (file, money) in new[] { ("krw-portfolio.yaml", 2), ("sixty-forty.yaml", 2), ("household.yaml", 2), ("inner-rails.json", 2) })
        {
            var (_, stdout, _) = _cli.Run("plan", Example(file), "--json");
            AssertDecimals(stdout, money);
        }
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("tax")]
    [InlineData("harvest")]
    public void TaxJson_MoneyToTheMoneyDecimals(string command)
    {
        var (exit, stdout, stderr) = _cli.Run(command, Example("household.yaml"), "--json");

        Assert.True(exit == 0, stderr);
        AssertDecimals(stdout, moneyDecimals: 2, expectFractions: 0);
    }

    [Fact]
    public void BacktestJson_FractionsToTenDecimals_MoneyToTheExperimentsDecimals()
    {
        var (exit, stdout, stderr) = _cli.Run("backtest", Example("backtest-spy-agg.yaml"), "--json");

        Assert.True(exit == 0, stderr);
        AssertDecimals(stdout, moneyDecimals: 2);
    }

    [Fact]
    public void SimulateJson_FractionsToTenDecimals()
    {
        var (exit, stdout, stderr) = _cli.Run("simulate", Example("simulate-60-40.yaml"), "--paths", "20", "--json");

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        foreach (var (_, text, decimals) in Numbers(doc.RootElement))
            Assert.True(decimals <= 10, $"{text} has {decimals} decimals");
    }
}
