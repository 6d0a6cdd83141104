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
/// they always fund the buys of the ideal plan; fractional buys down to the money unit with the left-over units
/// given to the largest remainders; whole shares to the nearest share (none when that is below the minimum trade),
/// then shares removed while cash would end below the floor. Costs round up.
/// </summary>
/// <remarks>
/// What is then left above the floor is placed so that a plan's result is a fixed point: planning again on it, with
/// no new cash and no forced rebalance, proposes nothing. A plan that must raise cash first gives back what its
/// fractional sells raised beyond rounding (<see cref="TrimRaise"/>); whole-share rounding's leftover goes a share at
/// a time to the whole-share assets furthest below target, as long as a share brings its asset at least as close to
/// target, taking back a rounded-up sell before buying (<see cref="SpendLeftover"/>); and cash a fractional buy of
/// the minimum trade can use goes to the fractional assets furthest below target (<see cref="FillFractional"/>).
/// The planner invests spare cash on its own only when <see cref="CanInvest"/> finds such a buy, which these steps
/// leave none of.
/// </remarks>
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
        var anyWhole = false;
        for (var i = 0; i < n; i++)
        {
            valuesAfter[i] = book.Values[i];
            quantitiesAfter[i] = book.Quantities[i];
            hasQtyAfter[i] = book.HasQuantity[i];
            moves[i] = Move.None;
            anyWhole |= !book.Fractional[i];
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
        var anyDropped = false;
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
                // Said once the leftover steps below have run: they may still buy the asset.
                if (b >= unit && warnings is not null)
                {
                    w.Dropped[i] = b;
                    anyDropped = true;
                }
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
                // Rounding to the nearest share never passes a buy limit.
                if (w.AnyBuyCap && q * book.Prices[i] > w.BuyCaps[i]) q = T.Floor(w.BuyCaps[i] / book.Prices[i]);
                // Shares that come to less than the minimum trade are no order; the leftover step below may still
                // buy the shares that reach it.
                if (q * book.Prices[i] < s.MinTrade) q = T.Zero;
                buyQty[i] = q;
                wholeBuy[i] = true;
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
        // What is left above the floor: a plan that must raise cash sells no more than it needs (its cost estimates
        // are generous, more so when a repair run estimates them again), so first its largest fractional sell gives
        // back what is beyond rounding; whole-share rounding's leftover goes, a share at a time, to the whole-share
        // assets furthest below target; and what buys the minimum trade or more goes to the fractional ones. Then a
        // buy-only plan on the result has nothing to buy (see CanInvest).
        var originalBuyers = buyCount;
        if (raising && cashAfter - spend - floor + s.Slack >= T.CreateTruncating(n) * unit)
            cashAfter = TrimRaise(w, s, cashAfter - spend, floor, ref totalCosts) + spend;
        // With a cash band, a leftover the next plan would leave idle (see Drift.IdleCash) is left idle now too.
        var leftoverIsIdle = s.CashBand == T.Zero || LeftoverIsIdle(w, s, cashAfter - spend, floor, buyCount);
        if (anyWhole && leftoverIsIdle) SpendLeftover(w, s, floor, ref cashAfter, ref spend, ref buyCount, ref trades, ref totalCosts);
        if (leftoverIsIdle && cashAfter - spend - floor + s.Slack >= FillThreshold(s, n))
            spend = FillFractional(w, s, cashAfter, floor, spend, ref buyCount);
        if (anyDropped)
        {
            for (var k = 0; k < originalBuyers; k++)
            {
                var i = buyers[k];
                if (w.Dropped[i] == T.Zero) continue;
                if (buyValues[i] == T.Zero) warnings?.Add(BelowMinimum("buy", T.Round(w.Dropped[i], md), book.Tickers[i], s.MinTrade));
                w.Dropped[i] = T.Zero;
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

    /// <summary>
    /// Takes what a plan that must raise cash has left above <paramref name="floor"/>, rounded down to the money
    /// unit, off its largest fractional sell of an asset with a target (not a sell of the whole holding), as long as
    /// that sell stays at or above the minimum trade. Cash never ends below the floor: the sell's cost can only fall.
    /// <paramref name="cash"/> is the cash after every trade; returns it after the trim.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T TrimRaise<T>(PlanWorkspace<T> w, in PlanSettings<T> s, T cash, T floor, ref T totalCosts)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        var values = w.TradeValues;
        var pick = -1;
        for (var i = 0; i < book.Count; i++)
        {
            if (w.Moves[i] != Move.Sell || !book.Fractional[i] || !book.InTargets[i] || values[i] >= book.Values[i]) continue;
            if (pick < 0 || values[i] > values[pick]) pick = i;
        }
        if (pick < 0) return cash;
        // In double the cash carries rounding noise far below the slack; on the grid, it must not lose a unit.
        var less = Rounding.Round(cash - floor + s.Slack, s.MoneyDecimals, MidpointRounding.ToZero);
        var value = values[pick] - less;
        if (value < s.MinTrade || value < s.Unit) return cash;
        var cost = s.CostOfPositive(value);
        totalCosts += cost - w.TradeCosts[pick];
        cash += w.TradeCosts[pick] - cost - less;
        values[pick] = value;
        w.TradeCosts[pick] = cost;
        w.ValuesAfter[pick] += less;
        if (w.TradeHasQuantity[pick])
        {
            var qty = FractionalShares(value, book.Prices[pick], s);
            if (w.HasQuantityAfter[pick]) w.QuantitiesAfter[pick] += w.TradeQuantities[pick] - qty;
            w.TradeQuantities[pick] = qty;
        }
        return cash;
    }

    /// <summary>
    /// The leftover step of whole-share plans, after rounding and after shares were taken back to fit the cash. While
    /// the cash above the floor pays for it, one step goes to the whole-share asset furthest below its target
    /// (relatively) among those the step brings at least as close to target, that is, whose shortfall is at least
    /// half the step. A step is one share less of an asset the plan sells (or its whole sell, when one share less
    /// would fall below the minimum trade), one share more of an asset it buys, or, for an asset it does not buy,
    /// the shares that reach the minimum trade. Targets are weighed on the base the next plan would use: the value
    /// after the trades plus the cash that may be invested.
    /// </summary>
    /// <remarks>
    /// This is what makes whole-share plans fixed points: when it ends, no share that a buy-only plan could make
    /// (<see cref="CanInvest"/>) fits, so planning again on the result with no new cash proposes nothing; and a sell
    /// it rounded up is given back rather than bought back by the next plan. It runs in every plan, including one
    /// that raises cash by selling: what its whole-share sells raise beyond the need would otherwise be invested by
    /// the next plan, so such a plan may buy a share with it (never more than that excess).
    /// </remarks>
    // Out of line: only plans with whole-share assets run it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SpendLeftover<T>(PlanWorkspace<T> w, in PlanSettings<T> s, T floor,
        ref T cashAfter, ref T spend, ref int buyCount, ref int trades, ref T totalCosts)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        var n = book.Count;
        var moves = w.Moves;
        var buyers = w.Buyers;
        var tradeValues = w.TradeValues;
        var tradeQty = w.TradeQuantities;
        var tradeCosts = w.TradeCosts;
        var valuesAfter = w.ValuesAfter;
        var buyQty = w.BuyQuantities;
        var wholeBuy = w.WholeBuy;
        // Buys are marked only when they are made; mark the candidates now, so that each asset's state is one look.
        var invested = InvestedAfter(w, buyCount, markBuys: true);
        while (true)
        {
            var cashNow = cashAfter - spend;
            var baseAfter = T.Max(T.Zero, invested + (book.CashIsAsset ? cashNow : cashNow - floor));
            var pick = -1;
            var furthest = T.MinValue;
            T pickStep = T.Zero, pickShares = T.Zero;
            for (var i = 0; i < n; i++)
            {
                if (book.Fractional[i] || !book.InTargets[i]) continue;
                var price = book.Prices[i];
                if (price <= T.Zero) continue;
                var goal = book.Targets[i] * baseAfter;
                var move = moves[i];
                var gap = goal - (move == Move.Buy ? valuesAfter[i] + tradeValues[i] : valuesAfter[i]);
                if (gap <= T.Zero) continue;
                T step, shares, extra;
                if (move == Move.Sell)
                {
                    var qty = tradeQty[i];
                    var value = tradeValues[i];
                    if (!w.TradeHasQuantity[i] || qty < T.One) continue;
                    // A sell of part of a holding is whole shares at the price; a sell of all of it may also sell a
                    // fraction of a share that was held, which one share less keeps selling.
                    if (value < book.Values[i] && (qty != T.Floor(qty) || value != qty * price)) continue;
                    var rest = value - price;
                    if (rest < T.Zero) continue;
                    if (rest > T.Zero && rest < s.MinTrade)
                    {
                        shares = qty;
                        step = value;
                    }
                    else
                    {
                        shares = T.One;
                        step = price;
                    }
                    extra = step - (tradeCosts[i] - s.CostOf(value - step));
                }
                else if (move == Move.Buy && wholeBuy[i] && buyQty[i] > T.Zero)
                {
                    shares = T.One;
                    step = price;
                    extra = price + s.CostOfPositive(tradeValues[i] + price) - tradeCosts[i];
                    if (tradeValues[i] + step > w.BuyCap(i)) continue;
                }
                else
                {
                    shares = s.MinTrade > price ? Rounding.Ceiling(s.MinTrade / price) : T.One;
                    step = shares * price;
                    extra = step + s.CostOfPositive(step);
                    // A buy's shares replace a fractional buy's money: together they stay within the limit.
                    if (step > w.BuyCap(i)) continue;
                }
                if (gap + gap < step || cashNow - extra < floor - s.Slack) continue;
                var distance = gap / goal;
                if (distance > furthest)
                {
                    furthest = distance;
                    pick = i;
                    pickStep = step;
                    pickShares = shares;
                }
            }
            if (pick < 0) break;
            invested += pickStep;
            if (moves[pick] == Move.Sell)
            {
                var oldCost = tradeCosts[pick];
                var value = tradeValues[pick] - pickStep;
                var cost = s.CostOf(value);
                tradeValues[pick] = value;
                tradeQty[pick] -= pickShares;
                tradeCosts[pick] = cost;
                cashAfter += oldCost - cost - pickStep;
                totalCosts += cost - oldCost;
                valuesAfter[pick] += pickStep;
                if (w.HasQuantityAfter[pick]) w.QuantitiesAfter[pick] += pickShares;
                if (value == T.Zero)
                {
                    moves[pick] = Move.None;
                    trades--;
                }
                continue;
            }
            if (moves[pick] != Move.Buy)
            {
                // A new order: its slots still hold an earlier plan's values.
                buyers[buyCount++] = pick;
                moves[pick] = Move.Buy;
                w.Outlay[pick] = T.Zero;
                w.Buys[pick] = T.Zero;
                wholeBuy[pick] = false;
            }
            if (wholeBuy[pick] && buyQty[pick] > T.Zero)
            {
                buyQty[pick] += T.One;
            }
            else
            {
                wholeBuy[pick] = true;
                buyQty[pick] = pickShares;
            }
            spend = SetBuy(w, s, pick, buyQty[pick] * book.Prices[pick], spend);
        }
        for (var k = 0; k < buyCount; k++)
        {
            var i = buyers[k];
            if (tradeValues[i] <= T.Zero) moves[i] = Move.None;
        }
    }

    /// <summary>
    /// The invested value once the plan's trades are done: the values after the sells plus the first
    /// <paramref name="buyCount"/> listed buys, which <paramref name="markBuys"/> marks as buys.
    /// </summary>
    private static T InvestedAfter<T>(PlanWorkspace<T> w, int buyCount, bool markBuys)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var invested = T.Zero;
        for (var i = 0; i < w.Book.Count; i++) invested += w.ValuesAfter[i];
        for (var k = 0; k < buyCount; k++)
        {
            var i = w.Buyers[k];
            if (markBuys) w.Moves[i] = Move.Buy;
            invested += w.TradeValues[i];
        }
        return invested;
    }

    /// <summary>Whether the cash left above <paramref name="floor"/> would count as idle for the next plan, the policy's cash band included.</summary>
    private static bool LeftoverIsIdle<T>(PlanWorkspace<T> w, in PlanSettings<T> s, T cash, T floor, int buyCount)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        if (book.CashIsAsset) return true;
        var invested = InvestedAfter(w, buyCount, markBuys: false);
        return Drift.IdleCash.Counts(cash - floor, invested, cash, T.CreateTruncating(book.Count) * s.Unit, s.CashBand);
    }

    /// <summary>
    /// The least cash above the floor that fractional buys use on their own: the smallest order, and a money unit
    /// per asset, plus, when trading costs, the fixed cost and a unit each for the rounding of the cost and of the
    /// trade. Less is what rounding and the cost estimates of a plan leave.
    /// </summary>
    internal static T FillThreshold<T>(in PlanSettings<T> s, int assets) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var overhead = s.CostsAreZero ? T.Zero : s.FixedCost + s.Unit + s.Unit;
        return T.Max(T.Max(s.MinTrade, s.Unit), T.CreateTruncating(assets) * s.Unit + overhead);
    }

    /// <summary>
    /// Buys fractional assets below target with the cash left above <paramref name="floor"/> once it reaches
    /// <see cref="FillThreshold"/>: the one furthest below target (relatively, on the base the next plan would use)
    /// first, up to its shortfall or what the cash pays for with costs, as long as the order reaches the minimum
    /// trade (one money unit more for an asset the plan already buys). Returns the cash the buys spend.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T FillFractional<T>(PlanWorkspace<T> w, in PlanSettings<T> s, T cashAfter, T floor, T spend, ref int buyCount)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = w.Book;
        var n = book.Count;
        var moves = w.Moves;
        var buyers = w.Buyers;
        var tradeValues = w.TradeValues;
        var valuesAfter = w.ValuesAfter;
        var smallest = T.Max(s.MinTrade, s.Unit);
        var threshold = FillThreshold(s, n);
        var grossUp = T.One + s.CostRate;
        var perOrder = s.CostsAreZero ? T.Zero : s.Unit;
        var invested = InvestedAfter(w, buyCount, markBuys: true);
        while (true)
        {
            var cashNow = cashAfter - spend;
            var left = cashNow - floor;
            if (left + s.Slack < threshold) break;
            var baseAfter = T.Max(T.Zero, invested + (book.CashIsAsset ? cashNow : left));
            var pick = -1;
            var furthest = T.MinValue;
            var pickAmount = T.Zero;
            for (var i = 0; i < n; i++)
            {
                if (!book.Fractional[i] || !book.InTargets[i]) continue;
                var held = moves[i] == Move.Buy ? tradeValues[i] : T.Zero;
                var goal = book.Targets[i] * baseAfter;
                var gap = goal - valuesAfter[i] - held;
                if (gap + s.Slack < smallest) continue;
                var isNew = held == T.Zero;
                var pays = (left - perOrder - (isNew ? s.FixedCost : T.Zero)) / grossUp;
                var amount = Rounding.Round(T.Min(T.Min(gap, pays), w.BuyCap(i) - held) + s.Slack, s.MoneyDecimals, MidpointRounding.ToZero);
                if (amount < (isNew ? smallest : s.Unit)) continue;
                var distance = gap / goal;
                if (distance > furthest)
                {
                    furthest = distance;
                    pick = i;
                    pickAmount = amount;
                }
            }
            if (pick < 0) break;
            if (moves[pick] != Move.Buy)
            {
                buyers[buyCount++] = pick;
                moves[pick] = Move.Buy;
                w.Outlay[pick] = T.Zero;
                w.WholeBuy[pick] = false;
                tradeValues[pick] = T.Zero;
            }
            invested += pickAmount;
            spend = SetBuy(w, s, pick, tradeValues[pick] + pickAmount, spend);
        }
        for (var k = 0; k < buyCount; k++)
        {
            var i = buyers[k];
            if (tradeValues[i] <= T.Zero) moves[i] = Move.None;
        }
        return spend;
    }

    /// <summary>
    /// Whether spare cash can buy anything on its own, the rule behind a buy-only plan. In whole shares: some asset is
    /// below its target at <paramref name="baseValue"/> by at least half the shares of its smallest order (one share,
    /// or the shares that reach the minimum trade), so that they bring it at least as close to target, and those
    /// shares with their cost fit in <paramref name="room"/>, the cash above the floor. In fractions:
    /// <paramref name="available"/> reaches <see cref="FillThreshold"/> and some asset is below target by at least
    /// the minimum trade. Every plan's leftover steps leave no such buy behind, so planning again on a plan's result
    /// invests nothing; checking first also spares the work and the warnings of buys that would all be dropped.
    /// </summary>
    internal static bool CanInvest<T>(Book<T> book, in PlanSettings<T> s, T baseValue, T available, T room, T[]? buyCaps = null)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var smallest = T.Max(s.MinTrade, s.Unit);
        var fractionalFits = available + s.Slack >= FillThreshold(s, book.Count);
        for (var i = 0; i < book.Count; i++)
        {
            var gap = book.Targets[i] * baseValue - book.Values[i];
            if (gap <= T.Zero || !book.InTargets[i]) continue;
            // A buy limit narrows the shortfall to what may be bought.
            if (buyCaps is not null) gap = T.Min(gap, buyCaps[i]);
            if (book.Fractional[i])
            {
                if (fractionalFits && gap + s.Slack >= smallest) return true;
                continue;
            }
            var price = book.Prices[i];
            // Without a price the buy cannot be sized: let execution say so.
            if (price <= T.Zero) return true;
            var shares = s.MinTrade > price ? Rounding.Ceiling(s.MinTrade / price) : T.One;
            var step = shares * price;
            if (gap + gap >= step && (buyCaps is null || step <= buyCaps[i]) && step + s.CostOfPositive(step) <= room + s.Slack) return true;
        }
        return false;
    }

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
            remainders[pick] = T.Zero;
            // A unit more never passes a buy limit.
            if (values[pick] + unit > w.BuyCap(pick)) continue;
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
