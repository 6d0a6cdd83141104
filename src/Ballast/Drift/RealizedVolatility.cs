namespace Ballast.Drift;

/// <summary>Realized volatility of a value series, for volatility triggers and volatility-scaled bands.</summary>
public static class RealizedVolatility
{
    /// <summary>
    /// Annualized standard deviation (n − 1) of the last <paramref name="window"/> simple returns of
    /// <paramref name="values"/>, times √<paramref name="periodsPerYear"/>. Null when there are fewer than
    /// window + 1 values. Values must be positive and finite.
    /// </summary>
    public static double? Annualized(ReadOnlySpan<double> values, int window, double periodsPerYear)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(periodsPerYear);
        if (values.Length < window + 1) return null;
        var start = values.Length - window - 1;
        double mean = 0, m2 = 0;
        for (var k = 1; k <= window; k++)
        {
            var previous = values[start + k - 1];
            var current = values[start + k];
            if (!(previous > 0) || !double.IsFinite(current)) throw new ArgumentOutOfRangeException(nameof(values), "values must be positive and finite");
            var r = current / previous - 1;
            var delta = r - mean;
            mean += delta / k;
            m2 += delta * (r - mean);
        }
        return Math.Sqrt(m2 / (window - 1) * periodsPerYear);
    }
}
