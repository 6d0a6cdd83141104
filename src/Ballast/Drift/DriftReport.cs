namespace Ballast.Drift;

/// <summary>Where a weight stands against its band.</summary>
public enum BandStatus { Within, Above, Below }

/// <summary>
/// One row of a drift report. Weights, targets, drift and band edges are fractions of the weighing base
/// (the invested value, or invested value plus cash when cash is an asset class).
/// </summary>
/// <param name="Drift">Weight minus target: positive when overweight.</param>
/// <param name="Lower">Lower band edge, or null when the policy has no band.</param>
/// <param name="Upper">Upper band edge, or null when the policy has no band.</param>
/// <param name="InTargets">False for a holding the targets do not name (it is sold in full by a rebalance).</param>
public sealed record PositionDrift(
    string Ticker, decimal Value, decimal? Quantity, decimal Weight, decimal Target, decimal Drift,
    decimal? Lower, decimal? Upper, BandStatus Status, bool InTargets);

/// <summary>The state of a portfolio against its policy on its as-of date.</summary>
/// <param name="InvestedValue">Sum of position values, cash excluded.</param>
/// <param name="TotalValue">Invested value plus cash.</param>
/// <param name="LookDue">Whether the look schedule says to examine the portfolio on the as-of date.</param>
/// <param name="NextLook">The next date a look is due, when the look is not due now.</param>
public sealed record DriftReport(
    DateOnly AsOf,
    decimal InvestedValue,
    decimal Cash,
    decimal TotalValue,
    IReadOnlyList<PositionDrift> Positions,
    bool LookDue,
    DateOnly? NextLook,
    bool NeedsRebalancing,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The largest absolute drift over all positions, as a fraction.</summary>
    public decimal MaxAbsoluteDrift
    {
        get
        {
            decimal m = 0;
            foreach (var p in Positions) m = Math.Max(m, Math.Abs(p.Drift));
            return m;
        }
    }
}
