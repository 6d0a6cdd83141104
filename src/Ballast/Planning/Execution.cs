using System.Numerics;
using System.Runtime.CompilerServices;
using Ballast.Input;
using Ballast.Portfolios;

namespace Ballast.Planning;

/// <summary>What one execution run left: cash, costs, and whether anything is left to sell.</summary>
internal readonly record struct ExecutionResult<T>(T CashAfter, T Costs, int Trades, bool CanSellMore);

/// <summary>
/// Turns ideal value changes into orders: sells first, then buys within the cash the sells and the starting cash
/// leave above the floor. Rounding: sells up to the next money unit or whole share, never more than held, so
/// they always fund the buys of the ideal plan; fractional buys down to the money unit with the left-over units given to the largest remainders; whole
/// shares to the nearest share, then shares removed while cash would end below the floor and single shares added,
/// furthest below target first, while one fits. Costs round up.
/// </summary>
internal static class Execution
{
    private static readonly decimal[] Units =
        [1m, 0.1m, 0.01m, 0.001m, 0.0001m, 0.00001m, 0.000001m, 0.0000001m, 0.00000001m, 0.000000001m, 0.0000000001m, 0.00000000001m, 0.000000000001m];

    private static readonly decimal[] Wholes = [1m, 10m, 100m, 1_000m, 10_000m, 100_000m, 1_000_000m, 10_000_000m, 100_000_000m];

    /// <summary>One unit of the last decimal place: 0.01 for two decimals (money up to 8 decimals, quantities up to 12).</summary>
    internal static decimal Unit(int decimals) => Units[decimals];

    /// <summary>Units of the last decimal place in one: 100 for two decimals.</summary>
    internal static decimal UnitsPerWhole(int decimals) => Wholes[decimals];

    /// <summary>
    /// Executes <paramref name="deltas"/> on the workspace's book. The orders, the values and quantities after
    /// them are left in the workspace's output arrays.
    /// </summary>
    public static ExecutionResult<T> Run<T>(PlanWorkspace<T> w, T[] deltas, T cash, T floor, in PlanSettings<T> s, bool raising, List<string>? warnings)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        var n = book.Count;
        var unit = s.Unit;
        var md = s.MoneyDecimals;
        var moves = w.Moves;
        var tradeValues = w.TradeValues;
        var tradeQty = w.TradeQuantities;
        var tradeHasQty = w.TradeHasQuantity;
        var tradeCosts = w.TradeCosts;
        var valuesAfter = w.ValuesAfter;
        var quantitiesAfter = w.QuantitiesAfter;
        var hasQtyAfter = w.HasQuantityAfter;
        var totalCosts = T.Zero;
        var trades = 0;

        // The book as it stands becomes the state after the trades, which the trades then change. Alongside, the
        // assets that may sell and those that may buy are listed once: a change smaller than one money unit either
        // way is rounding left over from an earlier plan, not a trade. Every later step walks its own list.
        var minusUnit = -unit;
        var sellers = w.Sellers;
        var buyers = w.Buyers;
        int sellCount = 0, buyCount = 0;
        for (var i = 0; i < n; i++)
        {
            valuesAfter[i] = book.Values[i];
            quantitiesAfter[i] = book.Quantities[i];
            hasQtyAfter[i] = book.HasQuantity[i];
            moves[i] = Move.None;
            var d = deltas[i];
            if (typeof(T) == typeof(double))
            {
                // Without branches: whether an asset sells or buys follows the market, which no predictor can guess.
                sellers[sellCount] = i;
                sellCount += d <= minusUnit ? 1 : 0;
                buyers[buyCount] = i;
                buyCount += d >= unit ? 1 : 0;
            }
            // Decimal comparisons are calls: one per asset that sells.
            else if (d <= minusUnit) sellers[sellCount++] = i;
            else if (d >= unit) buyers[buyCount++] = i;
        }

