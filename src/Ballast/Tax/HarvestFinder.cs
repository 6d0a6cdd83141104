namespace Ballast.Tax;

/// <summary>
/// When a lot's unrealized loss is worth harvesting: the loss must exceed both
/// <paramref name="MinLossFraction"/> of the lot's basis (a fraction, default 0.05 = 5%) and
/// <paramref name="MinLossAmount"/> (total, account currency, default 100). Both 0 or more.
/// </summary>
public sealed record HarvestThresholds(decimal MinLossFraction = 0.05m, decimal MinLossAmount = 100m)
{
    /// <summary>The defaults: 5% of basis and 100.</summary>
    public static HarvestThresholds Default { get; } = new();
}

/// <summary>What <see cref="HarvestFinder.Find"/> looks at. Money amounts are in the account currency.</summary>
public sealed record HarvestRequest
{
    /// <summary>The household's open lots, all accounts; each acquired on or before <see cref="AsOf"/>.</summary>
    public required IReadOnlyList<TaxLot> OpenLots { get; init; }

    /// <summary>Current price per share by ticker.</summary>
    public required IReadOnlyDictionary<string, decimal> Prices { get; init; }

    /// <summary>The trade date of the proposed harvests.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>The regime: treatments for the tax saved, and the wash-sale window.</summary>
    public required TaxRegime Regime { get; init; }

    /// <summary>Loss thresholds; default 5% and 100.</summary>
    public HarvestThresholds Thresholds { get; init; } = HarvestThresholds.Default;

    /// <summary>The substitute to buy for a harvested ticker (user data, such as VOO to IVV).</summary>
    public IReadOnlyDictionary<string, string> Substitutes { get; init; } = new Dictionary<string, string>();

    /// <summary>The household's identical-ticker groups.</summary>
    public IdenticalTickers Identical { get; init; } = IdenticalTickers.None;

    /// <summary>
    /// Purchases not in <see cref="OpenLots"/>, any account: planned buys, expected dividend reinvestments, and
    /// recent purchases whose lots are no longer open. Recent purchases still open are read from the lots.
    /// </summary>
    public IReadOnlyList<Purchase> PlannedPurchases { get; init; } = [];

    /// <summary>The household's past and planned loss sales, any account.</summary>
    public IReadOnlyList<LossSale> LossSales { get; init; } = [];

    /// <summary>The year's realized gains so far, for the tax saved.</summary>
    public IReadOnlyList<RealizedGain> YearToDate { get; init; } = [];

    /// <summary>Each ticker's treatment; tickers not listed get the regime's default.</summary>
    public IReadOnlyDictionary<string, string>? TreatmentByTicker { get; init; }

    /// <summary>Accounts whose losses count for tax; null means every account. Lots elsewhere are never harvested.</summary>
    public IReadOnlySet<string>? TaxableAccounts { get; init; }

    /// <summary>Splits lots and rounds money; default 2 decimals.</summary>
    public LotSelector Selector { get; init; } = new();
}

/// <summary>A proposed harvest: sell the listed lots of one ticker in one account and buy the substitute.</summary>
/// <param name="Account">The account.</param>
/// <param name="Ticker">The ticker sold.</param>
/// <param name="Lots">The whole lots sold (every slice is a full lot), each with its loss and term.</param>
/// <param name="Quantity">Shares sold.</param>
/// <param name="Proceeds">Total proceeds at the current price; what the substitute buy may spend.</param>
/// <param name="Loss">Total loss harvested, greater than 0.</param>
/// <param name="Substitute">The ticker to buy, or null when none is configured (the sale leaves cash).</param>
/// <param name="EstimatedTaxSaved">The year's tax with this harvest alone subtracted from the tax without it, given the year-to-date gains; 0 or more.</param>
public sealed record HarvestCandidate(
    string Account,
    string Ticker,
    IReadOnlyList<LotSlice> Lots,
    decimal Quantity,
    decimal Proceeds,
    decimal Loss,
    string? Substitute,
    decimal EstimatedTaxSaved);

