using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class LotLedgerTests
{
    private static readonly LotLedger Ledger = new(new LotSelector(), IdenticalTickers.None);

    // Issue golden: buy 100 shares for 1,000, sell them for 750, buy 100 again for 800 within 30 days.
    // The 250 loss is disallowed and added to the new lot: 800 + 250 = 1,050. The sold shares were held
    // 32 days (Jan 2 to Feb 3), so the new lot's holding period starts 32 days before Feb 20: Jan 19.
    [Fact]
    public void Replay_IssueGolden_DisallowsLossAndRaisesReplacementBasis()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-02-03", 100m, 7.5m), Buy("2025-02-20", 100m, 8m)]);

        Assert.Empty(result.Problems);
        var lot = Assert.Single(result.OpenLots);
        Assert.Equal(1050m, lot.CostBasis);
        Assert.Equal(250m, lot.WashSaleAdjustment);
        Assert.Equal(D("2025-02-20"), lot.Acquired);
        Assert.Equal(D("2025-01-19"), lot.HoldingPeriodStart);
        var sale = Assert.Single(result.Sales);
        Assert.Equal(-250m, sale.Gain);
        Assert.Equal(250m, sale.DisallowedLoss);
        Assert.Equal(new YearRealized(2025, 0m, 0m, 250m), result.Realized(2025));
    }

    // A total replaces quantity × price: 3 shares at 33.333 (99.999, 100.00 rounded) bought with a 1.00 commission
    // open a lot of basis 101.00; two of them sold at 50 (100.00) less a 1.00 commission give proceeds of 99.00.
    [Fact]
    public void Replay_Totals_ReplaceQuantityTimesPrice()
    {
        var result = Ledger.Replay([],
        [
            Buy("2025-01-02", 3m, 33.333m) with { Total = 101.00m },
            Sell("2025-03-03", 2m, 50m) with { Total = 99.00m },
        ]);

        Assert.Empty(result.Problems);
        var sale = Assert.Single(result.Sales);
        Assert.Equal(99.00m, sale.Proceeds);
        // Two of three shares take round(101 × 2 / 3) = 67.33 of the basis (a 31.67 gain); 33.67 stays with the open share.
        Assert.Equal(67.33m, sale.CostBasis);
        Assert.Equal(new YearRealized(2025, 31.67m, 0m, 0m), result.Realized(2025));
        Assert.Equal(33.67m, Assert.Single(result.OpenLots).CostBasis);
    }

    [Fact]
    public void Replay_NegativeTotal_IsAProblem()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 3m, 10m) with { Total = -1m }]);

        Assert.Equal("transactions[0].total", Assert.Single(result.Problems).Field);
        Assert.Empty(result.OpenLots);
    }

    // Selling the golden case's replacement lot (basis 1,050) for 750 realizes the carried loss: 750 - 1,050 = -300.
    // Its holding period starts 2025-01-19, so the loss is short-term. Over both sales the household lost
    // 1,000 + 800 - 750 - 750 = 300, all of it recognized once.
    [Fact]
    public void Replay_SellingTheReplacement_RealizesTheDeferredLoss()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-02-03", 100m, 7.5m), Buy("2025-02-20", 100m, 8m), Sell("2025-04-01", 100m, 7.5m)]);

        Assert.Empty(result.OpenLots);
        Assert.Equal(new YearRealized(2025, -300m, 0m, 250m), result.Realized(2025));
    }

    // The IRA buys IVV earlier the same day the taxable account sells VOO at a loss: the IRA lot is the replacement.
    [Fact]
    public void Replay_SameDayPurchaseBeforeTheSale_IsAReplacement()
    {
        var ledger = new LotLedger(new LotSelector(), new IdenticalTickers([["VOO", "IVV"]]));

        var result = ledger.Replay([Lot("v1", "2024-06-03", 10m, 5000m)],
            [Buy("2025-03-03", 10m, 460m, ticker: "IVV", account: "ira", lotId: "i1"), Sell("2025-03-03", 10m, 450m)]);

        Assert.Equal(("i1", 5100m), (Assert.Single(result.OpenLots).Id, result.OpenLots[0].CostBasis));
        // Held 273 days (2024-06-03 to 2025-03-03), so the IRA lot's holding period starts 273 days before 2025-03-03.
        Assert.Equal(D("2024-06-03"), result.OpenLots[0].HoldingPeriodStart);
    }

    // 40 of the 100 shares sold at a loss are replaced: 250 x 40 / 100 = 100 is disallowed, 150 stays deductible.
    [Fact]
    public void Replay_PartialReplacement_DisallowsOnlyTheReplacedFraction()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-02-03", 100m, 7.5m), Buy("2025-02-10", 40m, 8m)]);

        var lot = Assert.Single(result.OpenLots);
        Assert.Equal(320m + 100m, lot.CostBasis);
        var sale = Assert.Single(result.Sales);
        Assert.Equal(100m, sale.DisallowedLoss);
        Assert.Equal(-150m, sale.ShortTermGain);
    }

    // 40 shares sold at a loss of 100 (2.50 each); 100 bought back: 40 of them carry the 100, the other 60 do not.
    [Fact]
    public void Replay_ReplacementLargerThanSale_SplitsTheReplacementLot()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 40m, 10m, lotId: "first"), Sell("2025-02-03", 40m, 7.5m), Buy("2025-02-10", 100m, 8m, lotId: "again")]);

        Assert.Equal([("again.w1", 40m, 420m), ("again", 60m, 480m)], result.OpenLots.Select(l => (l.Id, l.Quantity, l.CostBasis)));
        var wash = Assert.Single(result.WashSales);
        Assert.Equal(("first", "again.w1", 40m, 100m), (wash.SoldLotId, wash.ReplacementLotId, wash.Quantity, wash.DisallowedLoss));
    }

    // Lot B (50 shares) was bought 9 days before lot A is sold at a loss of 250: B replaces 50 of the 100 shares,
    // so 125 is disallowed and B's basis becomes 400 + 125. A was held 39 days, so B's holding period starts
    // 39 days before Feb 1: 2024-12-24.
    [Fact]
    public void Replay_ReplacementBoughtBeforeTheSale_IsMatched()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m, lotId: "A"), Buy("2025-02-01", 50m, 8m, lotId: "B"), Sell("2025-02-10", 100m, 7.5m)]);

        var b = Assert.Single(result.OpenLots);
        Assert.Equal(("B", 525m, 125m, D("2024-12-24")), (b.Id, b.CostBasis, b.WashSaleAdjustment, b.HoldingPeriodStart));
        Assert.Equal(125m, Assert.Single(result.Sales).DisallowedLoss);
    }

    // VOO sold at a loss in the taxable account; IVV, declared identical, bought in the IRA 10 days later.
    [Fact]
    public void Replay_IdenticalTickerInAnotherAccount_IsAWashSale()
    {
        var ledger = new LotLedger(new LotSelector(), new IdenticalTickers([["VOO", "IVV"]]));

        var result = ledger.Replay([Lot("v1", "2024-06-03", 10m, 5000m)],
            [Sell("2025-03-03", 10m, 450m), Buy("2025-03-13", 10m, 460m, ticker: "IVV", account: "ira")]);

        var ivv = Assert.Single(result.OpenLots);
        Assert.Equal(("IVV", "ira", 4600m + 500m), (ivv.Ticker, ivv.Account, ivv.CostBasis));
        Assert.Equal(500m, result.Realized(2025).DisallowedLosses);
    }

    // A dividend reinvestment of 2 shares 14 days after a 100-share loss sale replaces 2 shares: 250 x 2 / 100 = 5.
    [Fact]
    public void Replay_DividendReinvestment_IsAReplacementPurchase()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-03-01", 100m, 7.5m), Reinvest("2025-03-15", 2m, 8m)]);

        var drip = Assert.Single(result.OpenLots);
        Assert.Equal(16m + 5m, drip.CostBasis);
        Assert.Equal(5m, Assert.Single(result.Sales).DisallowedLoss);
    }

    [Theory]
    [InlineData("2025-03-05", 0)]   // 30 days after the sale: inside the window
    [InlineData("2025-03-06", 1)]   // 31 days after: outside
    public void Replay_WindowIsThirtyDaysAfter(string rebuy, int deductible)
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-02-03", 100m, 7.5m), Buy(rebuy, 100m, 8m)]);

        Assert.Equal(deductible == 1 ? -250m : 0m, result.Realized(2025).ShortTerm);
    }

    [Fact]
    public void Replay_SaleAtAGain_IsNeverAWashSale()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-02-03", 100m, 12m), Buy("2025-02-10", 100m, 11m)]);

        Assert.Empty(result.WashSales);
        Assert.Equal(1100m, Assert.Single(result.OpenLots).CostBasis);
        Assert.Equal(200m, result.Realized(2025).ShortTerm);
    }

    // Selling part of a lot bought 18 days earlier: the unsold rest of that same purchase is not a replacement.
    [Fact]
    public void Replay_RestOfTheSoldLot_IsNotAReplacement()
    {
        var result = Ledger.Replay([], [Buy("2025-01-02", 100m, 10m), Sell("2025-01-20", 50m, 7.5m)]);

        Assert.Empty(result.WashSales);
        Assert.Equal(-125m, result.Realized(2025).ShortTerm);
        Assert.Equal(500m, Assert.Single(result.OpenLots).CostBasis);
    }

    // Korea has no wash-sale rule: the same history leaves the loss deductible and the new lot at its price.
    [Fact]
    public void Replay_RegimeWithoutWashSaleRule_KeepsTheLoss()
    {
        var ledger = new LotLedger(new LotSelector(0), IdenticalTickers.None, TaxRegime.Korea().WashSaleWindowDays);

        var result = ledger.Replay([], [Buy("2025-01-02", 100m, 10_000m), Sell("2025-02-03", 100m, 7_500m), Buy("2025-02-20", 100m, 8_000m)]);

        Assert.Equal(800_000m, Assert.Single(result.OpenLots).CostBasis);
        Assert.Equal(-250_000m, result.Realized(2025).ShortTerm);
    }

    [Fact]
    public void Replay_UsesEachAccountsMethod_AndListedLotsOverrideIt()
    {
        TaxLot[] lots = [Lot("old", "2020-01-02", 10m, 500m), Lot("new", "2024-01-02", 10m, 1500m)];
        var methods = new Dictionary<string, LotSelectionMethod> { ["taxable"] = LotSelectionMethod.Hifo };

        var byMethod = Ledger.Replay(lots, [Sell("2025-06-02", 5m, 100m)], methods);
        var listed = Ledger.Replay(lots, [Sell("2025-06-02", 5m, 100m, lots: [new SpecificLot("old", 5m)])], methods);

        // HIFO sells the 150-a-share lot at a loss of 250; the listed lot gains 500 - 250 = 250 long-term.
        Assert.Equal("new", Assert.Single(Assert.Single(byMethod.Sales).Lots).LotId);
        Assert.Equal(-250m, byMethod.Realized(2025).LongTerm);
        Assert.Equal(250m, listed.Realized(2025).LongTerm);
    }

    [Fact]
    public void Replay_TransactionsOutOfOrder_AreAppliedByDate()
    {
        var result = Ledger.Replay([], [Sell("2025-02-03", 100m, 7.5m), Buy("2025-01-02", 100m, 10m)]);

        Assert.Empty(result.Problems);
        Assert.Equal(0, Assert.Single(result.Sales).TransactionIndex);
    }

    [Fact]
    public void Replay_RealizedGainsPerYear_FeedTheCalculator()
    {
        var result = Ledger.Replay([Lot("a", "2023-01-03", 10m, 1000m)], [Sell("2024-06-03", 5m, 150m), Sell("2025-06-02", 5m, 300m)]);

        Assert.Equal(new YearRealized(2024, 0m, 250m, 0m), result.Realized(2024));
        var gains = result.RealizedGains(2025, TaxRegime.Us(0.37m, 0.15m));
        // 5 x 300 - 500 = 1,000 long-term at 15%.
        Assert.Equal(150m, TaxCalculator.Estimate(TaxRegime.Us(0.37m, 0.15m), gains).Total);
    }

    [Fact]
    public void Replay_BadTransactions_AreReportedWithFieldsAndSkipped()
    {
        var methods = new Dictionary<string, LotSelectionMethod> { ["ira"] = LotSelectionMethod.Specific };

        var result = Ledger.Replay([Lot("a", "2024-01-02", 10m, 1000m)],
        [
            Sell("2025-01-02", 11m, 100m),
            Sell("2025-01-03", 1m, 100m, lots: [new SpecificLot("zzz", 1m)]),
            Buy("2025-01-04", 0m, 100m),
            Buy("2025-01-05", 1m, 100m, lotId: "a"),
            Buy("2025-01-06", 1m, 100m, account: "ira"),
            Sell("2025-01-07", 1m, 100m, account: "ira"),
        ], methods);

        Assert.Equal(
            ["transactions[0].quantity", "transactions[1].lots[0].id", "transactions[2].quantity", "transactions[3].lotId", "transactions[5].lots"],
            result.Problems.Select(p => p.Field));
        Assert.Equal(10m, result.OpenLots.Where(l => l.Account == "taxable").Sum(l => l.Quantity));
        Assert.Contains("only 10 are held", result.Problems[0].Message);
    }

    [Fact]
    public void Replay_DuplicateInitialLotIds_Throws() =>
        Assert.Throws<ArgumentException>(() => Ledger.Replay([Lot("a", "2024-01-02", 1m, 1m), Lot("a", "2024-01-03", 1m, 1m)], []));
}
