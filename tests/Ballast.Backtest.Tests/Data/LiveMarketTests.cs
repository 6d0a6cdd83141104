using Ballast.Backtest.Data;
using Ballast.Input;

namespace Ballast.Backtest.Tests.Data;

/// <summary>Market facts for a live check from a price history: the backtester's volatility measure and the prices at the last rebalance.</summary>
public sealed class LiveMarketTests
{
    [Fact]
    public void ShippedExample_VolatilityAndPricesThen()
    {
        var path = TestPaths.InRepo("examples/volatility-check.yaml");
        var portfolio = LiveMarket.Fill(PortfolioReader.ReadFile(path).Value!, Path.GetDirectoryName(path));

        // 12 monthly returns of 52,000 × S/S(2008-12) + 48,000 × B/B(2008-12) from 2007-12-01 to 2008-12-01,
        // sample standard deviation × √12, worked out separately from the CSV.
        Assert.Equal(0.153123583856848, (double)portfolio.Market.RealizedVolatility!.Value, 12);
        // The closes of 2008-06-01, the last rebalance.
        Assert.Equal(2850.814705728219, (double)portfolio.Market.PricesAtLastRebalance!["US_STOCKS"], 9);
        Assert.Equal(67.65161911939012, (double)portfolio.Market.PricesAtLastRebalance!["US_10Y"], 9);
    }

    [Fact]
    public void HeldTickerMissingFromHistory_IsAnInputError()
    {
        var path = TestPaths.InRepo("examples/volatility-check.yaml");
        var portfolio = PortfolioReader.ReadFile(path).Value!;
        var other = portfolio with { Positions = [.. portfolio.Positions, new Ballast.Portfolios.Position("GLD", 100m)] };

        var e = Assert.Throws<InputException>(() => LiveMarket.Fill(other, Path.GetDirectoryName(path)));

        Assert.Contains("no column for GLD", e.Problems[0].Message);
    }

    [Fact]
    public void MissingHistoryFile_NamesTheField()
    {
        var path = TestPaths.InRepo("examples/volatility-check.yaml");
        var portfolio = PortfolioReader.ReadFile(path).Value! with { PriceHistory = "nowhere.csv" };

        var e = Assert.Throws<InputException>(() => LiveMarket.Fill(portfolio, Path.GetDirectoryName(path)));

        Assert.Equal("priceHistory", e.Problems[0].Field);
    }
}
