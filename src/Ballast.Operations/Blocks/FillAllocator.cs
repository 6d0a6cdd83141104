using Ballast.Planning;

namespace Ballast.Operations.Blocks;

/// <summary>One execution of a block: shares at a price, with its fee.</summary>
public sealed record BlockFill(string ExecutionId, decimal Quantity, decimal Price, decimal Fee = 0m)
{
    public decimal Quantity { get; } = Quantity > 0 ? Quantity : throw new ArgumentOutOfRangeException(nameof(Quantity), Quantity, "a fill is for more than 0 shares");
    public decimal Price { get; } = Price > 0 ? Price : throw new ArgumentOutOfRangeException(nameof(Price), Price, "a fill's price is more than 0");
    public decimal Fee { get; } = Fee >= 0 ? Fee : throw new ArgumentOutOfRangeException(nameof(Fee), Fee, "a fee is 0 or more");
}

/// <summary>What one account receives from a block's fills.</summary>
/// <param name="Ordered">Shares it ordered.</param>
/// <param name="Allocated">Shares it receives.</param>
/// <param name="Price">The block's average price.</param>
/// <param name="Amount">Cash for the shares (allocated × average price, rounded to the money unit; the residue rule applied).</param>
/// <param name="Fee">Its share of the fills' fees.</param>
public sealed record Allocation(string Account, decimal Ordered, decimal Allocated, decimal Price, decimal Amount, decimal Fee)
{
    /// <summary>Shares ordered but not allocated: they carry to the next window or are cancelled.</summary>
    public decimal Unfilled => Ordered - Allocated;
}

/// <summary>A block's fills allocated to its accounts.</summary>
public sealed record BlockAllocation(BlockOrder Block, decimal Filled, decimal AveragePrice, decimal Amount, decimal Fee, IReadOnlyList<Allocation> Allocations)
{
    public decimal Unfilled => Block.Quantity - Filled;
}

/// <summary>
/// Allocates a block's fills back to its accounts, pro rata to what each ordered, at the block's average price.
/// </summary>
/// <remarks>
/// <para>Shares: each account's exact share, filled × ordered ÷ block quantity, is rounded down to the quantity unit
/// (a whole share when the security trades in whole shares, else 10^-<c>quantityDecimals</c>). The units left over go
/// one at a time to the accounts with the largest remainders; ties go to the larger order, then to the earlier order
/// in the block. No account receives more than it ordered, and the allocations add up to the filled quantity exactly.</para>
/// <para>Money: the average price is the fills' notional ÷ filled quantity, exact to 28 digits (reported rounded to
/// 10^-<c>priceDecimals</c>). Each account's amount is its shares × the exact average price, rounded half away from
/// zero to the money unit; the cent or so of residue between the fills' notional and the sum of the rounded amounts
/// goes to the account with the largest allocation (ties as above), so the accounts together pay or receive exactly
/// what the block did. Fees are shared the same way, by allocated shares.</para>
/// </remarks>
public static class FillAllocator
{
    /// <summary>Allocates <paramref name="fills"/> of <paramref name="block"/>.</summary>
    /// <param name="wholeShares">The security trades in whole shares: allocations are whole (the fills must be too).</param>
    /// <param name="quantityDecimals">Decimals of a share the store keeps (6).</param>
    /// <param name="moneyDecimals">Decimals of the account currency's money unit (2).</param>
    /// <param name="priceDecimals">Decimals the average price is reported with (6).</param>
    /// <exception cref="ArgumentException">Fills for more than the block's quantity, or fractional fills of a whole-share security.</exception>
    public static BlockAllocation Allocate(BlockOrder block, IReadOnlyList<BlockFill> fills, bool wholeShares, int quantityDecimals = 6, int moneyDecimals = 2, int priceDecimals = 6)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(fills);
        var filled = fills.Sum(f => f.Quantity);
        if (filled > block.Quantity)
            throw new ArgumentException($"the fills of {block.Key} add up to {filled} shares, more than the block's {block.Quantity}", nameof(fills));
        var unit = wholeShares ? 1m : Unit(quantityDecimals);
        foreach (var f in fills)
            if (f.Quantity % unit != 0)
                throw new ArgumentException($"fill {f.ExecutionId} of {block.Key} is for {f.Quantity} shares, not a multiple of {unit}", nameof(fills));
        var orders = block.Orders;
        if (filled == 0)
            return new BlockAllocation(block, 0m, 0m, 0m, 0m, [.. orders.Select(o => new Allocation(o.Account, o.Quantity, 0m, 0m, 0m, 0m))]);

