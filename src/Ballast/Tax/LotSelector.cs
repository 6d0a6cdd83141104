namespace Ballast.Tax;

/// <summary>A specific-lot sale's request to consume <paramref name="Quantity"/> shares (greater than 0) of the lot <paramref name="LotId"/>.</summary>
public sealed record SpecificLot(string LotId, decimal Quantity);

/// <summary>
/// The part of one lot that a sale consumes. Money amounts are totals for the slice in the account currency.
/// </summary>
/// <param name="LotId">The consumed lot.</param>
/// <param name="Ticker">The lot's ticker.</param>
/// <param name="Account">The lot's account.</param>
/// <param name="Acquired">The lot's acquisition date.</param>
/// <param name="HoldingPeriodStart">The lot's holding period start, which decides <paramref name="Term"/>.</param>
/// <param name="Quantity">Shares consumed; greater than 0 and at most the lot's quantity.</param>
/// <param name="Proceeds">This slice's share of the sale proceeds (total).</param>
/// <param name="CostBasis">This slice's share of the lot's basis (total, wash-sale adjustment included).</param>
/// <param name="WashSaleAdjustment">The part of <paramref name="CostBasis"/> that came from earlier wash sales (total).</param>
/// <param name="Term">Short- or long-term on the sale date.</param>
public sealed record LotSlice(
    string LotId,
    string Ticker,
    string Account,
    DateOnly Acquired,
    DateOnly HoldingPeriodStart,
    decimal Quantity,
    decimal Proceeds,
    decimal CostBasis,
    decimal WashSaleAdjustment,
    HoldingTerm Term)
{
    /// <summary>Realized gain (negative for a loss): <see cref="Proceeds"/> minus <see cref="CostBasis"/>, total.</summary>
    public decimal Gain => Proceeds - CostBasis;
}

/// <summary>The result of selling shares of one ticker in one account: the consumed slices and the lots left open.</summary>
/// <param name="Ticker">The sold ticker.</param>
/// <param name="Account">The selling account.</param>
/// <param name="Date">The sale (trade) date.</param>
/// <param name="Quantity">Shares sold; the sum of the slices' quantities.</param>
/// <param name="Proceeds">Total proceeds; the sum of the slices' proceeds.</param>
/// <param name="Slices">The consumed lot slices in consumption order; no lot appears twice.</param>
/// <param name="RemainingLots">The lots left open, in the order they were given; a partly sold lot keeps its id.</param>
public sealed record LotSale(
    string Ticker,
    string Account,
    DateOnly Date,
    decimal Quantity,
    decimal Proceeds,
    IReadOnlyList<LotSlice> Slices,
    IReadOnlyList<TaxLot> RemainingLots)
{
    /// <summary>Total basis of the consumed slices.</summary>
    public decimal CostBasis => Slices.Sum(s => s.CostBasis);

    /// <summary>Realized gain (negative for a loss): proceeds minus the consumed basis.</summary>
    public decimal Gain => Proceeds - CostBasis;

    /// <summary>Realized short-term gain (net of short-term losses).</summary>
    public decimal ShortTermGain => Slices.Where(s => s.Term == HoldingTerm.ShortTerm).Sum(s => s.Gain);

    /// <summary>Realized long-term gain (net of long-term losses).</summary>
    public decimal LongTermGain => Slices.Where(s => s.Term == HoldingTerm.LongTerm).Sum(s => s.Gain);

    /// <summary>The slices' gains for <see cref="TaxCalculator"/>, all under <paramref name="treatment"/> (the ticker's treatment).</summary>
    public IReadOnlyList<RealizedGain> RealizedGains(string treatment) =>
        [.. Slices.Select(s => new RealizedGain(treatment, s.Term, s.Gain))];
}

/// <summary>
/// Limits on what one sale may realize, for a tax-aware planner.
/// </summary>
/// <param name="MaxRealizedGain">The most net gain (total, account currency) the sale may realize, or null for no limit; may be negative to demand a net loss.</param>
/// <param name="NoShortTermGains">When true, the sale's net short-term gain must be 0 or less.</param>
public sealed record SaleLimits(decimal? MaxRealizedGain = null, bool NoShortTermGains = false)
{
    /// <summary>No limits.</summary>
    public static SaleLimits None { get; } = new();
}

