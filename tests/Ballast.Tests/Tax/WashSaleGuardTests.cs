using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class WashSaleGuardTests
{
    private static readonly IdenticalTickers Groups = new([["VOO", "IVV"], ["IVV", "SPLG"]]);
    private static readonly LossSale VooLoss = new("VOO", "taxable", D("2025-03-01"), 500m);

    [Theory]
    [InlineData("2025-01-29", true)]
    [InlineData("2025-01-30", false)] // 30 days before the sale
    [InlineData("2025-03-01", false)]
    [InlineData("2025-03-31", false)] // 30 days after
    [InlineData("2025-04-01", true)]
    public void CheckBuy_IdenticalTicker_BlockedThirtyDaysEachSide(string date, bool allowed)
    {
        var guard = new WashSaleGuard(Groups, [VooLoss]);

        var check = guard.CheckBuy("SPLG", D(date)); // identical to VOO through IVV

        Assert.Equal(allowed, check.Allowed);
        if (!allowed)
        {
            Assert.Equal(D("2025-03-31"), check.BlockedUntil);
            Assert.Equal(VooLoss, check.BlockingSale);
        }
    }

    [Fact]
    public void CheckBuy_OtherTicker_Allowed() =>
        Assert.True(new WashSaleGuard(Groups, [VooLoss]).CheckBuy("BND", D("2025-03-02")).Allowed);

    [Fact]
    public void CheckBuy_SeveralSales_BlockedUntilTheLatestPlusThirty()
    {
        var guard = new WashSaleGuard(Groups, [VooLoss]);
        guard.AddLossSale(new LossSale("IVV", "ira", D("2025-03-10"), 100m));

        Assert.Equal(D("2025-04-09"), guard.CheckBuy("VOO", D("2025-03-05")).BlockedUntil);
    }

    [Fact]
    public void CheckLossSale_RecentPurchaseOfIdenticalTicker_Blocks()
    {
        var guard = new WashSaleGuard(Groups, [], [new Purchase("IVV", "ira", D("2025-02-20"))]);

        var check = guard.CheckLossSale("VOO", D("2025-03-01"));

        Assert.False(check.Allowed);
        Assert.Equal(D("2025-03-22"), check.BlockedUntil);
        Assert.True(guard.CheckLossSale("VOO", D("2025-03-23")).Allowed);
    }

    [Fact]
    public void Constructor_NegativeWindow_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WashSaleGuard(Groups, [], windowDays: -1));
}
