using System.Numerics;

namespace Ballast.Portfolios;

/// <summary>
/// A portfolio laid out in parallel arrays for the planner's inner loops: target assets first (in target order,
/// CASH excluded), then held tickers the targets do not name. The arrays may be longer than <see cref="Count"/>
/// (a book is reused from one plan to the next); only the first <see cref="Count"/> entries are meaningful.
/// </summary>
/// <typeparam name="T">The number type: <see cref="decimal"/> for the planner, <see cref="double"/> for simulation.</typeparam>
internal sealed class Book<T> where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
{
    public int Count;
    public string[] Tickers = [];
    public T[] Values = [];
    /// <summary>Shares held, meaningful where <see cref="HasQuantity"/> is true.</summary>
    public T[] Quantities = [];
    public bool[] HasQuantity = [];
    /// <summary>Price per share, 0 when unknown.</summary>
    public T[] Prices = [];
    public T[] Targets = [];
    public bool[] InTargets = [];
    public bool[] Fractional = [];
    public T Invested;
    public T Cash;
    public bool CashIsAsset;
    public T CashTarget;

    public void EnsureCapacity(int capacity)
    {
        if (Tickers.Length >= capacity) return;
        Tickers = new string[capacity];
        Values = new T[capacity];
        Quantities = new T[capacity];
        HasQuantity = new bool[capacity];
        Prices = new T[capacity];
        Targets = new T[capacity];
        InTargets = new bool[capacity];
        Fractional = new bool[capacity];
    }
}

internal static class Book
{
    /// <summary>Lays <paramref name="p"/> out in <paramref name="book"/>, reusing its arrays when they are long enough.</summary>
    public static void Fill(Book<decimal> book, Portfolio p)
    {
        var targets = p.Targets;
        var positions = p.Positions;
        book.EnsureCapacity(targets.Count + positions.Count);
        var tickers = book.Tickers;
        var values = book.Values;
        var quantities = book.Quantities;
        var hasQuantity = book.HasQuantity;
        var weights = book.Targets;
        var inTargets = book.InTargets;
        var n = 0;
        decimal cashTarget = 0;
        var cashIsAsset = false;
        for (var k = 0; k < targets.Count; k++)
        {
            var t = targets[k];
            if (t.Ticker == Portfolio.CashTicker)
            {
                cashIsAsset = true;
                cashTarget = t.Weight;
                continue;
            }
            tickers[n] = t.Ticker;
            weights[n] = t.Weight;
            inTargets[n] = true;
            values[n] = 0;
            quantities[n] = 0;
            hasQuantity[n] = false;
            n++;
        }
        decimal invested = 0;
        for (var k = 0; k < positions.Count; k++)
        {
            var pos = positions[k];
            // Positions mostly come in target order: try the same slot before scanning.
            var i = k < n && string.Equals(tickers[k], pos.Ticker, StringComparison.Ordinal) ? k : IndexOf(tickers, pos.Ticker, n);
            if (i < 0)
            {
                i = n++;
                tickers[i] = pos.Ticker;
                weights[i] = 0;
                inTargets[i] = false;
                values[i] = 0;
                quantities[i] = 0;
                hasQuantity[i] = false;
            }
            // Most slots hold one position: assign rather than add (values and quantities start at 0).
            values[i] = values[i] == 0 ? pos.Value : values[i] + pos.Value;
            if (pos.Quantity is { } q)
            {
                quantities[i] = hasQuantity[i] ? quantities[i] + q : q;
                hasQuantity[i] = true;
            }
            invested = k == 0 ? pos.Value : invested + pos.Value;
        }
        var securities = p.Securities;
        var wholeShares = p.Execution.WholeShares;
        for (var i = 0; i < n; i++)
        {
            var sec = securities.TryGetValue(tickers[i], out var s) ? s : null;
            book.Prices[i] = sec?.Price ?? 0;
            book.Fractional[i] = !wholeShares && (sec?.Fractional ?? true);
        }
        book.Count = n;
        book.Invested = invested;
        book.Cash = p.Cash;
        book.CashIsAsset = cashIsAsset;
        book.CashTarget = cashTarget;
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
