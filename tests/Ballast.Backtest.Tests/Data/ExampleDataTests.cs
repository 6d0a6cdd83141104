using Ballast.Backtest.Data;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Tests.Data;

public sealed class ExampleDataTests
{
    private static string Shipped => TestPaths.InRepo(UsStocksBondsMonthly.OutputRelativePath);

    /// <summary>
    /// The shipped example must be exactly what the generator makes from the Shiller file. To regenerate
    /// after changing the generator, run this test with BALLAST_REGENERATE_EXAMPLES=1; it then rewrites
    /// the file before comparing.
    /// </summary>
    [Fact]
    public void UsStocksBondsMonthly_ShippedFile_EqualsRegenerated()
    {
        var generated = UsStocksBondsMonthly.Generate(TestPaths.InRepo(UsStocksBondsMonthly.SourceRelativePath));
        if (Environment.GetEnvironmentVariable("BALLAST_REGENERATE_EXAMPLES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Shipped)!);
            File.WriteAllText(Shipped, generated);
        }

        Assert.True(File.Exists(Shipped), $"{Shipped} is missing; run this test with BALLAST_REGENERATE_EXAMPLES=1");
        Assert.True(File.ReadAllText(Shipped) == generated, "the shipped example differs from the generator's output; run this test with BALLAST_REGENERATE_EXAMPLES=1 and review the diff");
    }

    [Fact]
    public void UsStocksBondsMonthly_LoadsAsMonthlyIndexWithExpectedSpanAndNominalGrowth()
    {
        var table = PriceCsv.LoadMonthlyIndex(Shipped);
        var stocks = table.Closes("US_STOCKS");
        var bonds = table.Closes("US_10Y");

        // 1926-01 through 2023-09: 97 * 12 + 8 = 1172 months after the first, so 1173 rows.
        Assert.Equal(1173, table.Count);
        Assert.Equal((new DateOnly(1926, 1, 1), new DateOnly(2023, 9, 1)), (table.Dates[0], table.Dates[^1]));
        Assert.Equal((1.0, 1.0), (stocks[0], bonds[0]));
        // Nominal US stock total return over this span is about 10 % a year and the 10-year Treasury about
        // 5 %; a real series would show roughly 3 points less. The bounds separate the two.
        var stockCagr = Performance.Cagr(table.Dates, stocks);
        var bondCagr = Performance.Cagr(table.Dates, bonds);
        Assert.InRange(stockCagr, 0.09, 0.11);
        Assert.InRange(bondCagr, 0.04, 0.06);
    }

    [Fact]
    public void UsStocksBondsMonthly_FirstMonths_FollowFromShillerColumns()
    {
        var table = PriceCsv.LoadMonthlyIndex(Shipped);

        // shiller_ie_data_monthly.csv, 1926-01 and 1926-02: real_tr_price 3925.999038212124 and
        // 3948.111878644741, cpi 17.9 both months, so nominal growth = 3948.11.../3925.99... ; the bond index
        // in 1926-02 is 1926-01's gross return 1.0054209127544818.
        Assert.Equal(3948.111878644741 / 3925.999038212124, table.Close(1, "US_STOCKS"), 12);
        Assert.Equal(1.0054209127544818, table.Close(1, "US_10Y"), 15);
    }

    [Fact]
    public void SourcesFile_CreditsShillerAndLicence()
    {
        var text = File.ReadAllText(TestPaths.InRepo("examples/data/SOURCES.md"));

        Assert.Contains("Robert J. Shiller", text, StringComparison.Ordinal);
        Assert.Contains("ODC-PDDL", text, StringComparison.Ordinal);
    }
}
