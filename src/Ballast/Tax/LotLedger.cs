using Ballast.Input;

namespace Ballast.Tax;

/// <summary>What a history transaction does to the lots.</summary>
public enum TransactionKind
{
    /// <summary>A purchase: opens a lot.</summary>
    Buy,

    /// <summary>A sale: consumes lots by the account's method or the listed lots.</summary>
    Sell,

    /// <summary>Dividends reinvested: opens a lot like a buy, and counts as a purchase for wash sales.</summary>
    DividendReinvestment,
}

/// <summary>
/// One dated purchase or sale in a household account.
/// </summary>
/// <param name="Date">Trade date.</param>
/// <param name="Account">The account.</param>
/// <param name="Ticker">The security.</param>
/// <param name="Kind">Buy, sell or dividend reinvestment.</param>
/// <param name="Quantity">Shares; greater than 0.</param>
/// <param name="PricePerShare">Price per share, 0 or more; the total is <c>quantity × price</c> rounded to the selector's money decimals.</param>
/// <param name="Lots">For a sell: the lots it consumes, overriding the account's method; null otherwise.</param>
/// <param name="LotId">For a buy: the id of the lot it opens; null for a generated <c>{ticker}-{yyyyMMdd}-{index}</c>.</param>
/// <param name="Total">
/// The transaction's total in the account currency (0 or more), used instead of <c>quantity × price</c>: a buy's cost
/// basis or a sell's proceeds, for example with commissions included. Null for <c>quantity × price</c> rounded.
/// </param>
public sealed record LedgerTransaction(
    DateOnly Date,
    string Account,
    string Ticker,
    TransactionKind Kind,
    decimal Quantity,
    decimal PricePerShare,
    IReadOnlyList<SpecificLot>? Lots = null,
    string? LotId = null,
    decimal? Total = null);

/// <summary>The part of one lot a history sale consumed. Money amounts are totals.</summary>
/// <param name="LotId">The consumed lot.</param>
/// <param name="Acquired">The lot's acquisition date.</param>
/// <param name="HoldingPeriodStart">The lot's holding period start.</param>
/// <param name="Quantity">Shares consumed.</param>
/// <param name="Proceeds">Proceeds of these shares (total).</param>
/// <param name="CostBasis">Basis of these shares (total, earlier wash-sale adjustments included).</param>
/// <param name="Term">Short- or long-term.</param>
/// <param name="DisallowedLoss">The part of the loss (0 or more) disallowed by wash sales and added to replacement lots.</param>
public sealed record RealizedLot(
    string LotId,
    DateOnly Acquired,
    DateOnly HoldingPeriodStart,
    decimal Quantity,
    decimal Proceeds,
    decimal CostBasis,
    HoldingTerm Term,
    decimal DisallowedLoss)
{
    /// <summary>Proceeds minus basis (negative for a loss), before wash-sale disallowance.</summary>
    public decimal Gain => Proceeds - CostBasis;

    /// <summary>The gain that counts for tax: <see cref="Gain"/> plus <see cref="DisallowedLoss"/>.</summary>
    public decimal RecognizedGain => Gain + DisallowedLoss;
}

/// <summary>A sale from the history and the lots it consumed.</summary>
/// <param name="TransactionIndex">The sale's 0-based index in the transactions given to the ledger.</param>
/// <param name="Date">Trade date.</param>
/// <param name="Account">The selling account.</param>
/// <param name="Ticker">The sold ticker.</param>
/// <param name="Quantity">Shares sold.</param>
/// <param name="Proceeds">Total proceeds.</param>
/// <param name="Lots">The consumed lots, in consumption order.</param>
public sealed record RealizedSale(
    int TransactionIndex,
    DateOnly Date,
    string Account,
    string Ticker,
    decimal Quantity,
    decimal Proceeds,
    IReadOnlyList<RealizedLot> Lots)
{
    /// <summary>Total basis consumed.</summary>
    public decimal CostBasis => Lots.Sum(l => l.CostBasis);

    /// <summary>Proceeds minus basis, before disallowance.</summary>
    public decimal Gain => Proceeds - CostBasis;

    /// <summary>Total loss disallowed by wash sales (0 or more).</summary>
    public decimal DisallowedLoss => Lots.Sum(l => l.DisallowedLoss);

    /// <summary>Recognized short-term gain (net, may be negative).</summary>
    public decimal ShortTermGain => Lots.Where(l => l.Term == HoldingTerm.ShortTerm).Sum(l => l.RecognizedGain);

    /// <summary>Recognized long-term gain (net, may be negative).</summary>
    public decimal LongTermGain => Lots.Where(l => l.Term == HoldingTerm.LongTerm).Sum(l => l.RecognizedGain);
}

