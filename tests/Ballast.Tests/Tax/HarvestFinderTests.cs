using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class HarvestFinderTests
{
    private static readonly DateOnly AsOf = D("2025-03-03");
    private static readonly TaxRegime Us = TaxRegime.Us(0.37m, 0.15m);
    private static readonly Dictionary<string, string> Pairs = new() { ["VOO"] = "IVV", ["IVV"] = "VOO", ["BND"] = "BND" };

    private static HarvestRequest Request(IReadOnlyList<TaxLot> lots, Dictionary<string, decimal> prices) => new()
    {
        OpenLots = lots,
        Prices = prices,
        AsOf = AsOf,
        Regime = Us,
        Substitutes = Pairs,
        Identical = new IdenticalTickers([["VOO", "SPLG"]]),
    };

    // 100 shares bought for 10,000, now 90 each: a 1,000 loss (10% of basis, over 5% and over 100).
    // With 5,000 of long-term gains this year the tax falls from 750 to (5,000 - 1,000) x 0.15 = 600: 150 saved.
    [Fact]
    public void Find_LossOverBothThresholds_ProposesSaleAndSubstitute()
    {
        var request = Request([Lot("v", "2024-01-10", 100m, 10_000m)], new() { ["VOO"] = 90m }) with
        {
            YearToDate = [new RealizedGain(TaxRegime.UsTaxable, HoldingTerm.LongTerm, 5000m)],
        };

        var report = HarvestFinder.Find(request);

        var candidate = Assert.Single(report.Candidates);
        Assert.Equal(("taxable", "VOO", "IVV", 1000m, 9000m), (candidate.Account, candidate.Ticker, candidate.Substitute, candidate.Loss, candidate.Proceeds));
        Assert.Equal(HoldingTerm.LongTerm, Assert.Single(candidate.Lots).Term);
        Assert.Equal(150m, candidate.EstimatedTaxSaved);
        Assert.Equal(150m, report.EstimatedTaxSaved);
        Assert.Empty(report.HeldBack);
    }

    [Theory]
    [InlineData(95, 0)]      // a loss of exactly 5% (500) does not exceed 5%
    [InlineData(94.99, 1)]   // 501 exceeds both
    public void Find_PercentThreshold_IsStrict(decimal price, int expected) =>
        Assert.Equal(expected, HarvestFinder.Find(Request([Lot("v", "2024-01-10", 100m, 10_000m)], new() { ["VOO"] = price })).Candidates.Count);

    // 10% of a 900 basis is only 90, under the 100 minimum.
    [Fact]
    public void Find_SmallLoss_UnderAmountThreshold_NotListed()
    {
        var report = HarvestFinder.Find(Request([Lot("v", "2024-01-10", 9m, 900m)], new() { ["VOO"] = 90m }));

        Assert.Empty(report.Candidates);
        Assert.Empty(report.HeldBack);
    }

    // SPLG (identical to VOO) was bought in the IRA 10 days ago; a VOO loss sale before 30 days pass is a wash sale.
    [Fact]
    public void Find_IdenticalBoughtRecentlyInAnotherAccount_HeldBackUntilThirtyDaysAfter()
    {
        var lots = new[] { Lot("v", "2024-01-10", 100m, 10_000m), Lot("s", "2025-02-21", 10m, 500m, ticker: "SPLG", account: "ira") };

        var report = HarvestFinder.Find(Request(lots, new() { ["VOO"] = 90m, ["SPLG"] = 50m }));

        Assert.Empty(report.Candidates);
        var held = Assert.Single(report.HeldBack);
        Assert.Equal(("VOO", D("2025-03-23")), (held.Ticker, held.Until));
        Assert.Contains("SPLG", held.Reason);
    }

    [Fact]
    public void Find_PlannedPurchaseOfIdentical_HeldBack()
    {
        var request = Request([Lot("v", "2024-01-10", 100m, 10_000m)], new() { ["VOO"] = 90m }) with
        {
            PlannedPurchases = [new Purchase("SPLG", "roth", D("2025-03-20"))],
        };

        var held = Assert.Single(HarvestFinder.Find(request).HeldBack);

        Assert.Equal(D("2025-04-19"), held.Until);
    }

    // Buying IVV would be within 30 days of the IVV loss sale of Feb 20: held back through Mar 22.
    [Fact]
    public void Find_SubstituteRecentlySoldAtALoss_HeldBack()
    {
        var request = Request([Lot("v", "2024-01-10", 100m, 10_000m)], new() { ["VOO"] = 90m }) with
        {
            LossSales = [new LossSale("IVV", "ira", D("2025-02-20"), 300m)],
        };

        var held = Assert.Single(HarvestFinder.Find(request).HeldBack);

        Assert.Equal(D("2025-03-22"), held.Until);
        Assert.Contains("IVV", held.Reason);
    }

    [Fact]
    public void Find_SubstituteIdenticalToSold_HeldBackWithoutDate()
    {
        var report = HarvestFinder.Find(Request([Lot("b", "2024-01-10", 100m, 10_000m, ticker: "BND")], new() { ["BND"] = 80m }));

        var held = Assert.Single(report.HeldBack);
        Assert.Null(held.Until);
        Assert.Contains("identical", held.Reason);
    }

    // VOO -> IVV and IVV -> VOO both at a loss: the larger harvest (VOO, 1,000) goes first and buys IVV,
    // so selling IVV at a loss the same day would be a wash sale.
    [Fact]
    public void Find_TwoHarvestsThatWouldWashEachOther_OnlyTheLargerIsProposed()
    {
        var lots = new[] { Lot("v", "2024-01-10", 100m, 10_000m), Lot("i", "2024-01-10", 50m, 5_000m, ticker: "IVV", account: "ira") };

        var report = HarvestFinder.Find(Request(lots, new() { ["VOO"] = 90m, ["IVV"] = 90m }));

        Assert.Equal("VOO", Assert.Single(report.Candidates).Ticker);
        var held = Assert.Single(report.HeldBack);
        Assert.Equal(("IVV", D("2025-04-02")), (held.Ticker, held.Until));
    }

    [Fact]
    public void Find_AccountNotTaxable_Ignored()
    {
        var request = Request([Lot("v", "2024-01-10", 100m, 10_000m, account: "ira")], new() { ["VOO"] = 90m }) with
        {
            TaxableAccounts = new HashSet<string> { "taxable" },
        };

        Assert.Empty(HarvestFinder.Find(request).Candidates);
    }

    [Fact]
    public void Find_NoPrice_HeldBackWithReason()
    {
        var held = Assert.Single(HarvestFinder.Find(Request([Lot("v", "2024-01-10", 100m, 10_000m)], [])).HeldBack);

        Assert.Contains("no price", held.Reason);
    }

    // Korea: no wash-sale rule, so a recent purchase does not hold the harvest back. With 5,000,000 of overseas
    // gains the year owes (5,000,000 - 2,500,000) x 0.22 = 550,000; harvesting 1,000,000 leaves 330,000: 220,000 saved.
    [Fact]
    public void Find_Korea_TaxSavedFollowsTheExemption()
    {
        var lots = new[] { Lot("v", "2024-01-10", 100m, 10_000_000m), Lot("s", "2025-02-21", 1m, 100_000m, ticker: "SPLG") };
        var request = Request(lots, new() { ["VOO"] = 90_000m, ["SPLG"] = 100_000m }) with
        {
            Regime = TaxRegime.Korea(),
            YearToDate = [new RealizedGain(TaxRegime.KoreaOverseas, HoldingTerm.ShortTerm, 5_000_000m)],
        };

        var candidate = Assert.Single(HarvestFinder.Find(request).Candidates);

        Assert.Equal(1_000_000m, candidate.Loss);
        Assert.Equal(220_000m, candidate.EstimatedTaxSaved);
    }

    [Fact]
    public void Find_LotAcquiredAfterAsOf_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HarvestFinder.Find(Request([Lot("v", "2025-03-04", 1m, 1m)], new() { ["VOO"] = 1m })));

    [Fact]
    public void Find_NegativeThreshold_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HarvestFinder.Find(Request([], []) with { Thresholds = new HarvestThresholds(-0.01m) }));
}
