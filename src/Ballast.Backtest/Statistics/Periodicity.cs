namespace Ballast.Backtest.Statistics;

/// <summary>
/// Infers how many observations a series has per year from the spacing of its dates, for annualizing
/// volatility and Sharpe ratios.
/// </summary>
public static class Periodicity
{
    /// <summary>Observations per year of a daily trading-day series.</summary>
    public const double Daily = 252;

    /// <summary>Observations per year of a weekly series.</summary>
    public const double Weekly = 52;

    /// <summary>Observations per year of a monthly series.</summary>
    public const double Monthly = 12;

    /// <summary>Observations per year of a quarterly series.</summary>
    public const double Quarterly = 4;

    /// <summary>Observations per year of an annual series.</summary>
    public const double Annual = 1;

    /// <summary>
    /// Returns 252, 52, 12, 4 or 1 from the median gap in calendar days between consecutive dates:
    /// up to 4 days is daily (trading days have 1-day gaps and 3-day weekends), 5-10 weekly, 11-45 monthly,
    /// 46-135 quarterly, more annual. The median ignores the odd holiday or missing month.
    /// Needs at least two ascending dates; throws <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public static double PeriodsPerYear(IReadOnlyList<DateOnly> dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (dates.Count < 2) throw new ArgumentException("at least two dates are needed to infer a frequency", nameof(dates));
        var gaps = new int[dates.Count - 1];
        for (var i = 1; i < dates.Count; i++)
        {
            gaps[i - 1] = dates[i].DayNumber - dates[i - 1].DayNumber;
            if (gaps[i - 1] <= 0) throw new ArgumentException("dates must be strictly ascending", nameof(dates));
        }
        Array.Sort(gaps);
        var median = gaps[gaps.Length / 2];
        return median switch
        {
            <= 4 => Daily,
            <= 10 => Weekly,
            <= 45 => Monthly,
            <= 135 => Quarterly,
            _ => Annual,
        };
    }

    /// <summary>Calendar years between two dates, as days / 365.25.</summary>
    public static double YearsBetween(DateOnly start, DateOnly end) => (end.DayNumber - start.DayNumber) / 365.25;
}