        // Sells.
        var cashAfter = cash;
        for (var k = 0; k < sellCount; k++)
        {
            var i = sellers[k];
            var held = book.Values[i];
            var raw = T.Min(-deltas[i], held);
            var full = raw >= held;
            var price = book.Prices[i];
            var hasHeldQty = book.HasQuantity[i] || price > T.Zero;
            var heldQty = book.HasQuantity[i] ? book.Quantities[i] : price > T.Zero ? held / price : T.Zero;
            T value, qty;
            bool hasQty;
            if (!book.Fractional[i])
            {
                RequirePrice(book, i);
                // Whole-share sells round up so that they always fund the buys the ideal plan makes.
                qty = full ? heldQty : T.Min(heldQty, Rounding.Ceiling(raw / price));
                value = full ? held : qty * price;
                hasQty = true;
            }
            else
            {
                value = full ? held : T.Min(held, Rounding.Round(raw, md, MidpointRounding.ToPositiveInfinity));
                hasQty = hasHeldQty;
                qty = !hasQty ? T.Zero : full ? heldQty : FractionalShares(value, price, s);
            }
            if (value <= T.Zero) continue;
            if (raising && value < s.MinTrade)
            {
                // Cash must be raised: sell the minimum trade (in whole shares, the shares that reach it) rather than nothing.
                if (book.Fractional[i])
                {
                    value = T.Min(held, s.MinTrade);
                    full = value >= held;
                    qty = !hasQty ? T.Zero : full ? heldQty : FractionalShares(value, price, s);
                }
                else
                {
                    qty = T.Min(heldQty, Rounding.Ceiling(s.MinTrade / price));
                    full = qty >= heldQty;
                    value = full ? held : qty * price;
                }
            }
            if (value < s.MinTrade)
            {
                warnings?.Add(BelowMinimum("sell", value, book.Tickers[i], s.MinTrade));
                continue;
            }
            var cost = s.CostOfPositive(value);
            moves[i] = Move.Sell;
            tradeValues[i] = value;
            tradeQty[i] = qty;
            tradeHasQty[i] = hasQty;
            tradeCosts[i] = cost;
            trades++;
            totalCosts += cost;
            cashAfter += value - cost;
            valuesAfter[i] -= value;
            if (hasQtyAfter[i] && hasQty) quantitiesAfter[i] -= qty;
        }

        // Buys: ideal amounts, scaled down when they and their costs do not fit in the cash above the floor.
        var buys = w.Buys;
        var buySum = T.Zero;
        for (var k = 0; k < buyCount; k++)
        {
            var i = buyers[k];
            buys[i] = deltas[i];
            buySum += deltas[i];
        }
        var budget = cashAfter - floor;
        var perOrder = s.FixedCost + (s.CostsAreZero ? T.Zero : unit);
        var smallest = T.Max(s.MinTrade, unit);
        var grossUp = T.One + s.CostRate;
        var orders = buyCount;
        for (var pass = 0; pass < 4 && orders > 0; pass++)
        {
            var need = buySum * grossUp + T.CreateTruncating(orders) * perOrder;
            var scaling = need > budget + s.Slack;
            var scale = T.One;
            if (scaling)
            {
                var room = budget - T.CreateTruncating(orders) * perOrder;
                scale = room <= T.Zero ? T.Zero : room / (buySum * grossUp);
                buySum = T.Zero;
            }
            // Drop what falls below the minimum trade (or below one money unit) and try again with fewer orders.
            var dropped = false;
            for (var k = 0; k < buyCount; k++)
            {
                var i = buyers[k];
                var b = buys[i];
                if (b == T.Zero) continue;
                if (scaling)
                {
                    // The scale is a long quotient; four digits below the money unit are plenty (the buys are
                    // rounded to the unit next) and keep later sums short. Toward zero, so the budget still holds.
                    b = buys[i] = Rounding.Round(b * scale, md + 4, MidpointRounding.ToZero);
                    buySum += b;
                }
                if (b >= smallest || b == T.Zero) continue;
                if (b >= unit) warnings?.Add(BelowMinimum("buy", T.Round(b, md), book.Tickers[i], s.MinTrade));
                buySum -= b;
                buys[i] = T.Zero;
                orders--;
                dropped = true;
            }
            if (!dropped) break;
        }

