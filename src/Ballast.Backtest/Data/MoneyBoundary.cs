namespace Ballast.Backtest.Data;

/// <summary>
/// The one place where the backtester's <see cref="double"/> maths meets the engine's <see cref="decimal"/>
/// money. Every conversion goes through here so that a NaN or infinity from a price series or a
/// statistic can never become a silent zero or an overflow in a plan or a ledger.
/// </summary>
public static class MoneyBoundary
{
    /// <summary>
    /// Converts a finite <see cref="double"/> (a price per share, a value in currency units, a fraction) to
    /// <see cref="decimal"/>. Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="what"/>
    /// when the value is NaN, infinite, or outside decimal's range (about ±7.9e28).
    /// </summary>
    public static decimal ToDecimal(double value, string what)
    {
        if (double.IsNaN(value))
            throw new ArgumentOutOfRangeException(what, value, $"{what} is NaN; it must be a finite number");
        if (double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(what, value, $"{what} is infinite; it must be a finite number");
        if (value is > (double)decimal.MaxValue or < (double)decimal.MinValue)
            throw new ArgumentOutOfRangeException(what, value, $"{what} is {value}; it must lie within ±7.9e28");
        return (decimal)value;
    }

    /// <summary>Converts an engine amount to <see cref="double"/>; always finite because decimal is.</summary>
    public static double ToDouble(decimal value) => (double)value;
}
