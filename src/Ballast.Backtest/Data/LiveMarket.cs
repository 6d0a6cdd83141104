using Ballast.Drift;
using Ballast.Input;
using Ballast.Policies;
using Ballast.Policies.Triggers;
using Ballast.Portfolios;

namespace Ballast.Backtest.Data;

/// <summary>
/// Fills a live portfolio's <see cref="MarketInputs"/> from a price history, with the backtester's own measures: the
/// realized volatility of the portfolio over the policy's window (the same <see cref="RealizedVolatility"/>, the same
/// annualization from the history's spacing), and each asset's price on the last rebalance date.
/// </summary>
public static class LiveMarket
{
    /// <summary>
    /// Loads the price history the portfolio names (<see cref="Portfolio.PriceHistory"/>, a path relative to
    /// <paramref name="portfolioFolder"/>) or <paramref name="historyPath"/> when given, and returns the portfolio with
    /// its market facts filled. Prices the file gives in <c>pricesAtLastRebalance</c> win over the history's.
    /// Returns the portfolio unchanged when it names no history.
    /// </summary>
    public static Portfolio Fill(Portfolio portfolio, string? portfolioFolder, string? historyPath = null)
    {
        var path = historyPath ?? portfolio.PriceHistory;
        if (path is null) return portfolio;
        var full = Path.IsPathRooted(path) || portfolioFolder is null ? path : Path.Combine(portfolioFolder, path);
        if (!File.Exists(full))
            throw new InputException(new InputProblem($"price history '{path}' was not found", Field: historyPath is null ? "priceHistory" : "--prices"));
        return portfolio with { Market = From(PriceCsv.LoadWide(full), portfolio) };
    }

    /// <summary>The market facts of <paramref name="portfolio"/> on its as-of date from <paramref name="history"/> (rows after the as-of date are ignored).</summary>
    public static MarketInputs From(PriceTable history, Portfolio portfolio)
    {
        var asOf = portfolio.AsOf;
        var last = LastRowOnOrBefore(history, asOf);
        var market = portfolio.Market;
        decimal? volatility = market.RealizedVolatility;
        var policy = portfolio.Policy;
        var rule = policy.Trigger.Volatility;
        if (volatility is null && last >= 0 && (policy.Trigger.Kind == TriggerKind.Volatility || rule is { Scaling: not BandScaling.None }))
            volatility = Volatility(history, portfolio, last, rule?.Window ?? 21);

        var pricesThen = market.PricesAtLastRebalance is { } given ? new Dictionary<string, decimal>(given, StringComparer.Ordinal) : null;
        if (portfolio.LastRebalanced is { } rebalanced && LastRowOnOrBefore(history, rebalanced) is var row and >= 0)
        {
            pricesThen ??= new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var ticker in history.Tickers)
            {
                var close = history.Close(row, ticker);
                if (double.IsNaN(close)) continue;
                pricesThen.TryAdd(ticker, MoneyBoundary.ToDecimal(close, $"{history.Source}: close of {ticker}"));
            }
        }
        return market with { RealizedVolatility = volatility, PricesAtLastRebalance = pricesThen };
    }

    /// <summary>
    /// The annualized volatility of the portfolio's value over the last <paramref name="window"/> periods up to row
    /// <paramref name="last"/>: today's holdings (and cash) valued at each past close, as the backtester values its index.
    /// Null when the history is too short or a held asset has no close in the window.
    /// </summary>
    private static decimal? Volatility(PriceTable history, Portfolio portfolio, int last, int window)
    {
        if (last < window) return null;
        var held = portfolio.Positions.Where(p => p.Value > 0).ToList();
        foreach (var p in held)
        {
            if (!history.Contains(p.Ticker))
                throw new InputException(new InputProblem($"price history {history.Source} has no column for {p.Ticker}, which the volatility trigger needs", Field: "priceHistory"));
        }
        var values = new double[window + 1];
        var start = last - window;
        for (var k = 0; k <= window; k++)
        {
            var v = (double)portfolio.Cash;
            foreach (var p in held)
            {
                var closes = history.Closes(p.Ticker);
                var now = closes[last];
                var then = closes[start + k];
                if (double.IsNaN(now) || double.IsNaN(then)) return null;
                // Today's value of the holding, scaled by its price then against its price now.
                v += (double)p.Value * then / now;
            }
            values[k] = v;
        }
        var dates = history.Dates.Take(last + 1).ToList();
        var vol = RealizedVolatility.Annualized(values, window, Statistics.Periodicity.PeriodsPerYear(dates));
        return vol is { } x ? MoneyBoundary.ToDecimal(x, "realized volatility") : null;
    }

    private static int LastRowOnOrBefore(PriceTable history, DateOnly date)
    {
        var dates = history.Dates;
        var row = -1;
        for (var i = 0; i < dates.Count && dates[i] <= date; i++) row = i;
        return row;
    }
}