/// <summary>
/// A trade Ballast did not propose, and why. <paramref name="Until"/> is the last day (inclusive) it is held back;
/// null when waiting does not help (for example a substitute identical to the sold ticker, or no price).
/// </summary>
public sealed record HeldBackTrade(string Account, string Ticker, string Reason, DateOnly? Until);

/// <summary>The harvests found and the ones held back.</summary>
/// <param name="Candidates">Proposed harvests, largest loss first.</param>
/// <param name="HeldBack">Losses over the thresholds that were not proposed.</param>
/// <param name="EstimatedTaxSaved">Tax saved by all candidates together, given the year-to-date gains.</param>
public sealed record HarvestReport(IReadOnlyList<HarvestCandidate> Candidates, IReadOnlyList<HeldBackTrade> HeldBack, decimal EstimatedTaxSaved)
{
    /// <summary>Total loss of the candidates.</summary>
    public decimal TotalLoss => Candidates.Sum(c => c.Loss);
}

/// <summary>
/// Finds tax-loss harvests that create no wash sale.
/// </summary>
/// <remarks>
/// Lots over both thresholds are grouped by account and ticker, and groups are considered largest loss
/// first. A group is held back when, within the regime's wash-sale window of the as-of date, the household
/// bought an identical ticker (an open lot outside the group, or a planned purchase), when an earlier
/// harvest of this run buys an identical ticker, when its substitute is identical to the sold ticker, or
/// when buying the substitute falls within the window of a past, planned or just-proposed loss sale of an
/// identical ticker. A regime without a wash-sale rule skips these checks (the substitute check stays).
/// </remarks>
public static class HarvestFinder
{
    /// <summary>Lists the harvest candidates and the held-back trades.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative thresholds, or a lot acquired after the as-of date.</exception>
    public static HarvestReport Find(HarvestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var thresholds = request.Thresholds;
        if (thresholds.MinLossFraction < 0m)
            throw new ArgumentOutOfRangeException(nameof(request), thresholds.MinLossFraction, "the minimum loss fraction must be 0 or more");
        if (thresholds.MinLossAmount < 0m)
            throw new ArgumentOutOfRangeException(nameof(request), thresholds.MinLossAmount, "the minimum loss amount must be 0 or more");
        var asOf = request.AsOf;
        foreach (var lot in request.OpenLots)
        {
            if (lot.Acquired > asOf)
                throw new ArgumentOutOfRangeException(nameof(request), lot.Acquired, $"lot {lot.Id} was acquired after the as-of date {asOf:yyyy-MM-dd}");
        }

        var selector = request.Selector;
        var heldBack = new List<HeldBackTrade>();
        var qualifying = new List<TaxLot>();
        foreach (var group in request.OpenLots
            .Where(l => request.TaxableAccounts is null || request.TaxableAccounts.Contains(l.Account))
            .GroupBy(l => (l.Account, l.Ticker)))
        {
            if (!request.Prices.TryGetValue(group.Key.Ticker, out var price))
            {
                heldBack.Add(new HeldBackTrade(group.Key.Account, group.Key.Ticker, $"there is no price for {group.Key.Ticker}", null));
                continue;
            }
            qualifying.AddRange(group.Where(l =>
            {
                var loss = l.CostBasis - selector.RoundMoney(l.Quantity * price);
                return loss > thresholds.MinLossAmount && loss > thresholds.MinLossFraction * l.CostBasis;
            }));
        }

        var window = request.Regime.WashSaleWindowDays;
        var guard = new WashSaleGuard(request.Identical, request.LossSales, [], window ?? 0);
        var proposedBuys = new List<(string Account, string Ticker)>();
        var candidates = new List<HarvestCandidate>();
        var groups = qualifying
            .GroupBy(l => (l.Account, l.Ticker))
            .Select(g => (g.Key.Account, g.Key.Ticker, Lots: g.ToList(), Loss: g.Sum(l => l.CostBasis - selector.RoundMoney(l.Quantity * request.Prices[g.Key.Ticker]))))
            .OrderByDescending(g => g.Loss).ThenBy(g => g.Account, StringComparer.Ordinal).ThenBy(g => g.Ticker, StringComparer.Ordinal);

        foreach (var (account, ticker, lots, _) in groups)
        {
            request.Substitutes.TryGetValue(ticker, out var substitute);
            var reason = WhyHeldBack(request, account, ticker, lots, substitute, proposedBuys, guard, window);
            if (reason is not null)
            {
                heldBack.Add(reason);
                continue;
            }

            var sale = selector.Sell(lots, lots.Sum(l => l.Quantity), request.Prices[ticker], asOf, LotSelectionMethod.Specific,
                [.. lots.Select(l => new SpecificLot(l.Id, l.Quantity))]);
            var gains = GainsOf(request, ticker, sale.Slices);
            var saved = -TaxCalculator.EstimatePlan(request.Regime, request.YearToDate, gains).Incremental;
            candidates.Add(new HarvestCandidate(account, ticker, sale.Slices, sale.Quantity, sale.Proceeds, -sale.Gain, substitute, saved));
            guard.AddLossSale(new LossSale(ticker, account, asOf, -sale.Gain));
            if (substitute is not null) proposedBuys.Add((account, substitute));
        }

        var allGains = candidates.SelectMany(c => GainsOf(request, c.Ticker, c.Lots)).ToList();
        var totalSaved = -TaxCalculator.EstimatePlan(request.Regime, request.YearToDate, allGains).Incremental;
        return new HarvestReport(candidates, heldBack, totalSaved);
    }

