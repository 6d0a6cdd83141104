using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Planning;

/// <summary>
/// Turns ideal value changes into orders: sells first, then buys within the cash the sells and the starting cash
/// leave above the floor. Rounding: sells up to the next money unit or whole share, never more than held, so
/// they always fund the buys of the ideal plan; fractional buys down to the money unit with the left-over units given to the largest remainders; whole
/// shares to the nearest share, then shares removed while cash would end below the floor and single shares added,
/// furthest below target first, while one fits. Costs round up.
/// </summary>
internal static class Execution
{
    internal sealed record Result(List<Trade> Trades, decimal CashAfter, decimal Costs, decimal[] ValuesAfter, decimal?[] QuantitiesAfter, bool CanSellMore);

    public static Result Run(Book book, decimal[] deltas, decimal cash, decimal floor, ExecutionOptions ex, bool raising, List<string> warnings)
    {
        var n = book.Count;
        var unit = Unit(ex.MoneyDecimals);
        var fees = new Fees(ex.Costs, ex.MoneyDecimals);
        var trades = new List<Trade>(n);
        var valuesAfter = (decimal[])book.Values.Clone();
        var quantitiesAfter = new decimal?[n];
        Array.Copy(book.Quantities, quantitiesAfter, n);
        decimal totalCosts = 0;

        // Sells.
        var cashAfter = cash;
        for (var i = 0; i < n; i++)
        {
            var d = deltas[i];
            // A change smaller than one money unit is rounding left over from an earlier plan, not a trade.
            if (d > -unit) continue;
            var held = book.Values[i];
            var raw = Math.Min(-d, held);
            var full = raw >= held;
            var price = book.Prices[i];
            decimal? heldQty = book.Quantities[i] ?? (price > 0 ? held / price : null);
            decimal value;
            decimal? qty;
            if (!book.Fractional[i])
            {
                RequirePrice(book, i);
                // Whole-share sells round up so that they always fund the buys the ideal plan makes.
                var q = full ? heldQty!.Value : Math.Min(heldQty!.Value, Math.Ceiling(raw / price));
                value = full ? held : q * price;
                qty = q;
            }
            else
            {
                value = full ? held : Math.Min(held, Math.Round(raw, ex.MoneyDecimals, MidpointRounding.ToPositiveInfinity));
                qty = heldQty is { } hq ? (full ? hq : FractionalShares(value, price, ex)) : null;
            }
            if (value <= 0) continue;
            if (value < ex.MinTrade && raising)
            {
                // Cash must be raised: sell the minimum trade (in whole shares, the shares that reach it) rather than nothing.
                if (book.Fractional[i])
                {
                    value = Math.Min(held, ex.MinTrade);
                    full = value >= held;
                    qty = heldQty is { } hq2 ? (full ? hq2 : FractionalShares(value, price, ex)) : null;
                }
                else
                {
                    var q = Math.Min(heldQty!.Value, Math.Ceiling(ex.MinTrade / price));
                    full = q >= heldQty.Value;
                    value = full ? held : q * price;
                    qty = q;
                }
            }
            if (value < ex.MinTrade)
            {
                warnings.Add($"sell of {value} {book.Tickers[i]} is below the minimum trade of {ex.MinTrade} and was dropped");
                continue;
            }
            var cost = fees.Of(value);
            trades.Add(new Trade(book.Tickers[i], TradeSide.Sell, value, qty, price > 0 ? price : null, cost));
            totalCosts += cost;
            cashAfter += value - cost;
            valuesAfter[i] -= value;
            if (quantitiesAfter[i] is { } qa && qty is { } qs) quantitiesAfter[i] = qa - qs;
        }

        // Buys: ideal amounts, scaled down when they and their costs do not fit in the cash above the floor.
        var buys = new decimal[n];
        decimal buySum = 0;
        var buyCount = 0;
        for (var i = 0; i < n; i++)
        {
            if (deltas[i] < unit) continue;
            buys[i] = deltas[i];
            buySum += deltas[i];
            buyCount++;
        }
        var budget = cashAfter - floor;
        for (var pass = 0; pass < 4 && buyCount > 0; pass++)
        {
            var need = buySum * (1 + fees.Rate) + buyCount * (fees.Fixed + (fees.IsZero ? 0 : unit));
            if (need > budget)
            {
                var room = budget - buyCount * (fees.Fixed + (fees.IsZero ? 0 : unit));
                var scale = room <= 0 ? 0 : room / (buySum * (1 + fees.Rate));
                buySum = 0;
                for (var i = 0; i < n; i++)
                {
                    // The scale is a 28-digit quotient; four digits below the money unit are plenty (the buys are
                    // rounded to the unit next) and keep later sums short. Toward zero, so the budget still holds.
                    buys[i] = Math.Round(buys[i] * scale, ex.MoneyDecimals + 4, MidpointRounding.ToZero);
                    buySum += buys[i];
                }
            }
            // Drop what falls below the minimum trade (or below one money unit) and try again with fewer orders.
            var dropped = false;
            for (var i = 0; i < n; i++)
            {
                if (buys[i] == 0 || (buys[i] >= ex.MinTrade && buys[i] >= unit)) continue;
                if (buys[i] >= unit) warnings.Add($"buy of {Math.Round(buys[i], ex.MoneyDecimals)} {book.Tickers[i]} is below the minimum trade of {ex.MinTrade} and was dropped");
                buySum -= buys[i];
                buys[i] = 0;
                buyCount--;
                dropped = true;
            }
            if (!dropped) break;
        }

        // Round to orders.
        var buyValues = new decimal[n];
        var buyQty = new decimal?[n];
        RoundFractionalBuys(book, buys, buyValues, ex.MoneyDecimals, unit);
        for (var i = 0; i < n; i++)
        {
            if (buys[i] == 0 || book.Fractional[i]) continue;
            RequirePrice(book, i);
            var q = Math.Round(buys[i] / book.Prices[i], 0, MidpointRounding.AwayFromZero);
            buyQty[i] = q;
            buyValues[i] = q * book.Prices[i];
        }
        // What each buy costs with its transaction cost; kept current as buys change.
        var outlay = new decimal[n];
        decimal spend = 0;
        for (var i = 0; i < n; i++)
        {
            if (buyValues[i] <= 0) continue;
            outlay[i] = buyValues[i] + fees.Of(buyValues[i]);
            spend += outlay[i];
        }
        void SetBuy(int i, decimal value)
        {
            spend -= outlay[i];
            buyValues[i] = value;
            outlay[i] = value > 0 ? value + fees.Of(value) : 0;
            spend += outlay[i];
        }
        // Never spend more than there is: take back whole shares (the most over their ideal first), then money units.
        while (cashAfter - spend < floor)
        {
            var pick = -1;
            decimal over = decimal.MinValue;
            for (var i = 0; i < n; i++)
            {
                if (book.Fractional[i] || buyQty[i] is not > 0) continue;
                var o = buyValues[i] - buys[i];
                if (o > over) { over = o; pick = i; }
            }
            if (pick >= 0)
            {
                buyQty[pick] -= 1;
                SetBuy(pick, buyQty[pick]!.Value * book.Prices[pick]);
            }
            else
            {
                for (var i = 0; i < n; i++)
                    if (book.Fractional[i] && buyValues[i] > 0 && (pick < 0 || buyValues[i] > buyValues[pick])) pick = i;
                if (pick < 0) break;
                var deficit = floor - (cashAfter - spend);
                SetBuy(pick, Math.Max(0, buyValues[pick] - RoundUp(deficit / (1 + fees.Rate), ex.MoneyDecimals)));
            }
        }
        // Left-over cash buys single shares of the whole-share asset furthest below target while one fits,
        // never taking an asset past its ideal amount by a whole share.
        if (HasWholeShareBuys(book, buys))
        {
            var baseAfter = BaseAfter(valuesAfter, buyValues, cashAfter - spend, book);
            while (true)
            {
                var pick = -1;
                decimal furthest = decimal.MinValue;
                for (var i = 0; i < n; i++)
                {
                    if (book.Fractional[i] || buys[i] == 0 || buyValues[i] >= buys[i]) continue;
                    var price = book.Prices[i];
                    var extra = price + fees.Of(buyValues[i] + price) - fees.Of(buyValues[i]);
                    if (cashAfter - spend - extra < floor) continue;
                    if (buyValues[i] == 0 && price < ex.MinTrade) continue;
                    var goal = book.Targets[i] * baseAfter;
                    var gap = goal == 0 ? 0 : (goal - valuesAfter[i] - buyValues[i]) / goal;
                    if (gap > furthest) { furthest = gap; pick = i; }
                }
                if (pick < 0) break;
                buyQty[pick] = (buyQty[pick] ?? 0) + 1;
                SetBuy(pick, buyQty[pick]!.Value * book.Prices[pick]);
            }
        }

        for (var i = 0; i < n; i++)
        {
            var value = buyValues[i];
            if (value <= 0) continue;
            var price = book.Prices[i];
            decimal? qty = buyQty[i] ?? (price > 0 ? FractionalShares(value, price, ex) : null);
            var cost = outlay[i] - value;
            trades.Add(new Trade(book.Tickers[i], TradeSide.Buy, value, qty, price > 0 ? price : null, cost));
            totalCosts += cost;
            cashAfter -= value + cost;
            valuesAfter[i] += value;
            if (qty is { } qb) quantitiesAfter[i] = (quantitiesAfter[i] ?? (book.Values[i] == 0 ? 0 : null)) + qb;
        }

        var canSellMore = false;
        for (var i = 0; i < n; i++)
            if (valuesAfter[i] > 0) canSellMore = true;
        return new Result(trades, cashAfter, totalCosts, valuesAfter, quantitiesAfter, canSellMore);
    }

