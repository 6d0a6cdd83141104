using System.Numerics;

namespace Ballast.Drift;

/// <summary>
/// When cash above the reserve counts as idle (cash not an asset class): at least one money unit per asset, and
/// either nothing is invested or it is more than the policy's cash band of the portfolio's value. The planner's
/// <see cref="Planning.PlanCore{T}.CashAction"/> adds that some buy must be able to use it; the drift report asks the
/// planner, so a check calls idle exactly the cash a plan would invest.
/// </summary>
internal static class IdleCash
{
    /// <summary>Whether <paramref name="spare"/> cash (above the reserve) counts as idle: at least <paramref name="dust"/>, and nothing invested or more than the band.</summary>
    public static bool Counts<T>(T spare, T invested, T cash, T dust, T cashBand) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T> =>
        spare >= dust && spare > T.Zero && (invested <= T.Zero || spare > cashBand * (invested + cash));
}
