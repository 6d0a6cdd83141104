using Ballast.Backtest.Experiments;
using Ballast.Tax;

namespace Ballast.Backtest.Tests.Tax;

/// <summary>The experiment's <c>tax:</c> section, read with the portfolio file's words.</summary>
public sealed class TaxSectionTests
{
    private static Experiment Parse(string tax) => ExperimentReader.Parse(
        $"prices: prices.csv\ntargets: {{ KODEX200: 50%, VOO: 50% }}\n{tax}policies: {{ hold: {{ trigger: never }} }}\n", "exp.yaml", TestPaths.TempDirectory());

    [Fact]
    public void NoTaxSection_EstimatesNoTaxes() => Assert.Null(Parse("").Tax);

    [Fact]
    public void EmptyTaxSection_IsTheUsDefaultsWithFifo()
    {
        var tax = Parse("tax: {}\n").Tax!;

        Assert.Equal(LotSelectionMethod.Fifo, tax.LotSelection);
        var treatment = tax.Regime.Treatment(tax.TreatmentOf("VOO"));
        Assert.Equal(("US", 0.37m, 0.20m), (tax.Regime.Name, treatment.ShortTermRate, treatment.LongTermRate));
    }

    [Fact]
    public void UsRegime_TakesItsRatesAndLotOrder()
    {
        var tax = Parse("tax: { regime: { kind: us, shortTermRate: 32%, longTermRate: 15% }, lotSelection: HIFO }\n").Tax!;

        Assert.Equal(LotSelectionMethod.Hifo, tax.LotSelection);
        var treatment = tax.Regime.Treatment(null);
        Assert.Equal((0.32m, 0.15m, 30), (treatment.ShortTermRate, treatment.LongTermRate, tax.Regime.WashSaleWindowDays));
    }

    [Fact]
    public void KoreanRegime_ResolvesShortAndFullTreatmentNames()
    {
        var tax = Parse("tax:\n  regime: { kind: kr }\n  lotSelection: tax-min\n  treatments: { kodex200: domestic-equity, VOO: kr-overseas }\n").Tax!;

        Assert.Equal("KR", tax.Regime.Name);
        Assert.Equal(LotSelectionMethod.TaxMinimizing, tax.LotSelection);
        Assert.Equal(TaxRegime.KoreaDomesticEquity, tax.TreatmentOf("KODEX200"));
        Assert.Equal(TaxRegime.KoreaOverseas, tax.TreatmentOf("VOO"));
        Assert.Null(tax.Regime.WashSaleWindowDays);
    }
}
