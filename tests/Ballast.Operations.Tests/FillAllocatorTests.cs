using Ballast.Operations.Blocks;
using Ballast.Planning;

namespace Ballast.Operations.Tests;

public class FillAllocatorTests
{
    private static BlockOrder VtiBuy(params (string Account, decimal Quantity)[] orders) =>
        BlockOrders.Gather(orders.Select(o => new AccountOrder(o.Account, "VTI", TradeSide.Buy, o.Quantity))).Single();

    [Fact]
    public void PartialFillAtTwoPrices_WholeShares_ByLargestRemainder()
    {
        // Ordered 10 + 25 + 40 = 75; filled 30 @ 100.00 and 20 @ 100.50 = 50 shares, notional 3,000 + 2,010 = 5,010,
        // average 100.20. Exact shares 50 x 10/75 = 6.667, 50 x 25/75 = 16.667, 50 x 40/75 = 26.667; rounded down
        // 6 + 16 + 26 = 48, 2 left. The remainders tie (.667 each), so the larger orders get them: c 27, b 17, a 6.
        // Cash: 6 x 100.20 = 601.20, 17 x 100.20 = 1,703.40, 27 x 100.20 = 2,705.40; together 5,010.00.
        // Fees 1.00 + 0.50 = 1.50 by shares: 0.18, 0.51, 0.81 exactly.
        var block = VtiBuy(("a", 10m), ("b", 25m), ("c", 40m));
        var r = FillAllocator.Allocate(block, [new BlockFill("x1", 30m, 100.00m, 1.00m), new BlockFill("x2", 20m, 100.50m, 0.50m)], wholeShares: true);
        Assert.Equal(50m, r.Filled);
        Assert.Equal(100.20m, r.AveragePrice);
        Assert.Equal(25m, r.Unfilled);
        Assert.Equal([6m, 17m, 27m], r.Allocations.Select(a => a.Allocated));
        Assert.Equal([601.20m, 1_703.40m, 2_705.40m], r.Allocations.Select(a => a.Amount));
        Assert.Equal([0.18m, 0.51m, 0.81m], r.Allocations.Select(a => a.Fee));
        Assert.Equal([4m, 8m, 13m], r.Allocations.Select(a => a.Unfilled));
        Assert.Equal(5_010.00m, r.Allocations.Sum(a => a.Amount));
    }

    [Fact]
    public void AveragePriceThatDoesNotTerminate_ResidueGoesToTheLargestAllocation()
    {
        // Filled 1 @ 100.00 and 2 @ 100.01: notional 300.02, average 100.00666... Ordered 1 + 2 = 3, all filled.
        // Amounts: 1 x 100.00666 = 100.01 (rounded), 2 x 100.00666 = 200.01; sum 300.02 = notional, no residue.
        // With 3 accounts of 1 share each: 100.01 x 3 = 300.03, one cent over: the largest (first, by the tie rule) pays 100.00.
        var two = FillAllocator.Allocate(VtiBuy(("a", 1m), ("b", 2m)), [new BlockFill("x1", 1m, 100.00m), new BlockFill("x2", 2m, 100.01m)], wholeShares: true);
        Assert.Equal([100.01m, 200.01m], two.Allocations.Select(a => a.Amount));
        Assert.Equal(100.006667m, two.AveragePrice);
        var three = FillAllocator.Allocate(VtiBuy(("a", 1m), ("b", 1m), ("c", 1m)), [new BlockFill("x1", 1m, 100.00m), new BlockFill("x2", 2m, 100.01m)], wholeShares: true);
        Assert.Equal([100.00m, 100.01m, 100.01m], three.Allocations.Select(a => a.Amount));
        Assert.Equal(300.02m, three.Allocations.Sum(a => a.Amount));
    }

    [Fact]
    public void FractionalShares_AllocateToTheQuantityUnit()
    {
        // 10 of 30 ordered: exact 3.333333..., 6.666666...; down to 6 decimals 3.333333 + 6.666666 = 9.999999, the
        // last 0.000001 to the larger remainder (0.666... > 0.333...): b.
        var r = FillAllocator.Allocate(VtiBuy(("a", 10m), ("b", 20m)), [new BlockFill("x1", 10m, 50m)], wholeShares: false);
        Assert.Equal([3.333333m, 6.666667m], r.Allocations.Select(a => a.Allocated));
        Assert.Equal(10m, r.Allocations.Sum(a => a.Allocated));
        Assert.Equal([166.67m, 333.33m], r.Allocations.Select(a => a.Amount));
    }

    [Fact]
    public void NoAccountGetsMoreThanItOrdered()
    {
        // 1 + 1 + 100 ordered, 101 filled: exact 0.99, 0.99, 99.01 -> 0, 0, 99, then 2 by remainder: a and b get 1 each.
        var r = FillAllocator.Allocate(VtiBuy(("a", 1m), ("b", 1m), ("c", 100m)), [new BlockFill("x1", 101m, 10m)], wholeShares: true);
        Assert.Equal([1m, 1m, 99m], r.Allocations.Select(a => a.Allocated));
        Assert.All(r.Allocations, a => Assert.True(a.Allocated <= a.Ordered));
    }

    [Fact]
    public void AFullFill_GivesEveryAccountItsOrder_AndNoFillNothing()
    {
        var block = VtiBuy(("a", 3m), ("b", 7m));
        Assert.Equal([3m, 7m], FillAllocator.Allocate(block, [new BlockFill("x", 10m, 20m)], true).Allocations.Select(a => a.Allocated));
        var none = FillAllocator.Allocate(block, [], true);
        Assert.Equal(0m, none.Filled);
        Assert.All(none.Allocations, a => Assert.Equal(0m, a.Allocated));
    }

    [Fact]
    public void FillsBeyondTheBlock_OrFractionalForWholeShares_AreRefused()
    {
        var block = VtiBuy(("a", 3m), ("b", 7m));
        Assert.Contains("more than the block's 10", Assert.Throws<ArgumentException>(() => FillAllocator.Allocate(block, [new BlockFill("x", 11m, 20m)], true)).Message);
        Assert.Contains("not a multiple of 1", Assert.Throws<ArgumentException>(() => FillAllocator.Allocate(block, [new BlockFill("x", 2.5m, 20m)], true)).Message);
    }

    [Fact]
    public void Gather_OneBlockPerSecurityAndSide_SellsFirst_NeverCrossing()
    {
        var blocks = BlockOrders.Gather([
            new AccountOrder("a", "VTI", TradeSide.Buy, 5m), new AccountOrder("b", "VTI", TradeSide.Sell, 3m),
            new AccountOrder("c", "BND", TradeSide.Buy, 2m), new AccountOrder("d", "VTI", TradeSide.Buy, 1m),
        ]);
        Assert.Equal(["BND buy", "VTI sell", "VTI buy"], blocks.Select(b => b.Key));
        Assert.Equal(6m, blocks[2].Quantity);
        Assert.Equal(["a", "d"], blocks[2].Orders.Select(o => o.Account));
        Assert.Throws<ArgumentException>(() => BlockOrders.Gather([new AccountOrder("a", "VTI", TradeSide.Buy, 1m), new AccountOrder("a", "VTI", TradeSide.Buy, 2m)]));
    }
}
