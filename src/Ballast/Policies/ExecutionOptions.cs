namespace Ballast.Policies;

/// <summary>How cash that a plan invests or raises without a rebalance is spread over the assets.</summary>
public enum CashFlowMethod
{
    /// <summary>In proportion to each asset's shortfall (deposits) or excess (withdrawals) at the new total.</summary>
    Proportional,
    /// <summary>In proportion to the relative distance from target, capped at the shortfall or excess.</summary>
    Relative,
    /// <summary>Fill the most underweight first until the assets bought end equally far below target, relatively (minimax).</summary>
    Equalize,
}

/// <summary>
/// Transaction costs. A trade of value V costs <c>FixedPerTrade + V × (CommissionBps + HalfSpreadBps) / 10,000</c>,
/// rounded up to the money precision.
/// </summary>
public readonly record struct CostModel(decimal FixedPerTrade, decimal CommissionBps, decimal HalfSpreadBps)
{
    public static CostModel None => default;

    /// <summary>Proportional cost rate as a fraction of the trade value: (commission + half-spread) bps × 0.0001.</summary>
    public decimal Rate => (CommissionBps + HalfSpreadBps) * 0.0001m;

    public bool IsZero => FixedPerTrade == 0 && CommissionBps == 0 && HalfSpreadBps == 0;
}

/// <summary>Execution constraints that turn ideal trades into orders a broker accepts.</summary>
public sealed record ExecutionOptions
{
    public static ExecutionOptions Default { get; } = new();

    /// <summary>Trade whole shares only, for every security (a security can also say <c>fractional: false</c>).</summary>
    public bool WholeShares { get; init; }
    /// <summary>Trades worth less than this (portfolio currency) are dropped. Default 0.</summary>
    public decimal MinTrade { get; init; }
    /// <summary>Cash that plans always leave uninvested (portfolio currency). Default 0.</summary>
    public decimal CashReserve { get; init; }
    public CostModel Costs { get; init; }
    /// <summary>Method for buy-only and sell-only cash-flow plans. Default proportional.</summary>
    public CashFlowMethod CashFlowMethod { get; init; } = CashFlowMethod.Proportional;
    /// <summary>Decimal places of money amounts in plans (trade values, costs). Default 2, range 0..8.</summary>
    public int MoneyDecimals { get; init; } = 2;
    /// <summary>Decimal places of fractional share quantities. Default 6, range 0..12.</summary>
    public int QuantityDecimals { get; init; } = 6;
}