/// <summary>
/// A wash sale found in the history: <paramref name="Quantity"/> shares of the sold lot were replaced by the
/// lot <paramref name="ReplacementLotId"/>, whose basis grew by <paramref name="DisallowedLoss"/> (total) and
/// whose holding period now starts on <paramref name="HoldingPeriodStart"/>.
/// </summary>
public sealed record WashSale(
    int SaleTransactionIndex,
    DateOnly SaleDate,
    string SoldLotId,
    string ReplacementLotId,
    string ReplacementAccount,
    string ReplacementTicker,
    DateOnly ReplacementAcquired,
    decimal Quantity,
    decimal DisallowedLoss,
    DateOnly HoldingPeriodStart);

/// <summary>A calendar year's realized totals from the history (account currency, totals).</summary>
/// <param name="Year">The calendar year of the sale dates.</param>
/// <param name="ShortTerm">Recognized short-term gain, net of losses (may be negative).</param>
/// <param name="LongTerm">Recognized long-term gain, net of losses (may be negative).</param>
/// <param name="DisallowedLosses">Losses of that year's sales disallowed by wash sales (0 or more).</param>
public sealed record YearRealized(int Year, decimal ShortTerm, decimal LongTerm, decimal DisallowedLosses);

/// <summary>The outcome of replaying a history: the open lots, the sales, the wash sales and any problems.</summary>
/// <param name="OpenLots">Lots still open after the last transaction, in the order they were opened.</param>
/// <param name="Sales">Sales in the order replayed.</param>
/// <param name="WashSales">Every wash-sale match, in the order found.</param>
/// <param name="Problems">Transactions that could not be applied (they were skipped); empty when the history is consistent.</param>
public sealed record LedgerResult(
    IReadOnlyList<TaxLot> OpenLots,
    IReadOnlyList<RealizedSale> Sales,
    IReadOnlyList<WashSale> WashSales,
    IReadOnlyList<InputProblem> Problems)
{
    /// <summary>Realized totals of the sales dated in <paramref name="year"/>.</summary>
    public YearRealized Realized(int year)
    {
        var sales = Sales.Where(s => s.Date.Year == year).ToList();
        return new YearRealized(year, sales.Sum(s => s.ShortTermGain), sales.Sum(s => s.LongTermGain), sales.Sum(s => s.DisallowedLoss));
    }

    /// <summary>
    /// The recognized gains of <paramref name="year"/>'s sales for <see cref="TaxCalculator"/>, one per consumed lot,
    /// each under its ticker's treatment (<see cref="TaxRegime.TreatmentOf"/>).
    /// </summary>
    public IReadOnlyList<RealizedGain> RealizedGains(int year, TaxRegime regime, IReadOnlyDictionary<string, string>? treatmentByTicker = null)
    {
        ArgumentNullException.ThrowIfNull(regime);
        return [.. Sales
            .Where(s => s.Date.Year == year)
            .SelectMany(s => s.Lots.Select(l => new RealizedGain(regime.TreatmentOf(s.Ticker, treatmentByTicker), l.Term, l.RecognizedGain)))];
    }
}

/// <summary>
/// Replays a household's history over its lots: sells consume lots by the account's method (or the lots a
/// sell lists), buys and dividend reinvestments open lots, and wash sales are found across all accounts.
/// </summary>
/// <remarks>
/// <para>Transactions are applied in date order; transactions on the same date keep the order they were given.</para>
/// <para>
/// Wash sales: for every consumed lot sold at a loss, shares of a substantially identical ticker bought in any
/// account within the window before or after the sale are replacement shares, matched share for share,
/// earliest purchase first (lots bought before the sale, then purchases after it in date order). Each share
/// replaces at most one sold share. The remaining shares of a lot that the sale itself consumed part of are
/// not replacements. When fewer shares are bought than sold at a loss, only that fraction of the loss is
/// disallowed: <c>round(loss × matched / sold)</c> cumulatively per sold lot, so a fully matched lot
/// disallows its whole loss. The disallowed amount is added to the replacement shares' basis and
/// wash-sale adjustment, and their holding period start moves back by the number of days the sold shares
/// were held. A replacement lot that is only partly matched is split: the matched shares get the id
/// <c>{id}.w{n}</c>, the rest keep the id. Losses disallowed into an account that can never realize them
/// (a retirement account) are not treated differently.
/// </para>
/// </remarks>
public sealed class LotLedger
{
    private readonly LotSelector _selector;
    private readonly IdenticalTickers _identical;
    private readonly int? _windowDays;