        // Round to orders.
        var buyValues = tradeValues;
        var buyQty = w.BuyQuantities;
        var wholeBuy = w.WholeBuy;
        var outlay = w.Outlay;
        RoundFractionalBuys(w, buys, buyCount, md, unit, s.UnitsPerWhole);
        var anyWholeBuy = false;
        var spend = T.Zero;
        for (var k = 0; k < buyCount; k++)
        {
            var i = buyers[k];
            wholeBuy[i] = false;
            outlay[i] = T.Zero;
            if (buys[i] != T.Zero && !book.Fractional[i])
            {
                RequirePrice(book, i);
                var q = Rounding.Round(buys[i] / book.Prices[i], 0, MidpointRounding.AwayFromZero);
                buyQty[i] = q;
                wholeBuy[i] = true;
                anyWholeBuy = true;
                buyValues[i] = q * book.Prices[i];
            }
            // What each buy costs with its transaction cost; kept current as buys change.
            if (buyValues[i] > T.Zero)
            {
                tradeCosts[i] = s.CostOf(buyValues[i]);
                outlay[i] = buyValues[i] + tradeCosts[i];
                spend += outlay[i];
            }
        }
        // Never spend more than there is: take back whole shares (the most over their ideal first), then money units.
        while (cashAfter - spend < floor - s.Slack)
        {
            var pick = -1;
            var over = T.MinValue;
            for (var k = 0; k < buyCount; k++)
            {
                var i = buyers[k];
                if (!wholeBuy[i] || buyQty[i] <= T.Zero) continue;
                var o = buyValues[i] - buys[i];
                if (o > over) { over = o; pick = i; }
            }
            if (pick >= 0)
            {
                buyQty[pick] -= T.One;
                spend = SetBuy(w, s, pick, buyQty[pick] * book.Prices[pick], spend);
            }
            else
            {
                for (var k = 0; k < buyCount; k++)
                {
                    var i = buyers[k];
                    if (book.Fractional[i] && buyValues[i] > T.Zero && (pick < 0 || buyValues[i] > buyValues[pick])) pick = i;
                }
                if (pick < 0) break;
                var deficit = floor - (cashAfter - spend);
                var less = Rounding.Round(deficit / grossUp, md, MidpointRounding.ToPositiveInfinity);
                spend = SetBuy(w, s, pick, T.Max(T.Zero, buyValues[pick] - less), spend);
            }
        }
        // Left-over cash buys single shares of the whole-share asset furthest below target while one fits,
        // never taking an asset past its ideal amount by a whole share.
        if (anyWholeBuy)
        {
            var baseAfter = T.Zero;
            for (var i = 0; i < n; i++) baseAfter += valuesAfter[i];
            for (var k = 0; k < buyCount; k++) baseAfter += buyValues[buyers[k]];
            if (book.CashIsAsset) baseAfter += cashAfter - spend;
            while (true)
            {
                var pick = -1;
                var furthest = T.MinValue;
                for (var k = 0; k < buyCount; k++)
                {
                    var i = buyers[k];
                    if (!wholeBuy[i] || buyValues[i] >= buys[i]) continue;
                    var price = book.Prices[i];
                    var extra = price + s.CostOf(buyValues[i] + price) - s.CostOf(buyValues[i]);
                    if (cashAfter - spend - extra < floor - s.Slack) continue;
                    if (buyValues[i] == T.Zero && price < s.MinTrade) continue;
                    var goal = book.Targets[i] * baseAfter;
                    var gap = goal == T.Zero ? T.Zero : (goal - valuesAfter[i] - buyValues[i]) / goal;
                    if (gap > furthest) { furthest = gap; pick = i; }
                }
                if (pick < 0) break;
                buyQty[pick] += T.One;
                spend = SetBuy(w, s, pick, buyQty[pick] * book.Prices[pick], spend);
            }
        }

