using Ballast.Store;

namespace Ballast.Cli.Portfolio;

/// <summary>
/// Market facts for stored accounts whose policies need them (volatility, performance triggers): the store's closes of
/// the portfolio's tickers up to the as-of date, read once per set of tickers (accounts on one model share it).
/// </summary>
internal sealed class StoredMarket(BallastStore store, DateOnly asOf)
{
    private readonly Dictionary<string, Ballast.Backtest.Data.PriceTable> _histories = new(StringComparer.Ordinal);

    public Ballast.Portfolios.Portfolio Add(Ballast.Portfolios.Portfolio p) =>
        p with { Market = Ballast.Backtest.Data.LiveMarket.From(History(p), p) };

    private Ballast.Backtest.Data.PriceTable History(Ballast.Portfolios.Portfolio p)
    {
        var tickers = p.Targets.Select(t => t.Ticker).Concat(p.Positions.Select(x => x.Ticker))
            .Where(t => t != Ballast.Portfolios.Portfolio.CashTicker).Distinct().Order(StringComparer.Ordinal).ToList();
        var key = string.Join(',', tickers);
        if (_histories.TryGetValue(key, out var cached)) return cached;
        var quotes = store.PriceHistory(tickers, asOf);
        var dates = quotes.Select(q => q.Date).Distinct().Order().ToList();
        var row = dates.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var columns = tickers.Select(_ => Enumerable.Repeat(double.NaN, dates.Count).ToArray()).ToList();
        var column = tickers.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        foreach (var q in quotes) columns[column[q.Ticker]][row[q.Date]] = (double)q.Close;
        return _histories[key] = new Ballast.Backtest.Data.PriceTable("the store's prices", dates, tickers, columns);
    }
}
