using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Planning;
using Ballast.Tax;

namespace Ballast.Backtest.Tax;

/// <summary>
/// One calendar year of a backtest run, in the portfolio currency (totals).
/// </summary>
/// <param name="Year">The calendar year of the sale dates.</param>
/// <param name="ShortTerm">Recognized short-term gain of the year's sells, net of short-term losses (negative for a net loss).</param>
/// <param name="LongTerm">Recognized long-term gain, net of long-term losses (negative for a net loss).</param>
/// <param name="DisallowedLosses">Losses of the year's sells that the regime's wash-sale rule disallowed and added to later lots (0 or more).</param>
/// <param name="Tax">The regime's estimated tax on the year's gains (0 or more; a net loss gives no refund and is not carried forward).</param>
public sealed record TaxYear(int Year, decimal ShortTerm, decimal LongTerm, decimal DisallowedLosses, decimal Tax);

/// <summary>A run's realized gains and estimated tax, one entry per calendar year the backtest spans (years without sells included, at 0).</summary>
public sealed record TaxSummary(IReadOnlyList<TaxYear> Years)
{
    /// <summary>Recognized short-term gains over all years (net; the yearly figures summed).</summary>
    public decimal ShortTerm => Years.Sum(y => y.ShortTerm);

    /// <summary>Recognized long-term gains over all years (net; the yearly figures summed).</summary>
    public decimal LongTerm => Years.Sum(y => y.LongTerm);

    /// <summary>Losses disallowed by wash sales over all years.</summary>
    public decimal DisallowedLosses => Years.Sum(y => y.DisallowedLosses);

    /// <summary>Estimated tax over all years: the sum of the yearly taxes.</summary>
    public decimal Tax => Years.Sum(y => y.Tax);
}

/// <summary>
/// Estimates the taxes of a backtest run by replaying its trades through the engine's lot ledger and tax calculator:
/// every buy opens a lot, every sell consumes lots in the experiment's lot order, gains are short- or long-term by
/// the holding period, wash sales follow the regime, and each calendar year's net gains are taxed by the regime.
/// </summary>
/// <remarks>
/// Conventions: the portfolio is one taxable account. A buy's cost basis is its value plus its cost (commission and
/// half-spread); a sell's proceeds are its value minus its cost, so trading costs lower the gains. The lot's
/// acquisition date is the trade date. Trades of zero shares (a money amount too small for one unit of quantity)
/// open and close no lots. Taxes are reported, not paid: the run's cash and values are those of the backtest
/// without taxes.
/// </remarks>
public static class BacktestTaxes
{
    /// <summary>The account name the backtest's lots are held in.</summary>
    public const string Account = "backtest";

    /// <summary>
    /// The run's trades as lot-ledger transactions, in ledger order (sells before buys within an engine call). Each
    /// buy opens a lot named <c>{ticker}-{yyyyMMdd}-{index}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A trade has no quantity or price (the backtester always gives both).</exception>
    public static IReadOnlyList<LedgerTransaction> Transactions(IReadOnlyList<LedgerEntry> ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var list = new List<LedgerTransaction>();
        foreach (var entry in ledger)
        {
            foreach (var trade in entry.Trades)
            {
                if (trade.Quantity is not decimal quantity || trade.Price is not decimal price)
                    throw new ArgumentException($"the {trade.Side} of {trade.Ticker} on {entry.Date:yyyy-MM-dd} has no quantity or price", nameof(ledger));
                if (quantity == 0m) continue;
                var buy = trade.Side == TradeSide.Buy;
                var total = buy ? trade.Value + trade.Cost : Math.Max(trade.Value - trade.Cost, 0m);
                list.Add(new LedgerTransaction(entry.Date, Account, trade.Ticker, buy ? TransactionKind.Buy : TransactionKind.Sell, quantity, price, Total: total));
            }
        }
        return list;
    }

