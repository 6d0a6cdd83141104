namespace Ballast.Tax.Tests;

public sealed class TaxCalculatorTests
{
    private static readonly TaxRegime Korea = TaxRegime.Korea();
    private static readonly TaxRegime Us = TaxRegime.Us(shortTermRate: 0.37m, longTermRate: 0.15m);

    private static RealizedGain Overseas(decimal amount, HoldingTerm term = HoldingTerm.LongTerm) => new(TaxRegime.KoreaOverseas, term, amount);
    private static RealizedGain UsGain(decimal amount, HoldingTerm term) => new(TaxRegime.UsTaxable, term, amount);

    // Issue golden: 22% on net overseas gains above the 2,500,000 KRW exemption.
    // (10,000,000 - 2,500,000) x 0.22 = 1,650,000.
    [Fact]
    public void Korea_TenMillionOverseasGain_Owes1650000()
    {
        var tax = TaxCalculator.Estimate(Korea, [Overseas(10_000_000m)]);

        Assert.Equal(1_650_000m, tax.Total);
    }

    // Issue golden: the loss nets against the gain. (5,000,000 - 2,000,000 - 2,500,000) x 0.22 = 110,000.
    [Fact]
    public void Korea_TwoMillionLossAgainstFiveMillionGain_Owes110000()
    {
        var tax = TaxCalculator.Estimate(Korea, [Overseas(5_000_000m), Overseas(-2_000_000m, HoldingTerm.ShortTerm)]);

        Assert.Equal(110_000m, tax.Total);
        var overseas = Assert.Single(tax.Treatments);
        Assert.Equal(2_500_000m, overseas.ExemptionUsed);
    }

    [Fact]
    public void Korea_DomesticEquityGains_AreExempt()
    {
        var tax = TaxCalculator.Estimate(Korea, [new RealizedGain(TaxRegime.KoreaDomesticEquity, HoldingTerm.ShortTerm, 10_000_000m), Overseas(3_000_000m)]);

        // Only the overseas 3,000,000 counts: (3,000,000 - 2,500,000) x 0.22.
        Assert.Equal(110_000m, tax.Total);
    }

    [Fact]
    public void Korea_GainWithinExemption_OwesNothing() =>
        Assert.Equal(0m, TaxCalculator.Estimate(Korea, [Overseas(2_500_000m)]).Total);

    // 1,000,000 x 0.154 = 154,000.
    [Fact]
    public void Korea_Dividends_Taxed154Percent() =>
        Assert.Equal(154_000m, TaxCalculator.Estimate(Korea, [], [new DividendIncome(TaxRegime.KoreaDomesticEquity, 1_000_000m)]).Total);

    // 7 x 0.22 = 1.54 won, truncated to whole won.
    [Fact]
    public void Korea_TaxTruncatedToWholeWon() =>
        Assert.Equal(1m, TaxCalculator.Estimate(Korea, [Overseas(2_500_007m)]).Total);

    // 1,000 x 0.37 + 2,000 x 0.15 = 370 + 300.
    [Fact]
    public void Us_ShortAndLongGains_TaxedAtTheirRates() =>
        Assert.Equal(670m, TaxCalculator.Estimate(Us, [UsGain(1000m, HoldingTerm.ShortTerm), UsGain(2000m, HoldingTerm.LongTerm)]).Total);

    // The short-term net loss of 1,500 offsets the long-term gain: (2,000 - 1,500) x 0.15 = 75.
    [Fact]
    public void Us_ShortTermLoss_OffsetsLongTermGain()
    {
        var tax = TaxCalculator.Estimate(Us, [UsGain(-1500m, HoldingTerm.ShortTerm), UsGain(2000m, HoldingTerm.LongTerm)]);

        Assert.Equal(75m, tax.Total);
        var t = Assert.Single(tax.Treatments);
        Assert.Equal((0m, 500m), (t.NetShortTerm, t.NetLongTerm));
    }

    // (1,000 - 500) x 0.37 = 185.
    [Fact]
    public void Us_LongTermLoss_OffsetsShortTermGain() =>
        Assert.Equal(185m, TaxCalculator.Estimate(Us, [UsGain(1000m, HoldingTerm.ShortTerm), UsGain(-500m, HoldingTerm.LongTerm)]).Total);

    [Fact]
    public void Us_NetLoss_OwesNothing() =>
        Assert.Equal(0m, TaxCalculator.Estimate(Us, [UsGain(100m, HoldingTerm.ShortTerm), UsGain(-500m, HoldingTerm.LongTerm)]).Total);

    // 0.05 x 0.37 = 0.0185, rounded half away from zero to cents.
    [Fact]
    public void Us_TaxRoundedToCents() =>
        Assert.Equal(0.02m, TaxCalculator.Estimate(Us, [UsGain(0.05m, HoldingTerm.ShortTerm)]).Total);

