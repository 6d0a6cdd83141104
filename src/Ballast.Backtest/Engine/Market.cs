using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Engine;

/// <summary>
/// The data every policy of one run shares: dates, closes per asset (positive doubles, no gaps), and the growth
/// of cash from each date to the next. Built once and read by many <see cref="Backtester"/> runs at once.
/// </summary>
public sealed class Market
{
    /// <param name="dates">Strictly ascending dates, at least two.</param>
    /// <param name="assets">Asset tickers, in target order.</param>
    /// <param name="closes">closes[asset][row]: positive finite closes (currency units per share or index points).</param>
    /// <param name="cashGrowth">cashGrowth[row]: what one unit of cash at row − 1 is worth at row (row 0 is 1); null for none.</param>
    /// <param name="periodsPerYear">Rows per year, for annualizing; null infers it from the dates.</param>
    public Market(IReadOnlyList<DateOnly> dates, IReadOnlyList<string> assets, double[][] closes, double[]? cashGrowth = null, double? periodsPerYear = null)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(closes);
        if (dates.Count < 2) throw new ArgumentException("a backtest needs at least two dates", nameof(dates));
        if (closes.Length != assets.Count) throw new ArgumentException("one close column per asset", nameof(closes));
        foreach (var c in closes)
            if (c.Length != dates.Count) throw new ArgumentException("every close column has one value per date", nameof(closes));
        Dates = [.. dates];
        Assets = [.. assets];
        Closes = closes;
        CashGrowth = cashGrowth ?? Enumerable.Repeat(1.0, dates.Count).ToArray();
        if (CashGrowth.Length != dates.Count) throw new ArgumentException("one cash growth factor per date", nameof(cashGrowth));
        PeriodsPerYear = periodsPerYear ?? Periodicity.PeriodsPerYear(Dates);
    }

    /// <summary>The dates (rows), strictly ascending.</summary>
    public DateOnly[] Dates { get; }
    /// <summary>Asset tickers, one per close column.</summary>
    public string[] Assets { get; }
    /// <summary>closes[asset][row].</summary>
    public double[][] Closes { get; }
    /// <summary>Growth of cash from row − 1 to row; 1 at row 0.</summary>
    public double[] CashGrowth { get; }
    /// <summary>Rows per year (252 daily, 12 monthly, ...).</summary>
    public double PeriodsPerYear { get; }
    /// <summary>Number of dates (rows).</summary>
    public int Count => Dates.Length;

    /// <summary>Builds the market of <paramref name="experiment"/> from its selected price table.</summary>
    public static Market From(Experiment experiment, PriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(prices);
        var assets = experiment.Assets;
        var closes = new double[assets.Count][];
        for (var a = 0; a < assets.Count; a++) closes[a] = prices.Closes(assets[a]).ToArray();
        var growth = new double[prices.Count];
        growth[0] = 1;
        if (experiment.CashSeries is { } cs)
        {
            var c = prices.Closes(cs);
            for (var t = 1; t < growth.Length; t++) growth[t] = c[t] / c[t - 1];
        }
        else
        {
            for (var t = 1; t < growth.Length; t++)
                growth[t] = experiment.CashRate == 0 ? 1 : Math.Pow(1 + experiment.CashRate, (prices.Dates[t].DayNumber - prices.Dates[t - 1].DayNumber) / 365.25);
        }
        return new Market(prices.Dates, assets, closes, growth);
    }
}
