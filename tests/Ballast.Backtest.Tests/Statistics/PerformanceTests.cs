using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Tests.Statistics;

/// <summary>
/// Golden cases worked by hand. The main series is monthly: 100, 110, 99, 108.9, 119.79, i.e. returns
/// +10 %, −10 %, +10 %, +10 %. Mean 0.05; deviations 0.05, −0.15, 0.05, 0.05 square to 0.03 in total, so the
/// sample variance is 0.03 / 3 = 0.01 and the standard deviation 0.1 per month.
/// </summary>
public sealed class PerformanceTests
{
    private static readonly DateOnly[] Months = [new(2020, 1, 1), new(2020, 2, 1), new(2020, 3, 1), new(2020, 4, 1), new(2020, 5, 1)];
    private static readonly double[] Values = [100, 110, 99, 108.9, 119.79];
    private const double Tolerance = 1e-9;

    [Fact]
    public void FinalValueAndTotalReturn_FollowFromEnds()
    {
        Assert.Equal(119.79, Performance.FinalValue(Values));
        Assert.Equal(0.1979, Performance.TotalReturn(Values), Tolerance); // 119.79 / 100 − 1
    }

    [Fact]
    public void Cagr_UsesCalendarYearsOf365Point25Days()
    {
        // 2000-01-01 to 2004-01-01 is 1461 days = 4.0 years; 1.4641 = 1.1^4, so 10 % a year.
        DateOnly[] dates = [new(2000, 1, 1), new(2002, 6, 1), new(2004, 1, 1)];

        Assert.Equal(0.10, Performance.Cagr(dates, [100, 120, 146.41]), Tolerance);
    }

    [Fact]
    public void AnnualizedVolatility_MonthlyStdevTimesSqrt12()
    {
        // 0.1 per month × √12.
        Assert.Equal(0.1 * Math.Sqrt(12), Performance.AnnualizedVolatility(Months, Values), Tolerance);
    }

    [Fact]
    public void Sharpe_ZeroCash_IsMeanOverStdevTimesSqrt12()
    {
        // 0.05 / 0.1 × √12 = √3.
        Assert.Equal(Math.Sqrt(3), Performance.Sharpe(Months, Values), Tolerance);
    }

    [Fact]
    public void Sharpe_ConstantRateAndCashSeries_AgreeWhenBothEarnOnePercentAMonth()
    {
        // Cash earns 1 % a month: excess returns 0.09, −0.11, 0.09, 0.09 have mean 0.04 and the same stdev
        // 0.1, so Sharpe = 0.4 × √12.
        var annual = Math.Pow(1.01, 12) - 1;
        double[] cash = [1, 1.01, 1.0201, 1.030301, 1.04060401];

        Assert.Equal(0.4 * Math.Sqrt(12), Performance.Sharpe(Months, Values, annual), Tolerance);
        Assert.Equal(0.4 * Math.Sqrt(12), Performance.Sharpe(Months, Values, cash), Tolerance);
    }

    [Fact]
    public void SharpeAgainstCashReturns_OnePercentPerPeriod_MatchesConstantRate()
    {
        // Same case as above with the cash returns given directly.
        Assert.Equal(0.4 * Math.Sqrt(12), Performance.SharpeAgainstCashReturns(Months, Values, [0.01, 0.01, 0.01, 0.01]), Tolerance);
        Assert.Throws<ArgumentException>(() => Performance.SharpeAgainstCashReturns(Months, Values, [0.01]));
    }

    [Fact]
    public void Sortino_UsesDownsideDeviationOverAllPeriods()
    {
        // Only −0.10 is below 0: downside deviation = √(0.01 / 4) = 0.05; 0.05 × √12 / 0.05 = √12.
        Assert.Equal(Math.Sqrt(12), Performance.Sortino(Months, Values), Tolerance);
    }

    [Fact]
    public void Sortino_NoLosingPeriod_IsPositiveInfinity()
    {
        Assert.Equal(double.PositiveInfinity, Performance.Sortino(Months, [1, 2, 3, 4, 5]));
    }

