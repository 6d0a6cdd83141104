using System.Globalization;

namespace Ballast.Store;

/// <summary>
/// Exact fixed-point storage of decimals as 64-bit integers, identical in SQLite and PostgreSQL.
/// Money is stored in ten-thousandths of the account's currency unit (scale 4), quantities in
/// millionths of a share (scale 6), prices in millionths of the currency unit per share (scale 6),
/// target weights in 1e-10 of the whole (scale 10; 1.0 is 100 %) and FX rates in 1e-8 (scale 8).
/// </summary>
public static class Scaled
{
    /// <summary>Decimal places kept for money amounts.</summary>
    public const int MoneyScale = 4;
    /// <summary>Decimal places kept for share quantities.</summary>
    public const int QuantityScale = 6;
    /// <summary>Decimal places kept for per-share prices.</summary>
    public const int PriceScale = 6;
    /// <summary>Decimal places kept for target weights (fractions of 1).</summary>
    public const int WeightScale = 10;
    /// <summary>Decimal places kept for FX rates (units of the quote currency per unit of the base currency).</summary>
    public const int RateScale = 8;

    private static readonly decimal[] Powers = Enumerable.Range(0, 19).Select(i => (decimal)Math.Pow(10, i)).ToArray();

    /// <summary>Stores a value exactly; false when it has more than <paramref name="scale"/> decimals or does not fit.</summary>
    public static bool TryToStored(decimal value, int scale, out long stored)
    {
        stored = 0;
        var scaled = value * Powers[scale];
        if (scaled != decimal.Truncate(scaled)) return false;
        if (scaled > long.MaxValue || scaled < long.MinValue) return false;
        stored = decimal.ToInt64(scaled);
        return true;
    }

    /// <summary>Rounds half away from zero to <paramref name="scale"/> decimals and stores the result.</summary>
    /// <exception cref="OverflowException">The value does not fit in 64 bits at that scale.</exception>
    public static long RoundToStored(decimal value, int scale) =>
        decimal.ToInt64(decimal.Round(value, scale, MidpointRounding.AwayFromZero) * Powers[scale]);

    /// <summary>Reads a stored value back, without trailing zeros.</summary>
    public static decimal FromStored(long stored, int scale)
    {
        // Built from the integer and the scale directly: exact, and far cheaper than decimal division.
        while (scale > 0 && stored % 10 == 0)
        {
            stored /= 10;
            scale--;
        }
        var negative = stored < 0;
        var magnitude = negative ? (ulong)(-(stored + 1)) + 1 : (ulong)stored;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, (byte)scale);
    }

    /// <summary>Money (scale 4) to its stored integer, rounding half away from zero.</summary>
    public static long Money(decimal value) => RoundToStored(value, MoneyScale);
    /// <summary>Stored money back to a decimal amount in currency units.</summary>
    public static decimal Money(long stored) => FromStored(stored, MoneyScale);
    /// <summary>Stored quantity back to shares.</summary>
    public static decimal Quantity(long stored) => FromStored(stored, QuantityScale);
    /// <summary>Stored price back to currency units per share.</summary>
    public static decimal Price(long stored) => FromStored(stored, PriceScale);
    /// <summary>Stored FX rate back to a decimal.</summary>
    public static decimal Rate(long stored) => FromStored(stored, RateScale);
    /// <summary>Stored weight back to a fraction of 1.</summary>
    public static decimal Weight(long stored) => FromStored(stored, WeightScale);

    /// <summary>Cash value of a trade: quantity (scale 6) times price (scale 6), rounded half away from zero to scale 4.</summary>
    public static long Notional(long quantity, long price) =>
        Money(Quantity(quantity) * Price(price));

    /// <summary>Removes trailing zeros (1.2500 becomes 1.25).</summary>
    public static decimal Normalize(decimal value) => Decimals.Shortest(value);

    /// <summary>Formats with invariant culture and no trailing zeros.</summary>
    public static string Format(decimal value) => Normalize(value).ToString(CultureInfo.InvariantCulture);
}
