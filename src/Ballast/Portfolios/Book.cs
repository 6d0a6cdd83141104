namespace Ballast.Portfolios;

/// <summary>
/// A portfolio laid out in parallel arrays for the planner's inner loops: target assets first (in target order,
/// CASH excluded), then held tickers the targets do not name.
/// </summary>
internal sealed class Book
{
    public required int Count { get; init; }
    public required string[] Tickers { get; init; }
    public required decimal[] Values { get; init; }
    public required decimal?[] Quantities { get; init; }
    /// <summary>Price per share, 0 when unknown.</summary>
    public required decimal[] Prices { get; init; }
    public required decimal[] Targets { get; init; }
    public required bool[] InTargets { get; init; }
    public required bool[] Fractional { get; init; }
    public required decimal Invested { get; init; }
    public required decimal Cash { get; init; }
    public required bool CashIsAsset { get; init; }
    public required decimal CashTarget { get; init; }

    public static Book From(Portfolio p)
    {
        var targets = p.Targets;
        var positions = p.Positions;
        var capacity = targets.Count + positions.Count;
        var tickers = new string[capacity];
        var values = new decimal[capacity];
        var quantities = new decimal?[capacity];
        var prices = new decimal[capacity];
        var weights = new decimal[capacity];
        var inTargets = new bool[capacity];
        var fractional = new bool[capacity];
        var n = 0;
        decimal cashTarget = 0;
        var cashIsAsset = false;
        foreach (var t in targets)
        {
            if (t.Ticker == Portfolio.CashTicker)
            {
                cashIsAsset = true;
                cashTarget = t.Weight;
                continue;
            }
            tickers[n] = t.Ticker;
            weights[n] = t.Weight;
            inTargets[n] = true;
            n++;
        }
        decimal invested = 0;
        foreach (var pos in positions)
        {
            var i = IndexOf(tickers, pos.Ticker, n);
            if (i < 0)
            {
                i = n++;
                tickers[i] = pos.Ticker;
            }
            values[i] += pos.Value;
            quantities[i] = pos.Quantity is { } q ? (quantities[i] ?? 0) + q : quantities[i];
            invested += pos.Value;
        }
        var securities = p.Securities;
        var wholeShares = p.Execution.WholeShares;
        for (var i = 0; i < n; i++)
        {
            var sec = securities.TryGetValue(tickers[i], out var s) ? s : null;
            prices[i] = sec?.Price ?? 0;
            fractional[i] = !wholeShares && (sec?.Fractional ?? true);
        }
        return new Book
        {
            Count = n, Tickers = tickers, Values = values, Quantities = quantities, Prices = prices, Targets = weights,
            InTargets = inTargets, Fractional = fractional, Invested = invested, Cash = p.Cash,
            CashIsAsset = cashIsAsset, CashTarget = cashTarget,
        };
    }

    // Portfolios hold tens of assets, not thousands: a linear scan beats hashing at these sizes and
    // saves a dictionary allocation per plan.
    private static int IndexOf(string[] tickers, string ticker, int count)
    {
        for (var i = 0; i < count; i++)
            if (string.Equals(tickers[i], ticker, StringComparison.Ordinal)) return i;
        return -1;
    }
}
