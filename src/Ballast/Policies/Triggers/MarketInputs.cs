namespace Ballast.Policies.Triggers;

/// <summary>
/// The market facts a trigger may need beyond today's prices, filled by whichever source knows them: the portfolio
/// file (<c>pricesAtLastRebalance</c>, a price history), the store's prices, or the backtester's series.
/// </summary>
public sealed record MarketInputs
{
    /// <summary>No market facts: volatility and performance triggers cannot fire and say so.</summary>
    public static MarketInputs None { get; } = new();

    /// <summary>Annualized realized volatility of the portfolio (a fraction) over the policy's volatility window, or null.</summary>
    public decimal? RealizedVolatility { get; init; }

    /// <summary>Price per share of each ticker on the date of the last rebalance (portfolio currency), for performance triggers, or null.</summary>
    public IReadOnlyDictionary<string, decimal>? PricesAtLastRebalance { get; init; }
}