    // Year to date: 1,000 long-term gain owes 150. A plan losing 400 long-term leaves 600 x 0.15 = 90.
    [Fact]
    public void EstimatePlan_LossAgainstYearToDateGain_LowersTheYearsTax()
    {
        var estimate = TaxCalculator.EstimatePlan(Us, [UsGain(1000m, HoldingTerm.LongTerm)], [UsGain(-400m, HoldingTerm.LongTerm)]);

        Assert.Equal(150m, estimate.YearToDate.Total);
        Assert.Equal(90m, estimate.WithPlan.Total);
        Assert.Equal(-60m, estimate.Incremental);
    }

    // Year to date 2,000,000 uses part of the exemption; the plan's 1,000,000 leaves 500,000 taxable x 0.22.
    [Fact]
    public void EstimatePlan_Korea_UsesTheRestOfTheExemption() =>
        Assert.Equal(110_000m, TaxCalculator.EstimatePlan(Korea, [Overseas(2_000_000m)], [Overseas(1_000_000m)]).Incremental);

    [Fact]
    public void Estimate_TreatmentWithoutNetting_IgnoresLosses()
    {
        var regime = TaxRegime.Create("flat", [new TaxTreatment("flat", 0.1m, 0.1m, 0m, LossesOffsetGains: false, 0m)], "flat",
            new TaxRounding(2, MidpointRounding.AwayFromZero), washSaleWindowDays: null);

        var tax = TaxCalculator.Estimate(regime, [new RealizedGain("flat", HoldingTerm.ShortTerm, 1000m), new RealizedGain("flat", HoldingTerm.ShortTerm, -400m)]);

        Assert.Equal(100m, tax.Total);
    }

    // The exemption goes to the higher-rate term first: short-term 1,000 is exempt, long-term 1,000 x 0.10 = 100.
    [Fact]
    public void Estimate_Exemption_AppliedToHigherRateTermFirst()
    {
        var regime = TaxRegime.Create("x", [new TaxTreatment("x", 0.3m, 0.1m, 1000m, LossesOffsetGains: true, 0m)], "x",
            new TaxRounding(2, MidpointRounding.AwayFromZero), washSaleWindowDays: null);

        var tax = TaxCalculator.Estimate(regime, [new RealizedGain("x", HoldingTerm.ShortTerm, 1000m), new RealizedGain("x", HoldingTerm.LongTerm, 1000m)]);

        Assert.Equal(100m, tax.Total);
    }

    [Fact]
    public void Estimate_UnknownTreatment_Throws() =>
        Assert.Throws<ArgumentException>(() => TaxCalculator.Estimate(Us, [new RealizedGain("kr-overseas", HoldingTerm.LongTerm, 1m)]));

    [Fact]
    public void Estimate_NegativeDividend_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TaxCalculator.Estimate(Korea, [], [new DividendIncome(TaxRegime.KoreaOverseas, -1m)]));

    [Fact]
    public void Create_InconsistentRegimes_Throw()
    {
        var rounding = new TaxRounding(2, MidpointRounding.AwayFromZero);
        Assert.Throws<ArgumentOutOfRangeException>(() => TaxRegime.Us(shortTermRate: 37m, longTermRate: 0.15m));
        Assert.Throws<ArgumentException>(() => TaxRegime.Create("x", [], "x", rounding, null));
        Assert.Throws<ArgumentException>(() => TaxRegime.Create("x", [new TaxTreatment("a", 0m, 0m, 0m, true, 0m), new TaxTreatment("a", 0m, 0m, 0m, true, 0m)], "a", rounding, null));
        Assert.Throws<ArgumentException>(() => TaxRegime.Create("x", [new TaxTreatment("a", 0m, 0m, 0m, true, 0m)], "b", rounding, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaxRegime.Create("x", [new TaxTreatment("a", 0m, 0m, -1m, true, 0m)], "a", rounding, null));
    }

    [Fact]
    public void Estimate_RegimeBuiltWithoutCreate_IsStillChecked()
    {
        var regime = new TaxRegime("x", [new TaxTreatment("a", 1.5m, 0m, 0m, true, 0m)], "a", new TaxRounding(2, MidpointRounding.AwayFromZero), null);

        Assert.Throws<ArgumentOutOfRangeException>(() => TaxCalculator.Estimate(regime, []));
    }

    [Fact]
    public void TreatmentOf_UsesTheSecuritysTreatmentElseTheDefault()
    {
        var byTicker = new Dictionary<string, string> { ["069500"] = TaxRegime.KoreaDomesticEquity };

        Assert.Equal(TaxRegime.KoreaDomesticEquity, Korea.TreatmentOf("069500", byTicker));
        Assert.Equal(TaxRegime.KoreaOverseas, Korea.TreatmentOf("VOO", byTicker));
    }
}