    /// <summary>The cost model with its rate worked out once per run: a trade's cost is rounded up to the money unit.</summary>
    private readonly struct Fees(CostModel costs, int decimals)
    {
        public readonly decimal Fixed = costs.FixedPerTrade;
        public readonly decimal Rate = costs.Rate;
        public readonly bool IsZero = costs.IsZero;

        public decimal Of(decimal value) => value <= 0 || IsZero ? 0 : RoundUp(Fixed + value * Rate, decimals);
    }

    /// <summary>Shares of a fractional order of <paramref name="value"/>: value ÷ price toward zero, so the order never exceeds its value.</summary>
    private static decimal FractionalShares(decimal value, decimal price, ExecutionOptions ex) =>
        Math.Round(value / price, ex.QuantityDecimals, MidpointRounding.ToZero);

    private static decimal RoundUp(decimal x, int decimals) => Math.Round(x, decimals, MidpointRounding.ToPositiveInfinity);

    private static readonly decimal[] Scales = [1m, 10m, 100m, 1_000m, 10_000m, 100_000m, 1_000_000m, 10_000_000m, 100_000_000m];
    private static readonly decimal[] Units = [1m, 0.1m, 0.01m, 0.001m, 0.0001m, 0.00001m, 0.000001m, 0.0000001m, 0.00000001m];

