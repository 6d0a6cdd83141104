namespace Ballast.Backtest.Statistics;

/// <summary>Trading-activity and drift statistics of a backtest; all fractions.</summary>
public static class Activity
{
    /// <summary>
    /// One-way turnover per year: Σ (traded_i / 2) / value_i divided by the years from the first to the last
    /// date (days / 365.25). <paramref name="grossTraded"/>[i] is the total traded on date i, buys plus sells
    /// in currency units (0 when nothing traded); <paramref name="portfolioValues"/>[i] is the value before
    /// those trades. Halving makes selling 10 % of the portfolio in one fund to buy another count as 10 %.
    /// </summary>
    public static double TurnoverPerYear(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> grossTraded, ReadOnlySpan<double> portfolioValues)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (dates.Count < 2 || grossTraded.Length != dates.Count || portfolioValues.Length != dates.Count)
            throw new ArgumentException("need at least two dates and one traded amount and one value per date");
        double sum = 0;
        for (var i = 0; i < dates.Count; i++)
        {
            if (!(grossTraded[i] >= 0) || !double.IsFinite(grossTraded[i]))
                throw new ArgumentException($"traded amounts must be finite and non-negative; found {grossTraded[i]} at {i}");
            if (!(portfolioValues[i] > 0) || !double.IsFinite(portfolioValues[i]))
                throw new ArgumentException($"portfolio values must be positive and finite; found {portfolioValues[i]} at {i}");
            sum += grossTraded[i] / 2 / portfolioValues[i];
        }
        return sum / Periodicity.YearsBetween(dates[0], dates[^1]);
    }

    /// <summary>
    /// Mean of |weight − target| over every date and asset. <paramref name="weights"/> is row-major,
    /// one row of asset weights (fractions of portfolio value) per date, each row as long as
    /// <paramref name="targets"/> (target weights, fractions).
    /// </summary>
    public static double AverageAbsoluteDrift(ReadOnlySpan<double> weights, ReadOnlySpan<double> targets)
    {
        CheckShape(weights, targets);
        double sum = 0;
        for (var i = 0; i < weights.Length; i++) sum += Math.Abs(weights[i] - targets[i % targets.Length]);
        return sum / weights.Length;
    }

    /// <summary>Largest |weight − target| over every date and asset (same layout as <see cref="AverageAbsoluteDrift"/>).</summary>
    public static double MaxAbsoluteDrift(ReadOnlySpan<double> weights, ReadOnlySpan<double> targets)
    {
        CheckShape(weights, targets);
        double max = 0;
        for (var i = 0; i < weights.Length; i++) max = Math.Max(max, Math.Abs(weights[i] - targets[i % targets.Length]));
        return max;
    }

    /// <summary>Per date, the largest |weight − target| across assets: the series a drift-vs-band chart plots.</summary>
    public static double[] MaxAbsoluteDriftSeries(ReadOnlySpan<double> weights, ReadOnlySpan<double> targets)
    {
        CheckShape(weights, targets);
        var n = targets.Length;
        var result = new double[weights.Length / n];
        for (var r = 0; r < result.Length; r++)
        {
            double max = 0;
            for (var a = 0; a < n; a++) max = Math.Max(max, Math.Abs(weights[r * n + a] - targets[a]));
            result[r] = max;
        }
        return result;
    }

    private static void CheckShape(ReadOnlySpan<double> weights, ReadOnlySpan<double> targets)
    {
        if (targets.Length == 0) throw new ArgumentException("need at least one target weight");
        if (weights.Length == 0 || weights.Length % targets.Length != 0)
            throw new ArgumentException($"{weights.Length} weights do not form whole rows of {targets.Length} assets");
        foreach (var w in weights)
        {
            if (!double.IsFinite(w)) throw new ArgumentException($"weights must be finite; found {w}");
        }
    }
}