/// <summary>
/// Chooses which lots a sale consumes and splits partial lots exactly.
/// </summary>
/// <remarks>
/// A partly consumed lot gives the slice <c>round(basis × sold / held)</c>, rounded to
/// <see cref="MoneyDecimals"/> decimals with <see cref="MidpointRounding.AwayFromZero"/>; the open lot keeps
/// the exact remainder, so the slice basis plus the remaining basis always equals the lot's basis. A fully
/// consumed lot gives its whole basis. Proceeds are split the same way across slices in consumption order,
/// by cumulative quantity (the last slice taking the remainder), so the slices' proceeds sum to the sale's proceeds exactly.
/// Quantities are never rounded.
/// </remarks>
public sealed class LotSelector
{
    /// <summary>A selector that rounds money to <paramref name="moneyDecimals"/> decimals (0 to 10; default 2).</summary>
    public LotSelector(int moneyDecimals = 2)
    {
        if (moneyDecimals is < 0 or > 10)
            throw new ArgumentOutOfRangeException(nameof(moneyDecimals), moneyDecimals, "money decimals must be between 0 and 10");
        MoneyDecimals = moneyDecimals;
    }

    /// <summary>Decimals money amounts are rounded to when a lot or the proceeds are split.</summary>
    public int MoneyDecimals { get; }

    /// <summary>Rounds a money amount the way this selector does.</summary>
    public decimal RoundMoney(decimal amount) => Math.Round(amount, MoneyDecimals, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Sells <paramref name="quantity"/> shares at <paramref name="pricePerShare"/>; the proceeds are
    /// <c>quantity × price</c> rounded to <see cref="MoneyDecimals"/>.
    /// </summary>
    /// <param name="openLots">The account's open lots of one ticker; ids distinct.</param>
    /// <param name="quantity">Shares to sell; greater than 0 and at most the lots' total.</param>
    /// <param name="pricePerShare">Sale price per share; 0 or more.</param>
    /// <param name="saleDate">Trade date; on or after every lot's acquisition date.</param>
    /// <param name="method">The consumption order.</param>
    /// <param name="specificLots">Required for <see cref="LotSelectionMethod.Specific"/>, and only then; quantities must sum to <paramref name="quantity"/>.</param>
    /// <exception cref="ArgumentException">Lots of several tickers or accounts, duplicate ids, an unknown lot id, or a missing or unexpected specific-lot list.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A quantity or price out of range, or a sale before a lot was acquired.</exception>
    public LotSale Sell(IReadOnlyList<TaxLot> openLots, decimal quantity, decimal pricePerShare, DateOnly saleDate,
        LotSelectionMethod method, IReadOnlyList<SpecificLot>? specificLots = null)
    {
        if (pricePerShare < 0m)
            throw new ArgumentOutOfRangeException(nameof(pricePerShare), pricePerShare, "the price per share must be 0 or more");
        if (quantity <= 0m)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "the quantity to sell must be greater than 0");
        return SellForProceeds(openLots, quantity, RoundMoney(quantity * pricePerShare), saleDate, method, specificLots);
    }

    /// <summary>
    /// Like <see cref="Sell"/>, with the sale's total <paramref name="proceeds"/> (0 or more) given instead of a price,
    /// for example net of fees.
    /// </summary>
    public LotSale SellForProceeds(IReadOnlyList<TaxLot> openLots, decimal quantity, decimal proceeds, DateOnly saleDate,
        LotSelectionMethod method, IReadOnlyList<SpecificLot>? specificLots = null)
    {
        ArgumentNullException.ThrowIfNull(openLots);
        if (quantity <= 0m)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "the quantity to sell must be greater than 0");
        if (proceeds < 0m)
            throw new ArgumentOutOfRangeException(nameof(proceeds), proceeds, "proceeds must be 0 or more");
        if (openLots.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "there are no open lots to sell from");
        CheckOneHolding(openLots);

