namespace Ballast.Planning;

/// <summary>Share quantities of money amounts: value ÷ price truncated to a number of decimals.</summary>
internal static class Quotient
{
    private static readonly ulong[] Pow10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>
    /// <paramref name="a"/> ÷ <paramref name="b"/> truncated toward zero to <paramref name="decimals"/> places: the
    /// same value, and the same scale, as <c>Math.Round(a / b, decimals, MidpointRounding.ToZero)</c>.
    /// </summary>
    /// <remarks>
    /// Prices and amounts have short mantissas, so the quotient is one 128-by-64-bit integer division instead of
    /// decimal's 28-digit long division. The fast path is taken only where it is provably the same: a ≥ 0,
    /// 0 &lt; b's mantissa &lt; 2³², a's mantissa &lt; 2⁶⁴, and a quotient below 10¹⁸ units of the last place. Then a
    /// quotient that is not exact at <paramref name="decimals"/> places lies at least 10^-decimals / 2³² from the
    /// next boundary, much more than decimal division's rounding error at 28 digits, so both truncate alike.
    /// Everything else goes through decimal division.
    /// </remarks>
    public static decimal Truncated(decimal a, decimal b, int decimals)
    {
        Span<int> ab = stackalloc int[4];
        Span<int> bb = stackalloc int[4];
        decimal.GetBits(a, ab);
        decimal.GetBits(b, bb);
        var aScale = (ab[3] >> 16) & 0xFF;
        var bScale = (bb[3] >> 16) & 0xFF;
        var e = decimals + bScale - aScale;
        if (ab[3] < 0 || bb[3] < 0 || ab[2] != 0 || bb[2] != 0 || bb[1] != 0 || bb[0] == 0 || e < 0 || e >= Pow10.Length)
            return Math.Round(a / b, decimals, MidpointRounding.ToZero);
        var am = (ulong)(uint)ab[1] << 32 | (uint)ab[0];
        var bm = (ulong)(uint)bb[0];
        ulong units;
        bool exact;
        if (am <= ulong.MaxValue / Pow10[e])
        {
            // The usual case: the numerator fits in 64 bits, one hardware division.
            var numerator = am * Pow10[e];
            units = numerator / bm;
            exact = numerator == units * bm;
        }
        else
        {
            var numerator = (UInt128)am * Pow10[e];
            var q = numerator / bm;
            if (q >= Pow10[18]) return Math.Round(a / b, decimals, MidpointRounding.ToZero);
            units = (ulong)q;
            exact = numerator == q * bm;
        }
        if (units >= Pow10[18]) return Math.Round(a / b, decimals, MidpointRounding.ToZero);
        var scale = decimals;
        if (exact)
        {
            // Exact: decimal division keeps the scale a − b (never below 0) unless the quotient needs more places.
            var least = Math.Max(0, aScale - bScale);
            while (scale > least && units % 10 == 0)
            {
                units /= 10;
                scale--;
            }
        }
        return new decimal((int)(uint)units, (int)(uint)(units >> 32), 0, false, (byte)scale);
    }
}
