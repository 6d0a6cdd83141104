using Ballast.Policies;
using Ballast.Policies.Triggers;

namespace Ballast.Portfolios;

/// <summary>A tradable security: its last price (per share, in the portfolio currency) and whether fractional shares may be traded.</summary>
/// <param name="Ticker">Symbol, compared case-sensitively after the parser upper-cases it.</param>
/// <param name="Price">Price per share, strictly positive, or null when unknown (value-only holdings and trades).</param>
/// <param name="Fractional">False when only whole shares of this security may be traded.</param>
/// <param name="AssetClass">Optional free-form asset class label, for reporting.</param>
public sealed record Security(string Ticker, decimal? Price = null, bool Fractional = true, string? AssetClass = null);

/// <summary>
/// A holding: either a quantity with its price, or a market value alone. <see cref="Value"/> is always known
/// (quantity × price when given as a quantity).
/// </summary>
/// <param name="Ticker">The security.</param>
/// <param name="Value">Market value in the portfolio currency, never negative.</param>
/// <param name="Quantity">Shares held, when known.</param>
public sealed record Position(string Ticker, decimal Value, decimal? Quantity = null);

/// <summary>One target weight: a fraction of the portfolio in [0, 1]. The ticker <c>CASH</c> makes cash an asset class.</summary>
public readonly record struct TargetWeight(string Ticker, decimal Weight);

/// <summary>
/// A portfolio as of one date: positions, cash, target mix, policy and execution constraints.
/// Weights are computed on the invested value (cash excluded) unless the targets name <see cref="CashTicker"/>.
/// Instances are validated by <see cref="Ballast.Input.PortfolioReader"/> or the builder that made them.
/// </summary>
public sealed record Portfolio
{
    /// <summary>The target name that makes cash an asset class of its own.</summary>
    public const string CashTicker = "CASH";

    public required DateOnly AsOf { get; init; }
    public string Currency { get; init; } = "USD";
    /// <summary>Cash in the portfolio currency, never negative.</summary>
    public decimal Cash { get; init; }
    public DateOnly? LastRebalanced { get; init; }
    /// <summary>Date of the last look at the portfolio; defaults to <see cref="LastRebalanced"/> when absent.</summary>
    public DateOnly? LastLook { get; init; }
    public required IReadOnlyList<Position> Positions { get; init; }
    /// <summary>Target weights summing to 1 (within 0.0001).</summary>
    public required IReadOnlyList<TargetWeight> Targets { get; init; }
    /// <summary>Securities by ticker: prices and fractional flags, for held and target tickers.</summary>
    public IReadOnlyDictionary<string, Security> Securities { get; init; } = new Dictionary<string, Security>(StringComparer.Ordinal);
    public Policy Policy { get; init; } = Policy.Default;
    /// <summary>Market facts beyond today's prices (realized volatility, prices at the last rebalance), for volatility
    /// and performance triggers and volatility-scaled bands.</summary>
    public MarketInputs Market { get; init; } = MarketInputs.None;

    /// <summary>
    /// The path of a price history CSV (<c>date,TICKER,...</c>) as the portfolio file gives it, or null. The host that
    /// read the file loads it and fills <see cref="Market"/> from it (realized volatility, prices at the last rebalance).
    /// </summary>
    public string? PriceHistory { get; init; }
    public ExecutionOptions Execution { get; init; } = ExecutionOptions.Default;

    /// <summary>
    /// Lots, history, accounts and tax regime, when the file gives any of them; null for a file without tax data.
    /// For a household file, <see cref="Positions"/> and <see cref="Cash"/> are the sums over its accounts.
    /// </summary>
    public Ballast.Households.TaxProfile? Tax { get; init; }

    /// <summary>True when the targets name <see cref="CashTicker"/>, so cash is weighed like an asset.</summary>
    public bool CashIsAsset
    {
        get
        {
            foreach (var t in Targets) if (t.Ticker == CashTicker) return true;
            return false;
        }
    }

    /// <summary>Sum of position values (cash excluded).</summary>
    public decimal InvestedValue
    {
        get
        {
            decimal v = 0;
            foreach (var p in Positions) v += p.Value;
            return v;
        }
    }

    public Security? FindSecurity(string ticker) => Securities.TryGetValue(ticker, out var s) ? s : null;
}
