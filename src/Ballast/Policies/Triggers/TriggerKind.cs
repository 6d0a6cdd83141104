namespace Ballast.Policies;

/// <summary>What decides, at a look, whether to rebalance. Each kind's rules live in one class of this folder.</summary>
public enum TriggerKind
{
    /// <summary>Buy and hold: never rebalance (cash flows are still placed).</summary>
    Never,
    /// <summary>Rebalance at every look: calendar rebalancing.</summary>
    Always,
    /// <summary>Rebalance when any asset is strictly outside its band.</summary>
    Threshold,
    /// <summary>Rebalance when the portfolio's realized volatility exceeds a level (see <see cref="VolatilityRule"/>).</summary>
    Volatility,
    /// <summary>Rebalance when an asset's or asset class's return since the last rebalance, or the spread between two of them, passes a level (see <see cref="Triggers.PerformanceRule"/>).</summary>
    Performance,
}
