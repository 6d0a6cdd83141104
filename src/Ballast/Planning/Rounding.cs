using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ballast.Planning;

/// <summary>
/// Explicit rounding for the planning rules. In <see cref="decimal"/> it is <c>Math.Round</c> itself. In
/// <see cref="double"/> (simulation) a value within 1e-12 (relative) of a point of the grid counts as on it
/// before the rounding mode applies, so that 30.000000000000004 rounds up to 30.00 as the exact 30.00 would,
/// not to 30.01: directed rounding must not turn floating-point noise into a whole money unit or share.
/// </summary>
internal static class Rounding
{
    private const double Tolerance = 1e-12;
    private static readonly double[] Scales = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Round<T>(T x, int decimals, MidpointRounding mode) where T : unmanaged, IFloatingPoint<T>
    {
        if (typeof(T) != typeof(double)) return T.Round(x, decimals, mode);
        var scale = Scales[decimals];
        var r = OnGrid(Unsafe.As<T, double>(ref x) * scale, mode) / scale;
        return Unsafe.As<double, T>(ref r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Ceiling<T>(T x) where T : unmanaged, IFloatingPoint<T>
    {
        if (typeof(T) != typeof(double)) return T.Ceiling(x);
        var r = OnGrid(Unsafe.As<T, double>(ref x), MidpointRounding.ToPositiveInfinity);
        return Unsafe.As<double, T>(ref r);
    }

    // Callers pass the mode as a constant, so inlined the switch folds to one rounding instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double OnGrid(double s, MidpointRounding mode)
    {
        var nearest = Math.Round(s);
        if (Math.Abs(s - nearest) <= Math.Abs(s) * Tolerance) return nearest;
        return mode switch
        {
            MidpointRounding.ToZero => Math.Truncate(s),
            MidpointRounding.ToPositiveInfinity => Math.Ceiling(s),
            MidpointRounding.ToNegativeInfinity => Math.Floor(s),
            MidpointRounding.AwayFromZero => Math.Round(s, MidpointRounding.AwayFromZero),
            _ => nearest,
        };
    }
}
