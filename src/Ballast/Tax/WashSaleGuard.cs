namespace Ballast.Tax;

/// <summary>A sale at a loss in the household: <paramref name="Ticker"/> sold on <paramref name="Date"/> in <paramref name="Account"/>, for a total loss of <paramref name="Loss"/> (greater than 0).</summary>
public sealed record LossSale(string Ticker, string Account, DateOnly Date, decimal Loss);

/// <summary>A purchase in the household, past or planned: <paramref name="Ticker"/> bought on <paramref name="Date"/> in <paramref name="Account"/>; dividend reinvestments count.</summary>
public sealed record Purchase(string Ticker, string Account, DateOnly Date);

/// <summary>The answer to "may the household buy this on that date without creating a wash sale?".</summary>
/// <param name="Allowed">True when no loss sale of an identical ticker is within the window.</param>
/// <param name="BlockedUntil">When not allowed: the last day (inclusive) a buy is held back; a buy the next day is allowed by the known loss sales.</param>
/// <param name="BlockingSale">When not allowed: the latest loss sale that holds the buy back.</param>
public sealed record WashSaleCheck(bool Allowed, DateOnly? BlockedUntil, LossSale? BlockingSale)
{
    /// <summary>The answer for an allowed trade.</summary>
    public static WashSaleCheck Clear { get; } = new(true, null, null);
}

/// <summary>
/// What the planner asks before proposing trades: a buy of a ticker within <see cref="WindowDays"/> days before
/// or after a loss sale of an identical ticker, in any account of the household, would make that sale a wash
/// sale; a loss sale within the window after a buy of an identical ticker would be one too.
/// </summary>
/// <remarks>
/// The guard is deliberately conservative: any buy of an identical ticker in the window holds a trade back,
/// even one smaller than the loss sale, since a partial replacement still disallows part of the loss.
/// </remarks>
public sealed class WashSaleGuard
{
    private readonly IdenticalTickers _identical;
    private readonly List<LossSale> _lossSales;
    private readonly List<Purchase> _purchases;

    /// <summary>A guard over the household's known (past and planned) loss sales and purchases.</summary>
    /// <param name="identical">The identical-ticker groups.</param>
    /// <param name="lossSales">Past and planned loss sales.</param>
    /// <param name="purchases">Past and planned purchases, for <see cref="CheckLossSale"/>; may be empty.</param>
    /// <param name="windowDays">Days on each side of a loss sale (default 30; 0 or more).</param>
    public WashSaleGuard(IdenticalTickers identical, IEnumerable<LossSale> lossSales, IEnumerable<Purchase>? purchases = null, int windowDays = 30)
    {
        ArgumentNullException.ThrowIfNull(identical);
        ArgumentNullException.ThrowIfNull(lossSales);
        if (windowDays < 0)
            throw new ArgumentOutOfRangeException(nameof(windowDays), windowDays, "the window must be 0 days or more");
        _identical = identical;
        _lossSales = [.. lossSales];
        _purchases = [.. purchases ?? []];
        WindowDays = windowDays;
    }

    /// <summary>Days on each side of a loss sale that a buy of an identical ticker is held back.</summary>
    public int WindowDays { get; }

    /// <summary>Records a loss sale the planner has decided to propose, so later checks see it.</summary>
    public void AddLossSale(LossSale sale) => _lossSales.Add(sale ?? throw new ArgumentNullException(nameof(sale)));

    /// <summary>Records a purchase the planner has decided to propose, so later checks see it.</summary>
    public void AddPurchase(Purchase purchase) => _purchases.Add(purchase ?? throw new ArgumentNullException(nameof(purchase)));

    /// <summary>
    /// May <paramref name="ticker"/> be bought on <paramref name="date"/>? Not when a loss sale of an identical
    /// ticker falls within <see cref="WindowDays"/> days before or after; it is then blocked until the
    /// latest such sale's date plus the window.
    /// </summary>
    public WashSaleCheck CheckBuy(string ticker, DateOnly date)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ticker);
        var blocking = _lossSales
            .Where(s => _identical.AreIdentical(s.Ticker, ticker) && Math.Abs(s.Date.DayNumber - date.DayNumber) <= WindowDays)
            .MaxBy(s => s.Date);
        return blocking is null ? WashSaleCheck.Clear : new WashSaleCheck(false, blocking.Date.AddDays(WindowDays), blocking);
    }

    /// <summary>
    /// May <paramref name="ticker"/> be sold at a loss on <paramref name="date"/>? Not when an identical ticker
    /// was or will be bought within <see cref="WindowDays"/> days before or after; it is then blocked until
    /// the latest such purchase's date plus the window. <see cref="WashSaleCheck.BlockingSale"/> is null here.
    /// </summary>
    public WashSaleCheck CheckLossSale(string ticker, DateOnly date)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ticker);
        var blocking = _purchases
            .Where(p => _identical.AreIdentical(p.Ticker, ticker) && Math.Abs(p.Date.DayNumber - date.DayNumber) <= WindowDays)
            .MaxBy(p => p.Date);
        return blocking is null ? WashSaleCheck.Clear : new WashSaleCheck(false, blocking.Date.AddDays(WindowDays), null);
    }
}