        for (var k = 0; k < buyCount; k++)
        {
            var i = buyers[k];
            var value = buyValues[i];
            if (value <= T.Zero) continue;
            var price = book.Prices[i];
            var hasQty = wholeBuy[i] || price > T.Zero;
            var qty = wholeBuy[i] ? buyQty[i] : hasQty ? FractionalShares(value, price, s) : T.Zero;
            moves[i] = Move.Buy;
            tradeQty[i] = qty;
            tradeHasQty[i] = hasQty;
            trades++;
            totalCosts += tradeCosts[i];
            cashAfter -= outlay[i];
            valuesAfter[i] += value;
            if (hasQty)
            {
                if (hasQtyAfter[i]) quantitiesAfter[i] += qty;
                else if (book.Values[i] == T.Zero)
                {
                    quantitiesAfter[i] = qty;
                    hasQtyAfter[i] = true;
                }
            }
        }

        var canSellMore = false;
        for (var i = 0; i < n; i++)
            if (valuesAfter[i] > T.Zero) canSellMore = true;
        return new ExecutionResult<T>(cashAfter, totalCosts, trades, canSellMore);
    }

    // Out of line: formatting inlined into the planning loops would cost every plan stack space and registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string BelowMinimum<T>(string side, T value, string ticker, T minTrade) where T : unmanaged, IFloatingPoint<T> =>
        $"{side} of {value} {ticker} is below the minimum trade of {minTrade} and was dropped";

    private static T SetBuy<T>(PlanWorkspace<T> w, in PlanSettings<T> s, int i, T value, T spend)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        spend -= w.Outlay[i];
        w.TradeValues[i] = value;
        w.TradeCosts[i] = s.CostOf(value);
        w.Outlay[i] = value > T.Zero ? value + w.TradeCosts[i] : T.Zero;
        return spend + w.Outlay[i];
    }

    /// <summary>Shares of a fractional order of <paramref name="value"/>: value ÷ price toward zero, so the order never exceeds its value.</summary>
    private static T FractionalShares<T>(T value, T price, in PlanSettings<T> s)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        if (typeof(T) == typeof(decimal))
        {
            var q = Quotient.Truncated(Unsafe.As<T, decimal>(ref value), Unsafe.As<T, decimal>(ref price), s.QuantityDecimals);
            return Unsafe.As<decimal, T>(ref q);
        }
        return Rounding.Round(value / price, s.QuantityDecimals, MidpointRounding.ToZero);
    }

    /// <summary>Largest-remainder rounding of the fractional buys into the workspace's trade values: every buy down
    /// to the money unit, then the units that the rounded total lost go one each to the largest remainders (the
    /// first of equal ones), so the total is the ideal total rounded down. The first <paramref name="count"/>
    /// entries of the workspace's buyer list are the assets that may buy; whole-share buys get 0 here.</summary>
    private static void RoundFractionalBuys<T>(PlanWorkspace<T> w, T[] buys, int count, int decimals, T unit, T perUnit)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        var values = w.TradeValues;
        var remainders = w.Remainders;
        var buyers = w.Buyers;
        T ideal = T.Zero, floored = T.Zero;
        var candidates = 0;
        for (var k = 0; k < count; k++)
        {
            var i = buyers[k];
            remainders[i] = T.Zero;
            values[i] = T.Zero;
            if (buys[i] == T.Zero || !book.Fractional[i]) continue;
            values[i] = Rounding.Round(buys[i], decimals, MidpointRounding.ToZero);
            remainders[i] = buys[i] - values[i];
            if (remainders[i] > T.Zero) candidates++;
            ideal += buys[i];
            floored += values[i];
        }
        var lost = (Rounding.Round(ideal, decimals, MidpointRounding.ToZero) - floored) * perUnit;
        var units = Math.Min(candidates, int.CreateSaturating(T.Round(lost)));
        for (var u = 0; u < units; u++)
        {
            var pick = -1;
            for (var k = 0; k < count; k++)
            {
                var i = buyers[k];
                if (remainders[i] > T.Zero && (pick < 0 || remainders[i] > remainders[pick])) pick = i;
            }
            if (pick < 0) break;
            values[pick] += unit;
            remainders[pick] = T.Zero;
        }
    }

    private static void RequirePrice<T>(Book<T> book, int i) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        if (book.Prices[i] <= T.Zero)
            throw new InputException(new InputProblem($"{book.Tickers[i]} trades in whole shares, so it needs a price", Field: $"prices.{book.Tickers[i]}"));
    }
}
