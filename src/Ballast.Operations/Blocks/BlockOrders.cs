using Ballast.Planning;

namespace Ballast.Operations.Blocks;

/// <summary>One account's order in a window: shares of a ticker to buy or sell.</summary>
public sealed record AccountOrder(string Account, string Ticker, TradeSide Side, decimal Quantity)
{
    public decimal Quantity { get; } = Quantity > 0 ? Quantity : throw new ArgumentOutOfRangeException(nameof(Quantity), Quantity, "an order is for more than 0 shares");
}

/// <summary>
/// The order a desk sends for one security and one side: the sum of the accounts' orders, which it lists in the
/// order they were given (that order breaks ties when fills are allocated).
/// </summary>
public sealed record BlockOrder(string Ticker, TradeSide Side, IReadOnlyList<AccountOrder> Orders)
{
    /// <summary>The block's quantity: every account order's, summed.</summary>
    public decimal Quantity { get; } = Orders.Sum(o => o.Quantity);

    /// <summary>The block's stable name: <c>VTI buy</c>.</summary>
    public string Key => $"{Ticker} {Side.ToText()}";
}

/// <summary>Gathers account orders into block orders.</summary>
public static class BlockOrders
{
    /// <summary>
    /// One block per security and side, by ticker then side (sells first, so their proceeds are known before buys).
    /// Buys and sells of one security stay in separate blocks: client accounts never cross.
    /// </summary>
    /// <exception cref="ArgumentException">Two orders of one account for the same ticker and side (merge them first).</exception>
    public static IReadOnlyList<BlockOrder> Gather(IEnumerable<AccountOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var blocks = new Dictionary<(string Ticker, TradeSide Side), List<AccountOrder>>();
        var seen = new HashSet<(string, string, TradeSide)>();
        foreach (var o in orders)
        {
            if (!seen.Add((o.Account, o.Ticker, o.Side)))
                throw new ArgumentException($"account {o.Account} has two {o.Side.ToString().ToLowerInvariant()} orders for {o.Ticker}", nameof(orders));
            var key = (o.Ticker, o.Side);
            if (!blocks.TryGetValue(key, out var list)) blocks[key] = list = [];
            list.Add(o);
        }
        return [.. blocks.OrderBy(b => b.Key.Ticker, StringComparer.Ordinal).ThenBy(b => b.Key.Side == TradeSide.Sell ? 0 : 1)
            .Select(b => new BlockOrder(b.Key.Ticker, b.Key.Side, b.Value))];
    }
}