        var notional = fills.Sum(f => f.Quantity * f.Price);
        var fee = fills.Sum(f => f.Fee);
        var average = notional / filled;
        var shares = Shares(orders, block.Quantity, filled, unit);

        var moneyUnit = Unit(moneyDecimals);
        var amounts = shares.Select(q => Math.Round(q * average, moneyDecimals, MidpointRounding.AwayFromZero)).ToArray();
        var blockAmount = Math.Round(notional, moneyDecimals, MidpointRounding.AwayFromZero);
        var largest = Largest(orders, shares);
        amounts[largest] += blockAmount - amounts.Sum();
        var fees = Shares(orders.Select(o => o.Quantity).ToArray(), shares, fee, moneyUnit, filled);

        var allocations = orders.Select((o, i) => new Allocation(o.Account, o.Quantity, shares[i], Math.Round(average, priceDecimals, MidpointRounding.AwayFromZero), amounts[i], fees[i])).ToList();
        return new BlockAllocation(block, filled, Math.Round(average, priceDecimals, MidpointRounding.AwayFromZero), blockAmount, fee, allocations);
    }

    /// <summary>Shares per order, pro rata, rounded down to <paramref name="unit"/>, the rest by largest remainder.</summary>
    private static decimal[] Shares(IReadOnlyList<AccountOrder> orders, decimal blockQuantity, decimal filled, decimal unit)
    {
        if (filled == blockQuantity) return [.. orders.Select(o => o.Quantity)];
        var exact = orders.Select(o => filled * o.Quantity / blockQuantity).ToArray();
        var shares = exact.Select(x => Math.Floor(x / unit) * unit).ToArray();
        var left = filled - shares.Sum();
        var order = Enumerable.Range(0, orders.Count)
            .OrderByDescending(i => exact[i] - shares[i]).ThenByDescending(i => orders[i].Quantity).ThenBy(i => i).ToList();
        for (var k = 0; left >= unit; k = (k + 1) % order.Count)
        {
            var i = order[k];
            if (shares[i] + unit > orders[i].Quantity) continue;
            shares[i] += unit;
            left -= unit;
        }
        return shares;
    }

    /// <summary>An amount shared by weights, rounded down to <paramref name="unit"/>, the rest by largest remainder.</summary>
    private static decimal[] Shares(decimal[] ordered, decimal[] weights, decimal amount, decimal unit, decimal total)
    {
        var exact = weights.Select(w => amount * w / total).ToArray();
        var parts = exact.Select(x => Math.Floor(x / unit) * unit).ToArray();
        var left = amount - parts.Sum();
        var order = Enumerable.Range(0, weights.Length).Where(i => weights[i] > 0)
            .OrderByDescending(i => exact[i] - parts[i]).ThenByDescending(i => ordered[i]).ThenBy(i => i).ToList();
        for (var k = 0; left >= unit && order.Count > 0; k = (k + 1) % order.Count)
        {
            parts[order[k]] += unit;
            left -= unit;
        }
        // An amount finer than the unit (a fee of 0.001) stays with the first in line.
        if (left > 0) parts[order[0]] += left;
        return parts;
    }

    private static int Largest(IReadOnlyList<AccountOrder> orders, decimal[] shares) =>
        Enumerable.Range(0, orders.Count).OrderByDescending(i => shares[i]).ThenByDescending(i => orders[i].Quantity).ThenBy(i => i).First();

    /// <summary>One unit of the last of <paramref name="decimals"/> places (0.01 for 2), exactly.</summary>
    private static decimal Unit(int decimals) => decimals is >= 0 and <= 12
        ? new decimal(1, 0, 0, false, (byte)decimals)
        : throw new ArgumentOutOfRangeException(nameof(decimals), decimals, "decimals are from 0 to 12");
}