    private static HeldBackTrade? WhyHeldBack(HarvestRequest request, string account, string ticker, List<TaxLot> lots, string? substitute,
        List<(string Account, string Ticker)> proposedBuys, WashSaleGuard guard, int? window)
    {
        var asOf = request.AsOf;
        var identical = request.Identical;
        if (substitute is not null && identical.AreIdentical(substitute, ticker))
            return new HeldBackTrade(account, ticker, $"the substitute {substitute} is substantially identical to {ticker}, so buying it would make the loss a wash sale", null);
        if (window is not int days) return null;

        var sold = lots.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        var recentLot = request.OpenLots
            .Where(l => !sold.Contains(l.Id) && identical.AreIdentical(l.Ticker, ticker) && l.Acquired >= asOf.AddDays(-days))
            .MaxBy(l => l.Acquired);
        if (recentLot is not null)
            return new HeldBackTrade(account, ticker,
                $"{recentLot.Ticker} was bought in {recentLot.Account} on {recentLot.Acquired:yyyy-MM-dd}; a loss sale of {ticker} within {days} days would be a wash sale",
                recentLot.Acquired.AddDays(days));

        var planned = request.PlannedPurchases
            .Where(p => identical.AreIdentical(p.Ticker, ticker) && Math.Abs(p.Date.DayNumber - asOf.DayNumber) <= days)
            .MaxBy(p => p.Date);
        if (planned is not null)
            return new HeldBackTrade(account, ticker,
                $"{planned.Ticker} is to be bought in {planned.Account} on {planned.Date:yyyy-MM-dd}; a loss sale of {ticker} within {days} days would be a wash sale",
                planned.Date.AddDays(days));

        var conflicting = proposedBuys.FirstOrDefault(b => identical.AreIdentical(b.Ticker, ticker));
        if (conflicting != default)
            return new HeldBackTrade(account, ticker,
                $"another harvest buys {conflicting.Ticker} in {conflicting.Account} today; a loss sale of {ticker} would be a wash sale",
                asOf.AddDays(days));

        if (substitute is not null)
        {
            var check = guard.CheckBuy(substitute, asOf);
            if (!check.Allowed)
                return new HeldBackTrade(account, ticker,
                    $"buying the substitute {substitute} would be a wash sale of the loss sale of {check.BlockingSale!.Ticker} in {check.BlockingSale.Account} on {check.BlockingSale.Date:yyyy-MM-dd}",
                    check.BlockedUntil);
        }
        return null;
    }

    private static List<RealizedGain> GainsOf(HarvestRequest request, string ticker, IEnumerable<LotSlice> slices)
    {
        var treatment = request.Regime.TreatmentOf(ticker, request.TreatmentByTicker);
        return [.. slices.Select(s => new RealizedGain(treatment, s.Term, s.Gain))];
    }
}