    /// <summary>A ledger that splits lots with <paramref name="selector"/> and finds wash sales with <paramref name="identical"/>.</summary>
    /// <param name="selector">Splits lots and rounds money.</param>
    /// <param name="identical">The household's identical-ticker groups.</param>
    /// <param name="washSaleWindowDays">Days before and after a loss sale (30 in the US; <see cref="TaxRegime.WashSaleWindowDays"/>), or null for no wash-sale rule.</param>
    public LotLedger(LotSelector selector, IdenticalTickers identical, int? washSaleWindowDays = 30)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(identical);
        if (washSaleWindowDays is < 0)
            throw new ArgumentOutOfRangeException(nameof(washSaleWindowDays), washSaleWindowDays, "the wash-sale window must be 0 days or more");
        _selector = selector;
        _identical = identical;
        _windowDays = washSaleWindowDays;
    }

    /// <summary>
    /// Replays <paramref name="transactions"/> over <paramref name="initialLots"/>. A transaction that cannot be
    /// applied (selling more than held, naming an unknown lot, a duplicate lot id) is skipped and reported as a
    /// problem at <c>{transactionsField}[index].field</c>.
    /// </summary>
    /// <param name="initialLots">The lots before the first transaction, across all accounts; ids distinct.</param>
    /// <param name="transactions">The history, across all accounts of the household.</param>
    /// <param name="methodByAccount">Each account's lot-selection method; an account not listed uses FIFO.</param>
    /// <param name="transactionsField">The field path of the transaction list in the input, for problems.</param>
    /// <exception cref="ArgumentException">Two initial lots share an id.</exception>
    public LedgerResult Replay(IReadOnlyList<TaxLot> initialLots, IReadOnlyList<LedgerTransaction> transactions,
        IReadOnlyDictionary<string, LotSelectionMethod>? methodByAccount = null, string transactionsField = "transactions")
    {
        ArgumentNullException.ThrowIfNull(initialLots);
        ArgumentNullException.ThrowIfNull(transactions);
        var state = new ReplayState(initialLots);
        foreach (var (tx, index) in transactions.Select((t, i) => (t, i)).OrderBy(x => x.t.Date))
        {
            ArgumentNullException.ThrowIfNull(tx, nameof(transactions));
            var field = $"{transactionsField}[{index}]";
            if (!CheckBasics(tx, field, state.Problems)) continue;
            if (tx.Kind == TransactionKind.Sell)
                ApplySell(state, tx, index, field, methodByAccount);
            else
                ApplyBuy(state, tx, index, field);
        }

        var sales = state.Sales.Select(s => new RealizedSale(s.Index, s.Date, s.Account, s.Ticker, s.Quantity, s.Proceeds,
            [.. s.Slices.Select(x => new RealizedLot(x.Slice.LotId, x.Slice.Acquired, x.Slice.HoldingPeriodStart, x.Slice.Quantity,
                x.Slice.Proceeds, x.Slice.CostBasis, x.Slice.Term, x.Disallowed))])).ToList();
        return new LedgerResult([.. state.Open], sales, state.WashSales, state.Problems);
    }

    private static bool CheckBasics(LedgerTransaction tx, string field, List<InputProblem> problems)
    {
        var ok = true;
        if (string.IsNullOrWhiteSpace(tx.Account)) { problems.Add(new InputProblem("the account is missing", Field: $"{field}.account")); ok = false; }
        if (string.IsNullOrWhiteSpace(tx.Ticker)) { problems.Add(new InputProblem("the ticker is missing", Field: $"{field}.ticker")); ok = false; }
        if (tx.Quantity <= 0m) { problems.Add(new InputProblem($"the quantity must be greater than 0, not {tx.Quantity}", Field: $"{field}.quantity")); ok = false; }
        if (tx.PricePerShare < 0m) { problems.Add(new InputProblem($"the price must be 0 or more, not {tx.PricePerShare}", Field: $"{field}.price")); ok = false; }
        if (tx.Total < 0m) { problems.Add(new InputProblem($"the total must be 0 or more, not {tx.Total}", Field: $"{field}.total")); ok = false; }
        if (tx.Kind != TransactionKind.Sell && tx.Lots is not null) { problems.Add(new InputProblem("only a sell can list lots", Field: $"{field}.lots")); ok = false; }
        return ok;
    }

    private void ApplySell(ReplayState state, LedgerTransaction tx, int index, string field, IReadOnlyDictionary<string, LotSelectionMethod>? methodByAccount)
    {
        var held = state.Open.Where(l => l.Account == tx.Account && l.Ticker == tx.Ticker && l.Acquired <= tx.Date).ToList();
        var heldQuantity = held.Sum(l => l.Quantity);
        if (tx.Quantity > heldQuantity)
        {
            state.Problems.Add(new InputProblem(
                $"sells {tx.Quantity} {tx.Ticker} in {tx.Account} on {tx.Date:yyyy-MM-dd} but only {heldQuantity} are held then", Field: $"{field}.quantity"));
            return;
        }

        var method = methodByAccount is not null && methodByAccount.TryGetValue(tx.Account, out var m) ? m : LotSelectionMethod.Fifo;
        if (tx.Lots is not null)
        {
            if (!CheckListedLots(tx, held, field, state.Problems)) return;
            method = LotSelectionMethod.Specific;
        }
        else if (method == LotSelectionMethod.Specific)
        {
            state.Problems.Add(new InputProblem($"account {tx.Account} selects lots specifically, so this sell must list its lots", Field: $"{field}.lots"));
            return;
        }

        var sale = tx.Total is decimal proceeds
            ? _selector.SellForProceeds(held, tx.Quantity, proceeds, tx.Date, method, tx.Lots)
            : _selector.Sell(held, tx.Quantity, tx.PricePerShare, tx.Date, method, tx.Lots);
        var remainingById = sale.RemainingLots.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var consumedIds = sale.Slices.Select(s => s.LotId).ToHashSet(StringComparer.Ordinal);
        state.Open = [.. state.Open
            .Where(l => !(consumedIds.Contains(l.Id) && !remainingById.ContainsKey(l.Id)))
            .Select(l => remainingById.TryGetValue(l.Id, out var rest) && consumedIds.Contains(l.Id) ? rest : l)];

        var record = new SaleState(index, tx.Date, tx.Account, tx.Ticker, tx.Quantity, sale.Proceeds,
            [.. sale.Slices.Select(s => new SliceState(s))]);
        state.Sales.Add(record);
        if (_windowDays is not int window) return;

        foreach (var slice in record.Slices.Where(s => s.Slice.Gain < 0m))
        {
            // Shares bought before the sale, within the window, in any account, that are not what this sale sold from.
            var candidates = state.Open
                .Where(l => _identical.AreIdentical(l.Ticker, tx.Ticker)
                    && l.Acquired >= tx.Date.AddDays(-window)
                    && !consumedIds.Contains(l.Id)
                    && !state.UsedAsReplacement.Contains(l.Id))
                .OrderBy(l => l.Acquired).ThenBy(l => l.Id, LotIdComparer.Instance)
                .ToList();
            foreach (var candidate in candidates)
            {
                if (slice.Unmatched == 0m) break;
                Match(state, record, slice, candidate);
            }
            if (slice.Unmatched > 0m) state.Pending.Add((record, slice));
        }
    }

    private static bool CheckListedLots(LedgerTransaction tx, List<TaxLot> held, string field, List<InputProblem> problems)
    {
        var ok = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < tx.Lots!.Count; j++)
        {
            var request = tx.Lots[j];
            var lotField = $"{field}.lots[{j}]";
            var lot = held.FirstOrDefault(l => l.Id == request.LotId);
            if (lot is null)
            {
                problems.Add(new InputProblem($"there is no open lot {request.LotId} of {tx.Ticker} in {tx.Account} on {tx.Date:yyyy-MM-dd}", Field: $"{lotField}.id"));
                ok = false;
                continue;
            }
            if (!seen.Add(request.LotId))
            {
                problems.Add(new InputProblem($"lot {request.LotId} is listed twice", Field: $"{lotField}.id"));
                ok = false;
            }
            if (request.Quantity <= 0m || request.Quantity > lot.Quantity)
            {
                problems.Add(new InputProblem($"lot {lot.Id} can give more than 0 and at most {lot.Quantity} shares, not {request.Quantity}", Field: $"{lotField}.quantity"));
                ok = false;
            }
        }
        var named = tx.Lots.Sum(l => l.Quantity);
        if (ok && named != tx.Quantity)
        {
            problems.Add(new InputProblem($"the listed lots give {named} shares but the sell is for {tx.Quantity}", Field: $"{field}.lots"));
            ok = false;
        }
        return ok;
    }

    private void ApplyBuy(ReplayState state, LedgerTransaction tx, int index, string field)
    {
        var id = tx.LotId ?? $"{tx.Ticker}-{tx.Date:yyyyMMdd}-{index}";
        if (!state.Ids.Add(id))
        {
            state.Problems.Add(new InputProblem($"lot id {id} is already used", Field: $"{field}.lotId"));
            return;
        }
        var lot = new TaxLot(id, tx.Ticker, tx.Account, tx.Date, tx.Quantity, tx.Total ?? _selector.RoundMoney(tx.Quantity * tx.PricePerShare));
        state.Open.Add(lot);
        if (_windowDays is not int window) return;

        // Loss sales within the window before this purchase, earliest first, take its shares as replacements.
        foreach (var (sale, slice) in state.Pending
            .Where(p => p.Slice.Unmatched > 0m && p.Sale.Date >= tx.Date.AddDays(-window) && _identical.AreIdentical(p.Sale.Ticker, tx.Ticker))
            .OrderBy(p => p.Sale.Date)
            .ToList())
        {
            var current = state.Open.FirstOrDefault(l => l.Id == id && !state.UsedAsReplacement.Contains(l.Id));
            if (current is null) break;
            Match(state, sale, slice, current);
        }
        state.Pending.RemoveAll(p => p.Slice.Unmatched == 0m);
    }

    /// <summary>Matches as many of the slice's unmatched shares as the replacement lot has, adjusting and splitting it.</summary>
    private void Match(ReplayState state, SaleState sale, SliceState slice, TaxLot replacement)
    {
        var matched = Math.Min(slice.Unmatched, replacement.Quantity);
        var lossTotal = -slice.Slice.Gain;
        slice.Matched += matched;
        var disallowedSoFar = slice.Matched == slice.Slice.Quantity
            ? lossTotal
            : _selector.RoundMoney(lossTotal * slice.Matched / slice.Slice.Quantity);
        var disallowed = disallowedSoFar - slice.Disallowed;
        slice.Disallowed = disallowedSoFar;

        var (part, rest) = _selector.Split(replacement, matched);
        var heldDays = sale.Date.DayNumber - slice.Slice.HoldingPeriodStart.DayNumber;
        var tacked = replacement.Acquired.AddDays(-heldDays);
        var start = tacked < part.HoldingPeriodStart ? tacked : part.HoldingPeriodStart;
        var partId = rest is null ? replacement.Id : NewSplitId(state, replacement.Id);
        var adjusted = new TaxLot(partId, part.Ticker, part.Account, part.Acquired, part.Quantity,
            part.CostBasis + disallowed, part.WashSaleAdjustment + disallowed, start);

        var at = state.Open.FindIndex(l => l.Id == replacement.Id);
        if (rest is null)
        {
            state.Open[at] = adjusted;
        }
        else
        {
            state.Open[at] = rest;
            state.Open.Insert(at, adjusted);
        }
        state.UsedAsReplacement.Add(partId);
        state.WashSales.Add(new WashSale(sale.Index, sale.Date, slice.Slice.LotId, partId, adjusted.Account, adjusted.Ticker,
            adjusted.Acquired, matched, disallowed, start));
    }

    private static string NewSplitId(ReplayState state, string id)
    {
        for (var n = 1; ; n++)
        {
            var candidate = $"{id}.w{n}";
            if (state.Ids.Add(candidate)) return candidate;
        }
    }

    private sealed class ReplayState
    {
        public ReplayState(IReadOnlyList<TaxLot> initialLots)
        {
            foreach (var lot in initialLots)
            {
                ArgumentNullException.ThrowIfNull(lot, nameof(initialLots));
                if (!Ids.Add(lot.Id))
                    throw new ArgumentException($"lot id {lot.Id} appears twice", nameof(initialLots));
            }
            Open = [.. initialLots];
        }

        public List<TaxLot> Open { get; set; }
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);
        public HashSet<string> UsedAsReplacement { get; } = new(StringComparer.Ordinal);
        public List<SaleState> Sales { get; } = [];
        public List<(SaleState Sale, SliceState Slice)> Pending { get; } = [];
        public List<WashSale> WashSales { get; } = [];
        public List<InputProblem> Problems { get; } = [];
    }

    private sealed record SaleState(int Index, DateOnly Date, string Account, string Ticker, decimal Quantity, decimal Proceeds, List<SliceState> Slices);

    private sealed class SliceState(LotSlice slice)
    {
        public LotSlice Slice { get; } = slice;
        public decimal Matched { get; set; }
        public decimal Disallowed { get; set; }
        public decimal Unmatched => Slice.Quantity - Matched;
    }
}