    /// <summary>One unit of the last decimal place: 0.01 for two decimals.</summary>
    internal static decimal Unit(int decimals) => Units[decimals];

    /// <summary>Largest-remainder rounding: every buy down to the money unit, then the units that the rounded
    /// total lost go one each to the largest remainders, so the total is the ideal total rounded down.</summary>
    private static void RoundFractionalBuys(Book book, decimal[] buys, decimal[] values, int decimals, decimal unit)
    {
        var n = book.Count;
        decimal ideal = 0, floored = 0;
        Span<decimal> remainders = n <= 128 ? stackalloc decimal[n] : new decimal[n];
        for (var i = 0; i < n; i++)
        {
            if (buys[i] == 0 || !book.Fractional[i]) continue;
            values[i] = Math.Round(buys[i], decimals, MidpointRounding.ToZero);
            remainders[i] = buys[i] - values[i];
            ideal += buys[i];
            floored += values[i];
        }
        var units = (int)((Math.Round(ideal, decimals, MidpointRounding.ToZero) - floored) * Scales[decimals]);
        for (var u = 0; u < units; u++)
        {
            var pick = -1;
            for (var i = 0; i < n; i++)
                if (remainders[i] > 0 && (pick < 0 || remainders[i] > remainders[pick])) pick = i;
            if (pick < 0) break;
            values[pick] += unit;
            remainders[pick] = 0;
        }
    }

    private static bool HasWholeShareBuys(Book book, decimal[] buys)
    {
        for (var i = 0; i < book.Count; i++)
            if (!book.Fractional[i] && buys[i] > 0) return true;
        return false;
    }

    private static decimal BaseAfter(decimal[] valuesAfterSells, decimal[] buyValues, decimal cashLeft, Book book)
    {
        decimal s = 0;
        for (var i = 0; i < book.Count; i++) s += valuesAfterSells[i] + buyValues[i];
        return book.CashIsAsset ? s + cashLeft : s;
    }

    private static void RequirePrice(Book book, int i)
    {
        if (book.Prices[i] <= 0)
            throw new InputException(new InputProblem($"{book.Tickers[i]} trades in whole shares, so it needs a price", Field: $"prices.{book.Tickers[i]}"));
    }
}
