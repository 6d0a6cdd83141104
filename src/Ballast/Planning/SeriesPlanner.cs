using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Planning;

/// <summary>
/// Plans one portfolio of fixed assets again and again in double, for simulations: the same trigger
/// (<see cref="Policies.Triggers.TriggerRule"/>) and planning rules (<see cref="PlanCore{T}"/>) as a live plan, on a
/// reused workspace, with no portfolio object and no allocation per plan.
/// </summary>
/// <remarks>
/// A run marks the book at each close it plans (<see cref="Mark"/>), sets the market facts of the look
/// (<see cref="SetMarket"/>) and plans (<see cref="Plan"/>); <see cref="SurelyNothingToDo"/> lets it skip looks on
/// which the exact planner would surely do nothing.
/// </remarks>
internal sealed class SeriesPlanner
{
    private readonly PlanWorkspace<double> _w = new();
    private readonly PlanSettings<double> _settings;
    private readonly Policy _policy;

    /// <param name="assets">The assets, in the order of every price and quantity array given later.</param>
    /// <param name="targets">Target weights; <c>CASH</c> makes cash an asset class. Every other ticker must be among <paramref name="assets"/>.</param>
    public SeriesPlanner(IReadOnlyList<string> assets, IReadOnlyList<TargetWeight> targets, Policy policy, ExecutionOptions execution)
    {
        _policy = policy;
        var n = assets.Count;
        _settings = new PlanSettings<double>(execution, policy, execution.CashFlowMethod);
        var book = _w.Book;
        book.EnsureCapacity(n);
        _w.EnsureCapacity(n);
        book.Count = n;
        for (var i = 0; i < n; i++)
        {
            book.Tickers[i] = assets[i];
            book.Targets[i] = 0;
            book.InTargets[i] = true;
            book.Fractional[i] = true;
            book.HasQuantity[i] = true;
        }
        foreach (var t in targets)
        {
            if (t.Ticker == Portfolio.CashTicker)
            {
                book.CashIsAsset = true;
                book.CashTarget = (double)t.Weight;
                continue;
            }
            var i = IndexOf(assets, t.Ticker);
            if (i < 0) throw new ArgumentException($"target {t.Ticker} is not among the assets", nameof(targets));
            book.Targets[i] = (double)t.Weight;
        }
        _w.Facts.Prepare(policy, book, null);
    }

    /// <summary>Cash in the portfolio.</summary>
    public double Cash
    {
        get => _w.Book.Cash;
        set => _w.Book.Cash = value;
    }

    /// <summary>The settings' money precision.</summary>
    public int MoneyDecimals => _settings.MoneyDecimals;

    /// <summary>Marks the book to the closes of row <paramref name="t"/> (<paramref name="closes"/>[asset][row]) and <paramref name="quantities"/>.</summary>
    public void Mark(double[][] closes, int t, ReadOnlySpan<double> quantities)
    {
        var book = _w.Book;
        double invested = 0;
        for (var i = 0; i < book.Count; i++)
        {
            var price = closes[i][t];
            book.Prices[i] = price;
            book.Quantities[i] = quantities[i];
            book.Values[i] = quantities[i] * price;
            invested += book.Values[i];
        }
        book.Invested = invested;
    }

    /// <summary>
    /// Sets the market facts of this look: the realized volatility (null: unknown), and the prices at the last
    /// rebalance, row <paramref name="lastRebalanceRow"/> of <paramref name="closes"/> (negative: none yet).
    /// </summary>
    public void SetMarket(double? volatility, double[][] closes, int lastRebalanceRow)
    {
        var f = _w.Facts;
        f.SetVolatility(volatility);
        if (!NeedsPricesThen) return;
        for (var i = 0; i < _w.Book.Count; i++) f.PricesThen[i] = lastRebalanceRow >= 0 ? closes[i][lastRebalanceRow] : 0;
    }

    /// <summary>Whether the policy uses the prices at the last rebalance (a performance trigger).</summary>
    public bool NeedsPricesThen => _policy.Trigger.Kind == TriggerKind.Performance;

    /// <summary>
    /// True when a look at the closes of row <paramref name="t"/> with <paramref name="quantities"/> and
    /// <paramref name="cash"/> surely plans nothing: the maximum interval has not passed, the trigger is surely quiet
    /// with <paramref name="margin"/> of the basis to spare, and no cash waits to be placed. False when unsure. Marks the
    /// book to that row.
    /// </summary>
    public bool SurelyNothingToDo(double[][] closes, int t, ReadOnlySpan<double> quantities, double cash, bool intervalExceeded, double margin)
    {
        if (intervalExceeded) return false;
        Mark(closes, t, quantities);
        var book = _w.Book;
        var f = _w.Facts;
        if (!f.Rule.SurelyQuiet(f, book.Values.AsSpan(0, book.Count), cash, margin)) return false;
        var (baseValue, dust) = PlanCore<double>.BaseOf(book, _settings, cash, _settings.CashReserve);
        return PlanCore<double>.CashAction(book, _settings, baseValue, cash, _settings.CashReserve, dust, 0, out _) == PlanAction.None;
    }

    /// <summary>Whether the trigger fires on the marked book (a look that is due).</summary>
    public bool Fires(bool intervalExceeded)
    {
        var book = _w.Book;
        return _w.Facts.Fires(book.Values.AsSpan(0, book.Count), book.Cash, intervalExceeded);
    }

    /// <summary>
    /// Plans on the marked book: <paramref name="force"/> rebalances whatever the trigger says; otherwise a look that
    /// is due asks the trigger, and cash flows are placed first. Leaves the quantities after the trades in
    /// <paramref name="quantities"/> and the cash in <see cref="Cash"/>.
    /// </summary>
    /// <returns>What the plan did, its costs, and the value traded.</returns>
    public (PlanAction Action, double Costs, double Traded) Plan(bool force, bool lookDue, bool intervalExceeded, double deposit, double withdraw, Span<double> quantities)
    {
        var fires = !force && lookDue && Fires(intervalExceeded);
        var outcome = PlanCore<double>.Run(_w, _settings, new Decision(force, fires, intervalExceeded), deposit, withdraw, keepCash: false, null, null);
        var book = _w.Book;
        double traded = 0;
        for (var i = 0; i < book.Count; i++)
        {
            if (_w.Moves[i] != Move.None) traded += _w.TradeValues[i];
            quantities[i] = _w.HasQuantityAfter[i] ? _w.QuantitiesAfter[i] : 0;
        }
        book.Cash = outcome.CashAfter;
        return (outcome.Action, outcome.Costs, traded);
    }

    /// <summary>Grows cash by <paramref name="factor"/>, rounded to the money unit half to even; returns it.</summary>
    public double GrowCash(double factor) => Cash = Rounding.Round(Cash * factor, _settings.MoneyDecimals, MidpointRounding.ToEven);

    private static int IndexOf(IReadOnlyList<string> assets, string ticker)
    {
        for (var i = 0; i < assets.Count; i++)
            if (string.Equals(assets[i], ticker, StringComparison.Ordinal)) return i;
        return -1;
    }
}
