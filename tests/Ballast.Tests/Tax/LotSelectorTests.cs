using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class LotSelectorTests
{
    private static readonly LotSelector Selector = new();
    private static readonly DateOnly SaleDate = D("2025-03-01");

    // At 160 a share: A gains 60/share long-term, B loses 40/share long-term,
    // C gains 10/share short-term, D loses 10/share short-term.
    private static readonly TaxLot[] Lots =
    [
        Lot("A", "2020-01-10", 10m, 1000m),
        Lot("B", "2022-06-01", 10m, 2000m),
        Lot("C", "2024-11-01", 10m, 1500m),
        Lot("D", "2024-12-01", 10m, 1700m),
    ];

    [Theory]
    [InlineData(LotSelectionMethod.Fifo, "A:10 B:10 C:5")]
    [InlineData(LotSelectionMethod.Lifo, "D:10 C:10 B:5")]
    [InlineData(LotSelectionMethod.Hifo, "B:10 D:10 C:5")]
    // Losses first (B loses more per share than D), then long-term gains (A), before short-term gains (C).
    [InlineData(LotSelectionMethod.TaxMinimizing, "B:10 D:10 A:5")]
    public void Sell_EachMethod_ConsumesLotsInItsOrder(LotSelectionMethod method, string expected)
    {
        var sale = Selector.Sell(Lots, 25m, 160m, SaleDate, method);

        Assert.Equal(expected, string.Join(" ", sale.Slices.Select(s => $"{s.LotId}:{s.Quantity}")));
        Assert.Equal(4000m, sale.Proceeds);
    }

    [Fact]
    public void Sell_TaxMinimizing_ReportsGainsAndTermsPerSlice()
    {
        var sale = Selector.Sell(Lots, 25m, 160m, SaleDate, LotSelectionMethod.TaxMinimizing);

        // B: 1600 - 2000; D: 1600 - 1700; half of A: 800 - 500.
        Assert.Equal([-400m, -100m, 300m], sale.Slices.Select(s => s.Gain));
        Assert.Equal([HoldingTerm.LongTerm, HoldingTerm.ShortTerm, HoldingTerm.LongTerm], sale.Slices.Select(s => s.Term));
        Assert.Equal(-100m, sale.LongTermGain);
        Assert.Equal(-100m, sale.ShortTermGain);
        Assert.Equal(-200m, sale.Gain);
        var restOfA = Assert.Single(sale.RemainingLots, l => l.Id == "A");
        Assert.Equal(5m, restOfA.Quantity);
        Assert.Equal(500m, restOfA.CostBasis);
        Assert.Equal(["A", "C"], sale.RemainingLots.Select(l => l.Id));
    }

    [Fact]
    public void Sell_Specific_ConsumesNamedLotsOnly()
    {
        var sale = Selector.Sell(Lots, 5m, 160m, SaleDate, LotSelectionMethod.Specific, [new SpecificLot("C", 3m), new SpecificLot("A", 2m)]);

        Assert.Equal(["C", "A"], sale.Slices.Select(s => s.LotId));
        Assert.Equal([450m, 200m], sale.Slices.Select(s => s.CostBasis));
        Assert.Equal(800m, sale.Proceeds);
    }

    // A third of 100.00 rounds to 33.33; the open lot keeps 66.67 so the two still add to 100.00.
    [Theory]
    [InlineData(1, 33.33, 66.67)]
    [InlineData(2, 66.67, 33.33)]
    public void Sell_PartialLot_RoundsSliceAndKeepsExactRemainder(int sold, decimal sliceBasis, decimal remainingBasis)
    {
        var sale = Selector.Sell([Lot("X", "2024-01-02", 3m, 100m)], sold, 30m, SaleDate, LotSelectionMethod.Fifo);

        Assert.Equal(sliceBasis, Assert.Single(sale.Slices).CostBasis);
        Assert.Equal(remainingBasis, Assert.Single(sale.RemainingLots).CostBasis);
    }

    // 3 shares at 0.333 = 0.999, rounded to 1.00; cumulative thirds round to 0.33, 0.67, 1.00.
    [Fact]
    public void Sell_ProceedsAcrossLots_SumToTheSaleExactly()
    {
        TaxLot[] lots = [Lot("P", "2024-01-02", 1m, 1m), Lot("Q", "2024-01-03", 1m, 1m), Lot("R", "2024-01-04", 1m, 1m)];

        var sale = Selector.Sell(lots, 3m, 0.333m, SaleDate, LotSelectionMethod.Fifo);

        Assert.Equal(1.00m, sale.Proceeds);
        Assert.Equal([0.33m, 0.34m, 0.33m], sale.Slices.Select(s => s.Proceeds));
    }

    [Fact]
    public void Sell_WashAdjustedLot_ProRatesTheAdjustment()
    {
        var lot = new TaxLot("W", "VOO", "taxable", D("2025-01-20"), 10m, 1050m, washSaleAdjustment: 250m, holdingPeriodStart: D("2023-12-01"));

        var sale = Selector.Sell([lot], 4m, 100m, SaleDate, LotSelectionMethod.Fifo);

        var slice = Assert.Single(sale.Slices);
        Assert.Equal(420m, slice.CostBasis);
        Assert.Equal(100m, slice.WashSaleAdjustment);
        // The carried-over holding period makes a sale six weeks after purchase long-term.
        Assert.Equal(HoldingTerm.LongTerm, slice.Term);
        var rest = Assert.Single(sale.RemainingLots);
        Assert.Equal((630m, 150m), (rest.CostBasis, rest.WashSaleAdjustment));
    }

    // Tax-min at 160: B and D lose 500 in all, then A gains 60 a share, so 8 shares of A (480) keep the sale at
    // a net loss of 20, while 9 would gain 40. 10 + 10 + 8 = 28.
    [Fact]
    public void MaxQuantity_GainLimit_StopsInsideTheLotThatCrossesIt()
    {
        var max = Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.TaxMinimizing, new SaleLimits(MaxRealizedGain: 0m));

        Assert.Equal(28m, max);
        Assert.Equal(-20m, Selector.Sell(Lots, max, 160m, SaleDate, LotSelectionMethod.TaxMinimizing).Gain);
        Assert.Equal(28.33m, Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.TaxMinimizing, new SaleLimits(MaxRealizedGain: 0m), quantityDecimals: 2));
    }

    // FIFO sells A first at a gain of 60 a share, so no quantity keeps the net gain at or below 0.
    [Fact]
    public void MaxQuantity_NothingFits_ReturnsZero() =>
        Assert.Equal(0m, Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.Fifo, new SaleLimits(MaxRealizedGain: 0m)));

    // FIFO: A and B are long-term; C gains 100 short-term and D loses 100 short-term, so only selling all 40
    // nets short-term gains to 0 (21 to 39 shares would realize a short-term gain).
    [Fact]
    public void MaxQuantity_NoShortTermGains_FindsTheLargestFittingQuantity()
    {
        var max = Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.Fifo, new SaleLimits(NoShortTermGains: true));

        Assert.Equal(40m, max);
        Assert.True(Selector.Sell(Lots, 30m, 160m, SaleDate, LotSelectionMethod.Fifo).ShortTermGain > 0m);
    }

    [Fact]
    public void MaxQuantity_NoLimits_IsEverything() =>
        Assert.Equal(40m, Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.Lifo, SaleLimits.None));

    [Fact]
    public void MaxQuantity_Specific_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.MaxQuantity(Lots, 160m, SaleDate, LotSelectionMethod.Specific, SaleLimits.None));

    [Fact]
    public void Sell_MoreThanHeld_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.Sell(Lots, 40.0001m, 160m, SaleDate, LotSelectionMethod.Fifo));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Sell_NonPositiveQuantity_Throws(decimal quantity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.Sell(Lots, quantity, 160m, SaleDate, LotSelectionMethod.Fifo));

    [Fact]
    public void Sell_NegativePrice_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.Sell(Lots, 1m, -0.01m, SaleDate, LotSelectionMethod.Fifo));

    [Fact]
    public void Sell_BeforeALotWasAcquired_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.Sell(Lots, 1m, 160m, D("2024-11-30"), LotSelectionMethod.Fifo));

    [Fact]
    public void Sell_LotsOfTwoTickers_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell([Lots[0], Lot("Z", "2021-01-01", 1m, 1m, ticker: "BND")], 1m, 1m, SaleDate, LotSelectionMethod.Fifo));

    [Fact]
    public void Sell_DuplicateLotIds_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell([Lots[0], Lots[0]], 1m, 1m, SaleDate, LotSelectionMethod.Fifo));

    [Fact]
    public void Sell_SpecificWithoutLots_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell(Lots, 1m, 1m, SaleDate, LotSelectionMethod.Specific));

    [Fact]
    public void Sell_SpecificLotNamedTwice_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell(Lots, 2m, 1m, SaleDate, LotSelectionMethod.Specific, [new SpecificLot("A", 1m), new SpecificLot("A", 1m)]));

    [Fact]
    public void Sell_SpecificUnknownLot_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell(Lots, 1m, 1m, SaleDate, LotSelectionMethod.Specific, [new SpecificLot("nope", 1m)]));

    [Fact]
    public void Sell_SpecificQuantitiesNotMatchingTheSale_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Selector.Sell(Lots, 3m, 1m, SaleDate, LotSelectionMethod.Specific, [new SpecificLot("A", 2m)]));

    [Fact]
    public void Sell_LotsListedWithAnOrderedMethod_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Sell(Lots, 1m, 1m, SaleDate, LotSelectionMethod.Fifo, [new SpecificLot("A", 1m)]));

    [Fact]
    public void TaxLot_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaxLot("x", "VOO", "a", D("2024-01-01"), 0m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaxLot("x", "VOO", "a", D("2024-01-01"), 1m, -1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaxLot("x", "VOO", "a", D("2024-01-01"), 1m, 10m, washSaleAdjustment: 11m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaxLot("x", "VOO", "a", D("2024-01-01"), 1m, 10m, holdingPeriodStart: D("2024-01-02")));
        Assert.Throws<ArgumentException>(() => new TaxLot(" ", "VOO", "a", D("2024-01-01"), 1m, 10m));
    }

    [Fact]
    public void LotSelector_MoneyDecimalsOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LotSelector(11));
}

