using System.Text.Json;

namespace Ballast.Backtest.Tests.Tax;

using Cli = Ballast.Backtest.Tests.Engine.Cli;

/// <summary>
/// The commands' output for an experiment with a tax section: the hand-checked HIFO case of
/// <see cref="BacktestTaxTests"/> (US 30%/15%) run through <c>ballast backtest</c> and <c>ballast tune</c>.
/// </summary>
public sealed class TaxOutputTests
{
    private const string Prices = "date,A,B\n2020-01-02,100,100\n2021-01-04,200,125\n2022-01-03,160,200\n2023-01-03,128,48\n";

    private const string Experiment = """
        name: Tax golden
        prices: prices.csv
        initial: 10000
        targets: { A: 50%, B: 50% }
        tax:
          regime: { kind: us, shortTermRate: 30%, longTermRate: 15% }
          lotSelection: hifo
        policies:
          annual: { look: annual, trigger: always }
          never: { trigger: never }
        """;

    private static string Folder(string experiment = Experiment)
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), experiment);
        File.WriteAllText(Path.Combine(dir, "prices.csv"), Prices);
        return dir;
    }

    [Fact]
    public void BacktestJson_AddsRealizedGainsAndTaxPerYear_InCurrencyUnits()
    {
        var (exit, output, err) = Cli.RunIn(Folder(), "backtest", "exp.yaml", "--json");

        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var annual = doc.RootElement.GetProperty("results")[0];
        string[] fields = ["name", "finalValue", "totalReturn", "cagr", "volatility", "sharpe", "sortino", "maxDrawdown", "rebalances", "turnover", "costs",
            "trackingError", "averageDrift", "maxDrift", "shareOutsideBands", "realizedGain", "disallowedLosses", "estimatedTax", "taxByYear"];
        Assert.Equal(fields, annual.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(475m, annual.GetProperty("realizedGain").GetProperty("short").GetDecimal());
        Assert.Equal(1_090.94m, annual.GetProperty("realizedGain").GetProperty("long").GetDecimal());
        Assert.Equal(496.88m, annual.GetProperty("estimatedTax").GetDecimal());
        var years = annual.GetProperty("taxByYear").EnumerateArray()
            .Select(y => (y.GetProperty("year").GetInt32(), y.GetProperty("realizedGain").GetProperty("short").GetDecimal(),
                y.GetProperty("realizedGain").GetProperty("long").GetDecimal(), y.GetProperty("estimatedTax").GetDecimal()))
            .ToArray();
        Assert.Equal([(2020, 0m, 0m, 0m), (2021, 0m, 937.50m, 140.63m), (2022, 1_125m, 125m, 356.25m), (2023, -650m, 28.44m, 0m)], years);

        // Buy and hold never sells: four years of zeros.
        var never = doc.RootElement.GetProperty("results")[1];
        Assert.Equal(0m, never.GetProperty("estimatedTax").GetDecimal());
        Assert.Equal(4, never.GetProperty("taxByYear").GetArrayLength());
    }

    [Fact]
    public void BacktestCsv_AddsTheTaxTotals()
    {
        var (exit, output, err) = Cli.RunIn(Folder(), "backtest", "exp.yaml", "--csv");

        Assert.True(exit == 0, err);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.EndsWith(",shareOutsideBands,realizedGainShort,realizedGainLong,estimatedTax", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",475,1090.94,496.88", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",0,0,0", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void BacktestTable_ShowsTheRegimeAndATaxTable()
    {
        var (exit, output, err) = Cli.RunIn(Folder(), "backtest", "exp.yaml");

        Assert.True(exit == 0, err);
        Assert.Contains("Taxes: US 30% short-term, 15% long-term; hifo lots; estimated, not paid from the portfolio", output, StringComparison.Ordinal);
        // Piped tables have ASCII borders: cells are separated by spaces and '|'.
        Assert.Matches(@"Policy[\s|]+Realized ST[\s|]+Realized LT[\s|]+Disallowed[\s|]+Tax[\s|]+Costs \+ tax[\s|]+Worst year", output);
        Assert.Matches(@"annual[\s|]+475[\s|]+1,091[\s|]+0[\s|]+497[\s|]+497[\s|]+2022: 356", output);
    }

    [Fact]
    public void WithoutATaxSection_NothingAboutTaxesIsPrinted()
    {
        var plain = Experiment[..Experiment.IndexOf("tax:", StringComparison.Ordinal)] + Experiment[Experiment.IndexOf("policies:", StringComparison.Ordinal)..];
        var dir = Folder(plain);

        var table = Cli.RunIn(dir, "backtest", "exp.yaml");
        var json = Cli.RunIn(dir, "backtest", "exp.yaml", "--json");
        var csv = Cli.RunIn(dir, "backtest", "exp.yaml", "--csv");

        Assert.Equal(0, table.Exit);
        Assert.DoesNotContain("Taxes:", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Realized", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("estimatedTax", json.Out, StringComparison.Ordinal);
        Assert.EndsWith(",shareOutsideBands", csv.Out.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Report_HasATaxTablePerYear()
    {
        var dir = Folder();

        var (exit, _, err) = Cli.RunIn(dir, "backtest", "exp.yaml", "--report", "report.html");

        Assert.True(exit == 0, err);
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("<h2>Estimated tax per year</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Year</th><th>annual</th><th>never</th>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>2022</td><td>356.25</td><td>0.00</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Estimated tax</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TuneJson_GivesTaxAndCostsPlusTax()
    {
        var dir = Folder(Experiment + "\ntune: { absolute: [5%, 20%], look: [annual], objective: { maxTrackingError: 50% } }\n");

        var (exit, output, err) = Cli.RunIn(dir, "tune", "exp.yaml", "--json");

        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        foreach (var r in results)
            Assert.Equal(r.GetProperty("costs").GetDouble() + (double)r.GetProperty("estimatedTax").GetDecimal(), r.GetProperty("costsAndTaxes").GetDouble(), 9);
        // With 5pp bands every annual look rebalances (the drifts in the table are 11 to 27 pp): the hand-checked 496.88.
        var narrow = results.Single(r => r.GetProperty("name").GetString()!.Contains("5pp", StringComparison.Ordinal));
        Assert.Equal(496.88m, narrow.GetProperty("estimatedTax").GetDecimal());

        var table = Cli.RunIn(dir, "tune", "exp.yaml");
        Assert.Contains("Frontier of costs plus estimated taxes against tracking error", table.Out, StringComparison.Ordinal);
    }
}
