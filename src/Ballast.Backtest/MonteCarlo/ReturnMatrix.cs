using Ballast.Backtest.Data;

namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Historical simple returns per period (rows) and asset (columns), row-major. A return is a fraction
/// (0.01 = +1 % over the period), finite and above −1. Rows are kept whole by every path generator so
/// that assets stay as correlated as they were in history.
/// </summary>
public sealed class ReturnMatrix
{
    private readonly double[] _data;

    /// <summary>
    /// Wraps <paramref name="rowMajor"/> (periods × assets, copied). Throws <see cref="ArgumentException"/>
    /// when the length is not a whole number of rows or a return is not finite and above −1.
    /// </summary>
    public ReturnMatrix(IReadOnlyList<string> assets, ReadOnlySpan<double> rowMajor)
    {
        ArgumentNullException.ThrowIfNull(assets);
        if (assets.Count == 0) throw new ArgumentException("need at least one asset", nameof(assets));
        if (rowMajor.Length == 0 || rowMajor.Length % assets.Count != 0)
            throw new ArgumentException($"{rowMajor.Length} returns do not form whole rows of {assets.Count} assets", nameof(rowMajor));
        foreach (var r in rowMajor)
        {
            if (!(r > -1) || !double.IsFinite(r))
                throw new ArgumentException($"returns must be finite and above -1; found {r}", nameof(rowMajor));
        }
        Assets = [.. assets];
        _data = rowMajor.ToArray();
        Periods = _data.Length / Assets.Count;
    }

    /// <summary>Asset names, one per column.</summary>
    public IReadOnlyList<string> Assets { get; }

    /// <summary>Number of periods (rows).</summary>
    public int Periods { get; }

    /// <summary>Number of assets (columns).</summary>
    public int AssetCount => Assets.Count;

    /// <summary>The return of <paramref name="asset"/> in <paramref name="period"/>.</summary>
    public double this[int period, int asset] => _data[period * Assets.Count + asset];

    /// <summary>All assets' returns in one period.</summary>
    public ReadOnlySpan<double> Row(int period) => _data.AsSpan(period * Assets.Count, Assets.Count);

    /// <summary>The whole matrix, row-major.</summary>
    public ReadOnlySpan<double> RowMajor => _data;

    /// <summary>
    /// Period returns between consecutive dates of <paramref name="prices"/> for all its tickers. The table
    /// must have no missing prices (use <see cref="PriceTable.Select"/> first) and at least two dates.
    /// </summary>
    public static ReturnMatrix FromPrices(PriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        if (prices.Count < 2) throw new ArgumentException("need at least two dates for one period of returns", nameof(prices));
        var n = prices.Tickers.Count;
        var data = new double[(prices.Count - 1) * n];
        for (var a = 0; a < n; a++)
        {
            var closes = prices.Closes(prices.Tickers[a]);
            for (var t = 1; t < closes.Length; t++)
            {
                if (double.IsNaN(closes[t]) || double.IsNaN(closes[t - 1]))
                    throw new ArgumentException($"'{prices.Tickers[a]}' has a missing price; select a common range first", nameof(prices));
                data[(t - 1) * n + a] = closes[t] / closes[t - 1] - 1;
            }
        }
        return new ReturnMatrix(prices.Tickers, data);
    }
}