        var held = openLots.Sum(l => l.Quantity);
        if (quantity > held)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"cannot sell more than the {held} shares held");
        foreach (var lot in openLots)
        {
            if (saleDate < lot.Acquired)
                throw new ArgumentOutOfRangeException(nameof(saleDate), saleDate, $"lot {lot.Id} was acquired on {lot.Acquired:yyyy-MM-dd}, after the sale");
        }

        var plan = method == LotSelectionMethod.Specific
            ? SpecificPlan(openLots, quantity, specificLots)
            : OrderedPlan(openLots, quantity, proceeds / quantity, saleDate, method, specificLots);

        var slices = new List<LotSlice>(plan.Count);
        var remaining = openLots.ToDictionary(l => l.Id, l => (TaxLot?)l, StringComparer.Ordinal);
        // Proceeds follow the cumulative quantity, so every slice's share is 0 or more and the last absorbs the rounding.
        var allocated = 0m;
        var cumulative = 0m;
        for (var i = 0; i < plan.Count; i++)
        {
            var (lot, take) = plan[i];
            cumulative += take;
            var upTo = i == plan.Count - 1 ? proceeds : RoundMoney(proceeds * cumulative / quantity);
            var sliceProceeds = upTo - allocated;
            allocated = upTo;
            var (slice, rest) = Split(lot, take);
            slices.Add(new LotSlice(lot.Id, lot.Ticker, lot.Account, lot.Acquired, lot.HoldingPeriodStart, take,
                sliceProceeds, slice.CostBasis, slice.WashSaleAdjustment, HoldingPeriod.Term(lot.HoldingPeriodStart, saleDate)));
            remaining[lot.Id] = rest;
        }

        var remainingLots = openLots.Select(l => remaining[l.Id]).OfType<TaxLot>().ToList();
        return new LotSale(openLots[0].Ticker, openLots[0].Account, saleDate, quantity, proceeds, slices, remainingLots);
    }

    /// <summary>
    /// The largest quantity, in steps of <c>10^-quantityDecimals</c> shares, that <paramref name="method"/> can sell
    /// from <paramref name="openLots"/> at <paramref name="pricePerShare"/> on <paramref name="saleDate"/> within
    /// <paramref name="limits"/>; 0 when no quantity fits. Losses on early lots can make room for gains on later
    /// ones, so this is the largest quantity that fits; a smaller one may not (check it with <see cref="Sell"/>).
    /// Where a gain limit cuts a lot, the cut keeps one money unit (<c>10^-MoneyDecimals</c>) below the limit so
    /// the rounded sale still fits; the answer is confirmed with <see cref="Sell"/>.
    /// </summary>
    /// <param name="openLots">The account's open lots of one ticker.</param>
    /// <param name="pricePerShare">Sale price per share; 0 or more.</param>
    /// <param name="saleDate">Trade date.</param>
    /// <param name="method">Any method but <see cref="LotSelectionMethod.Specific"/>.</param>
    /// <param name="limits">The realized-gain limits.</param>
    /// <param name="quantityDecimals">0 for whole shares; 0 to 10.</param>
    public decimal MaxQuantity(IReadOnlyList<TaxLot> openLots, decimal pricePerShare, DateOnly saleDate, LotSelectionMethod method,
        SaleLimits limits, int quantityDecimals = 0)
    {
        ArgumentNullException.ThrowIfNull(openLots);
        ArgumentNullException.ThrowIfNull(limits);
        if (method == LotSelectionMethod.Specific)
            throw new ArgumentOutOfRangeException(nameof(method), method, "a specific-lot sale has no order to follow");
        if (pricePerShare < 0m)
            throw new ArgumentOutOfRangeException(nameof(pricePerShare), pricePerShare, "the price per share must be 0 or more");
        if (quantityDecimals is < 0 or > 10)
            throw new ArgumentOutOfRangeException(nameof(quantityDecimals), quantityDecimals, "quantity decimals must be between 0 and 10");
        if (openLots.Count == 0) return 0m;
        CheckOneHolding(openLots);

        // Along the consumption order, realized gain and short-term gain are piecewise linear in the quantity;
        // within each lot the quantities meeting both limits form one interval, and the best is its top.
        var margin = Unit(MoneyDecimals);
        var best = 0m;
        decimal prefix = 0m, gain = 0m, shortGain = 0m;
        foreach (var lot in ConsumptionOrder(openLots, method, pricePerShare, saleDate))
        {
            var perShare = pricePerShare - lot.CostBasisPerShare;
            var isShort = HoldingPeriod.Term(lot.HoldingPeriodStart, saleDate) == HoldingTerm.ShortTerm;
            var (low, high) = (0m, lot.Quantity);
            if (limits.MaxRealizedGain is decimal max) (low, high) = Narrow(low, high, gain, perShare, max, margin);
            if (limits.NoShortTermGains) (low, high) = Narrow(low, high, shortGain, isShort ? perShare : 0m, 0m, margin);
            if (low <= high)
            {
                var top = Math.Round(prefix + high, quantityDecimals, MidpointRounding.ToZero);
                if (top >= prefix + low && top > best) best = top;
            }
            prefix += lot.Quantity;
            gain += perShare * lot.Quantity;
            if (isShort) shortGain += perShare * lot.Quantity;
        }

        // Rounded proceeds can still shift a cent between slices; step down a little until the real sale fits,
        // and fall back to selling nothing, which always fits.
        var step = Unit(quantityDecimals);
        for (var tries = 0; best > 0m; tries++)
        {
            var sale = Sell(openLots, best, pricePerShare, saleDate, method);
            if ((limits.MaxRealizedGain is not decimal m || sale.Gain <= m) && (!limits.NoShortTermGains || sale.ShortTermGain <= 0m)) return best;
            best = tries < 100 ? best - step : 0m;
        }
        return 0m;
    }

    private static decimal Unit(int decimals) => new(1, 0, 0, false, (byte)decimals);

    // The x in [low, high] (0 ≤ low) with start + slope * x <= limit; a rising line stops one margin short of the limit.
    // A slope so flat that the quotient would leave decimal's range cannot bind inside [low, high]: comparing the
    // numerator with |slope| × high decides that without dividing.
    private static (decimal Low, decimal High) Narrow(decimal low, decimal high, decimal start, decimal slope, decimal limit, decimal margin)
    {
        if (slope == 0m) return start <= limit ? (low, high) : (1m, 0m);
        var reach = Math.Abs(slope) * Math.Abs(high);
        if (slope > 0m)
        {
            var room = limit - margin - start;
            if (room > reach) return (low, high);
            if (room < 0m) return (1m, 0m);
            return (low, Math.Min(high, room / slope));
        }
        var need = limit - start;
        if (need >= 0m) return (low, high);
        if (-need > reach) return (1m, 0m);
        return (Math.Max(low, need / slope), high);
    }

    /// <summary>
    /// The order in which <paramref name="method"/> (not <see cref="LotSelectionMethod.Specific"/>) consumes
    /// <paramref name="lots"/> for a sale at <paramref name="pricePerShare"/> on <paramref name="saleDate"/>.
    /// Ties break by acquisition date, then lot id (<see cref="LotIdComparer"/>: numbers by value), so the order is deterministic.
    /// </summary>
    public static IReadOnlyList<TaxLot> ConsumptionOrder(IEnumerable<TaxLot> lots, LotSelectionMethod method, decimal pricePerShare, DateOnly saleDate)
    {
        ArgumentNullException.ThrowIfNull(lots);
        return method switch
        {
            LotSelectionMethod.Fifo => [.. lots.OrderBy(l => l.Acquired).ThenBy(l => l.Id, LotIdComparer.Instance)],
            LotSelectionMethod.Lifo => [.. lots.OrderByDescending(l => l.Acquired).ThenByDescending(l => l.Id, LotIdComparer.Instance)],
            LotSelectionMethod.Hifo => [.. lots.OrderByDescending(l => l.CostBasisPerShare).ThenBy(l => l.Acquired).ThenBy(l => l.Id, LotIdComparer.Instance)],
            LotSelectionMethod.TaxMinimizing => [.. lots
                .OrderBy(l => TaxMinimizingGroup(l, pricePerShare, saleDate))
                .ThenBy(l => pricePerShare - l.CostBasisPerShare)
                .ThenBy(l => l.Acquired)
                .ThenBy(l => l.Id, LotIdComparer.Instance)],
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "specific lots have no consumption order; pass the lots to Sell"),
        };
    }

    /// <summary>Splits <paramref name="take"/> shares off a lot: the sold slice's basis and adjustment, and the lot left open (null when none is left).</summary>
    internal (TaxLot Slice, TaxLot? Remainder) Split(TaxLot lot, decimal take)
    {
        if (take <= 0m || take > lot.Quantity)
            throw new ArgumentOutOfRangeException(nameof(take), take, $"must be greater than 0 and at most the lot's {lot.Quantity} shares");
        if (take == lot.Quantity)
            return (lot, null);

        var restQuantity = lot.Quantity - take;
        var sliceBasis = RoundMoney(lot.CostBasis * take / lot.Quantity);
        var restBasis = lot.CostBasis - sliceBasis;
        // Keep the adjustment within the basis on both sides even when amounts carry more decimals than the rounding.
        var restAdjustment = Math.Min(lot.WashSaleAdjustment - RoundMoney(lot.WashSaleAdjustment * take / lot.Quantity), restBasis);
        var sliceAdjustment = lot.WashSaleAdjustment - restAdjustment;
        if (sliceAdjustment > sliceBasis)
        {
            sliceAdjustment = sliceBasis;
            restAdjustment = lot.WashSaleAdjustment - sliceAdjustment;
        }

        var slice = new TaxLot(lot.Id, lot.Ticker, lot.Account, lot.Acquired, take, sliceBasis, sliceAdjustment, lot.HoldingPeriodStart);
        var rest = new TaxLot(lot.Id, lot.Ticker, lot.Account, lot.Acquired, restQuantity, restBasis, restAdjustment, lot.HoldingPeriodStart);
        return (slice, rest);
    }

    private static int TaxMinimizingGroup(TaxLot lot, decimal pricePerShare, DateOnly saleDate)
    {
        if (pricePerShare < lot.CostBasisPerShare) return 0;
        return HoldingPeriod.Term(lot.HoldingPeriodStart, saleDate) == HoldingTerm.LongTerm ? 1 : 2;
    }

    private static List<(TaxLot Lot, decimal Take)> OrderedPlan(IReadOnlyList<TaxLot> openLots, decimal quantity, decimal pricePerShare,
        DateOnly saleDate, LotSelectionMethod method, IReadOnlyList<SpecificLot>? specificLots)
    {
        if (specificLots is not null)
            throw new ArgumentException($"specific lots are only read with the {nameof(LotSelectionMethod.Specific)} method", nameof(specificLots));
        var plan = new List<(TaxLot, decimal)>();
        var left = quantity;
        foreach (var lot in ConsumptionOrder(openLots, method, pricePerShare, saleDate))
        {
            if (left == 0m) break;
            var take = Math.Min(left, lot.Quantity);
            plan.Add((lot, take));
            left -= take;
        }
        return plan;
    }

    private static List<(TaxLot Lot, decimal Take)> SpecificPlan(IReadOnlyList<TaxLot> openLots, decimal quantity, IReadOnlyList<SpecificLot>? specificLots)
    {
        if (specificLots is null || specificLots.Count == 0)
            throw new ArgumentException("a specific-lot sale must name at least one lot", nameof(specificLots));
        var byId = openLots.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<(TaxLot, decimal)>();
        foreach (var request in specificLots)
        {
            if (!byId.TryGetValue(request.LotId, out var lot))
                throw new ArgumentException($"lot {request.LotId} is not one of the open lots", nameof(specificLots));
            if (!seen.Add(request.LotId))
                throw new ArgumentException($"lot {request.LotId} is named twice", nameof(specificLots));
            if (request.Quantity <= 0m || request.Quantity > lot.Quantity)
                throw new ArgumentOutOfRangeException(nameof(specificLots), request.Quantity, $"lot {lot.Id} can give more than 0 and at most {lot.Quantity} shares");
            plan.Add((lot, request.Quantity));
        }
        var named = specificLots.Sum(r => r.Quantity);
        if (named != quantity)
            throw new ArgumentOutOfRangeException(nameof(specificLots), named, $"the named lots give {named} shares but the sale is for {quantity}");
        return plan;
    }

    private static void CheckOneHolding(IReadOnlyList<TaxLot> lots)
    {
        var first = lots[0];
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lot in lots)
        {
            ArgumentNullException.ThrowIfNull(lot, nameof(lots));
            if (!string.Equals(lot.Ticker, first.Ticker, StringComparison.Ordinal) || !string.Equals(lot.Account, first.Account, StringComparison.Ordinal))
                throw new ArgumentException($"all lots must be of one ticker in one account; found {first.Ticker}/{first.Account} and {lot.Ticker}/{lot.Account}", nameof(lots));
            if (!ids.Add(lot.Id))
                throw new ArgumentException($"lot id {lot.Id} appears twice", nameof(lots));
        }
    }
}