    /// <summary>
    /// Replays <paramref name="ledger"/> (a run recorded with <see cref="BacktestOptions.RecordLedger"/>) through
    /// <see cref="LotLedger"/> with <paramref name="settings"/>' lot order and the regime's wash-sale window.
    /// </summary>
    /// <param name="ledger">The run's engine calls that traded, in date order, the initial purchase first.</param>
    /// <param name="assets">The market's assets, in the order of <see cref="LedgerEntry.Quantities"/>.</param>
    /// <param name="settings">The experiment's tax section.</param>
    /// <param name="moneyDecimals">Decimals lots and proceeds are split to (the execution's money decimals).</param>
    /// <exception cref="InvalidOperationException">
    /// The trades cannot be replayed (a sell of more than is held), or the open lots do not add up to the quantities
    /// the run ended with: both mean the ledger is not a run's.
    /// </exception>
    public static LedgerResult Replay(IReadOnlyList<LedgerEntry> ledger, IReadOnlyList<string> assets, TaxSettings settings, int moneyDecimals)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(settings);
        var lots = new LotLedger(new LotSelector(moneyDecimals), IdenticalTickers.None, settings.Regime.WashSaleWindowDays);
        var methods = new Dictionary<string, LotSelectionMethod>(StringComparer.Ordinal) { [Account] = settings.LotSelection };
        var result = lots.Replay([], Transactions(ledger), methods);
        if (result.Problems.Count > 0)
            throw new InvalidOperationException("the backtest's trades do not replay over lots: " + string.Join("; ", result.Problems.Select(p => p.Message)));

        if (ledger.Count > 0)
        {
            var last = ledger[^1].Quantities;
            for (var i = 0; i < assets.Count; i++)
            {
                var open = result.OpenLots.Where(l => l.Ticker == assets[i]).Sum(l => l.Quantity);
                if (open != last[i])
                    throw new InvalidOperationException($"the open lots of {assets[i]} add up to {open} shares but the run holds {last[i]}");
            }
        }
        return result;
    }

    /// <summary>
    /// The realized gains and estimated tax of every calendar year from <paramref name="from"/> to <paramref name="to"/>
    /// (the backtest's first and last dates). Each year is taxed on its own by <see cref="TaxCalculator"/>: losses offset
    /// gains within the year as the regime's treatments say, and a year's net loss is not carried into later years
    /// (no regime in the engine models carryforwards).
    /// </summary>
    public static TaxSummary Estimate(IReadOnlyList<LedgerEntry> ledger, IReadOnlyList<string> assets, DateOnly from, DateOnly to,
        TaxSettings settings, int moneyDecimals)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (to < from) throw new ArgumentOutOfRangeException(nameof(to), to, $"must be on or after {from:yyyy-MM-dd}");
        var result = Replay(ledger, assets, settings, moneyDecimals);
        var years = new List<TaxYear>(to.Year - from.Year + 1);
        for (var year = from.Year; year <= to.Year; year++)
        {
            var realized = result.Realized(year);
            var tax = TaxCalculator.Estimate(settings.Regime, result.RealizedGains(year, settings.Regime, settings.TreatmentByTicker)).Total;
            years.Add(new TaxYear(year, realized.ShortTerm, realized.LongTerm, realized.DisallowedLosses, tax));
        }
        return new TaxSummary(years);
    }

    /// <summary>The taxes of <paramref name="run"/> over <paramref name="market"/>'s dates.</summary>
    /// <exception cref="ArgumentException">The run has no ledger (it was not recorded with <see cref="BacktestOptions.RecordLedger"/>).</exception>
    public static TaxSummary Estimate(PolicyRunResult run, Market market, TaxSettings settings, int moneyDecimals)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(market);
        // Every recorded run has at least the initial purchase.
        if (run.Ledger.Count == 0)
            throw new ArgumentException($"run {run.Name} has no ledger; run it with {nameof(BacktestOptions.RecordLedger)}", nameof(run));
        return Estimate(run.Ledger, market.Assets, market.Dates[0], market.Dates[^1], settings, moneyDecimals);
    }
}