public class LotIdComparerTests
{
    [Theory]
    [InlineData("9", "10")]
    [InlineData("lot-9", "lot-10")]
    [InlineData("a2b", "a10a")]
    [InlineData("07", "7")]      // the same value: ordinal order decides, so the order stays total
    [InlineData("abc", "abd")]
    [InlineData("ab", "abc")]
    [InlineData("2024-01-9", "2024-01-10")]
    public void ReadsNumbersByValue(string smaller, string larger)
    {
        Assert.True(Ballast.Tax.LotIdComparer.Instance.Compare(smaller, larger) < 0);
        Assert.True(Ballast.Tax.LotIdComparer.Instance.Compare(larger, smaller) > 0);
        Assert.Equal(0, Ballast.Tax.LotIdComparer.Instance.Compare(smaller, smaller));
    }

    [Fact]
    public void SameDayLots_GoInTheOrderTheirIdsCount_ForFifoAndLifo()
    {
        var day = new DateOnly(2025, 3, 3);
        Ballast.Tax.TaxLot Lot(string id) => new(id, "VTI", "a", day, 1m, 100m);
        var lots = new[] { Lot("10"), Lot("9"), Lot("100") };
        Assert.Equal(["9", "10", "100"], Ballast.Tax.LotSelector.ConsumptionOrder(lots, Ballast.Tax.LotSelectionMethod.Fifo, 100m, day).Select(l => l.Id));
        Assert.Equal(["100", "10", "9"], Ballast.Tax.LotSelector.ConsumptionOrder(lots, Ballast.Tax.LotSelectionMethod.Lifo, 100m, day).Select(l => l.Id));
    }
}