    [Fact]
    public void MaxDrawdown_PeakTroughAndRecovery()
    {
        // Peak 110 (index 1), trough 99 (index 2): 99 / 110 − 1 = −0.1; 108.9 is still below 110, so the
        // first value back at the peak is 119.79 at index 4.
        var dd = Performance.MaxDrawdown(Values);

        Assert.Equal(-0.1, dd.Depth, Tolerance);
        Assert.Equal((1, 2, (int?)4), (dd.PeakIndex, dd.TroughIndex, dd.RecoveryIndex));
    }

    [Fact]
    public void MaxDrawdown_NeverRecovered_HasNoRecoveryIndex()
    {
        var dd = Performance.MaxDrawdown([100, 120, 60, 90]);

        Assert.Equal(-0.5, dd.Depth, Tolerance);
        Assert.Null(dd.RecoveryIndex);
    }

    [Fact]
    public void DrawdownSeries_IsValueOverRunningPeakMinusOne()
    {
        var series = Performance.DrawdownSeries(Values);

        // 108.9 / 110 − 1 = −0.01.
        double[] expected = [0, 0, -0.1, -0.01, 0];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], series[i], Tolerance);
    }

    [Fact]
    public void TrackingError_StdevOfReturnDifferencesAnnualized()
    {
        // Reference returns +5 %, −5 %, +5 %, +5 %: differences 0.05, −0.05, 0.05, 0.05, mean 0.025,
        // squared deviations 3 × 0.000625 + 0.005625 = 0.0075, / 3 = 0.0025, stdev 0.05, × √12.
        double[] reference = [100, 105, 99.75, 104.7375, 109.974375];

        Assert.Equal(0.05 * Math.Sqrt(12), Performance.TrackingError(Months, Values, reference), Tolerance);
    }

    [Fact]
    public void TrackingError_WithPeriodsPerYearGiven_IsTheDatedOneExactly()
    {
        // The golden case above, and a longer series where rounding would show if the arithmetic differed.
        double[] reference = [100, 105, 99.75, 104.7375, 109.974375];
        Assert.Equal(0.05 * Math.Sqrt(12), Performance.TrackingError(Values, reference, 12), Tolerance);
        var months = Enumerable.Range(0, 61).Select(i => new DateOnly(2000, 1, 1).AddMonths(i)).ToArray();
        var values = months.Select((_, t) => 100 * Math.Exp(0.01 * t + 0.03 * Math.Sin(t))).ToArray();
        var other = months.Select((_, t) => 100 * Math.Exp(0.008 * t + 0.02 * Math.Cos(0.7 * t))).ToArray();

        Assert.Equal(Performance.TrackingError(months, values, other), Performance.TrackingError(values, other, 12));
        Assert.NotEqual(Performance.TrackingError(months, values, other), Performance.TrackingError(values, other, 52));
        Assert.Throws<ArgumentException>(() => Performance.TrackingError(values, other.AsSpan(1), 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => Performance.TrackingError(values, other, 0));
    }

    [Fact]
    public void TrackingError_AgainstItself_IsZero()
    {
        Assert.Equal(0, Performance.TrackingError(Months, Values, Values), Tolerance);
    }

    [Fact]
    public void Statistics_RejectNonPositiveValuesAndMisalignedDates()
    {
        Assert.Throws<ArgumentException>(() => Performance.TotalReturn([100, 0, 3]));
        Assert.Throws<ArgumentException>(() => Performance.Cagr(Months, [1, 2]));
        Assert.Throws<ArgumentException>(() => Performance.AnnualizedVolatility(Months, [1, 2, double.NaN, 4, 5]));
    }

    [Fact]
    public void Summary_CollectsTheSameNumbers()
    {
        var s = PerformanceSummary.Compute(Months, Values);

        Assert.Equal(Math.Sqrt(3), s.Sharpe, Tolerance);
        Assert.Equal(-0.1, s.MaxDrawdown, Tolerance);
        Assert.Null(s.TrackingError);
    }
}
