namespace Ballast.Store.Import;

/// <summary>
/// Converts numbers read from files to the store's scaled 64-bit integers, and says why one does not fit:
/// too large for the scale's range, or more decimals than the scale keeps. Sums are checked, never wrapped.
/// </summary>
internal static class ScaledInput
{
    private static readonly decimal[] Powers = Enumerable.Range(0, 19).Select(i => (decimal)Math.Pow(10, i)).ToArray();

    /// <summary>The largest magnitude storable at a scale, e.g. 922,337,203,685,477.5807 for money.</summary>
    public static decimal Largest(int scale) => long.MaxValue / Powers[scale];

    /// <summary>Stores <paramref name="value"/> exactly; otherwise returns the reason (too large, or too many decimals) naming <paramref name="what"/>.</summary>
    public static string? Exact(decimal value, int scale, string what, out long stored)
    {
        stored = 0;
        if (Math.Abs(value) > Largest(scale)) return TooLarge(value, scale, what);
        if (!Scaled.TryToStored(value, scale, out stored)) return $"{what} {Scaled.Format(value)} has more than {scale} decimals";
        return null;
    }

    /// <summary>Rounds half away from zero to the scale; returns the reason when the value does not fit.</summary>
    public static string? Rounded(decimal value, int scale, string what, out long stored)
    {
        stored = 0;
        if (Math.Abs(value) > Largest(scale)) return TooLarge(value, scale, what);
        stored = Scaled.RoundToStored(value, scale);
        return null;
    }

    /// <summary>Money rounded to 4 decimals, or the reason it does not fit.</summary>
    public static string? Money(decimal value, string what, out long stored) => Rounded(value, Scaled.MoneyScale, what, out stored);

    /// <summary>A price rounded to the price scale; refused when it does not fit or when a non-zero price rounds to zero.</summary>
    public static string? Price(decimal value, string what, out long stored)
    {
        var error = Rounded(value, Scaled.PriceScale, what, out stored);
        if (error is null && stored == 0 && value != 0)
            return $"{what} {Scaled.Format(value)} rounds to 0 at {Scaled.PriceScale} decimals; the store cannot hold it";
        return error;
    }

    /// <summary>Adds two stored amounts; false (and no result) when the sum leaves the 64-bit range.</summary>
    public static bool TryAdd(long a, long b, out long sum)
    {
        try
        {
            sum = checked(a + b);
            return true;
        }
        catch (OverflowException)
        {
            sum = 0;
            return false;
        }
    }

    private static string TooLarge(decimal value, int scale, string what) =>
        $"{what} {Scaled.Format(value)} is too large: the store holds at most {Largest(scale).ToString("N" + scale, System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.')}";
}
