using System.Numerics;
using Ballast.Drift;

namespace Ballast.Policies.Triggers;

/// <summary>Where a value stands against its band, written once for any number type: the drift report's rows and every trigger decide through it.</summary>
internal static class Bands
{
    /// <summary>
    /// Where <paramref name="value"/> stands against the band target ± half of <paramref name="basis"/>. Compared in
    /// money, not weights: weight &gt; target + h ⇔ value &gt; (target + h) × basis, which needs no division, so a
    /// weight exactly on the band edge is never pushed outside by rounding. A breach is strictly outside. With
    /// nothing to weigh (basis 0) every weight is 0, which is below any band that starts above 0.
    /// </summary>
    public static BandStatus Status<T>(T value, T target, T half, T basis) where T : INumber<T>
    {
        if (basis <= T.Zero) return target - half > T.Zero ? BandStatus.Below : BandStatus.Within;
        // value > (target + h) × basis ⇔ value − target × basis > h × basis, and the same below: one product each.
        var over = value - target * basis;
        var edge = half * basis;
        if (over > edge) return BandStatus.Above;
        if (-over > edge) return BandStatus.Below;
        return BandStatus.Within;
    }
}
