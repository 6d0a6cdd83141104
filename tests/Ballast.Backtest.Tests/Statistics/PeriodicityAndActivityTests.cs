using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Tests.Statistics;

public sealed class PeriodicityAndActivityTests
{
    private static DateOnly[] Every(DateOnly start, int count, Func<DateOnly, DateOnly> next)
    {
        var dates = new DateOnly[count];
        dates[0] = start;
        for (var i = 1; i < count; i++) dates[i] = next(dates[i - 1]);
        return dates;
    }

    private static DateOnly NextWeekday(DateOnly d)
    {
        do d = d.AddDays(1); while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        return d;
    }

    [Fact]
    public void PeriodsPerYear_InfersFromMedianSpacing()
    {
        var start = new DateOnly(2020, 1, 6);
        Assert.Equal(252, Periodicity.PeriodsPerYear(Every(start, 30, NextWeekday)));
        Assert.Equal(52, Periodicity.PeriodsPerYear(Every(start, 30, d => d.AddDays(7))));
        Assert.Equal(12, Periodicity.PeriodsPerYear(Every(start, 30, d => d.AddMonths(1))));
        Assert.Equal(4, Periodicity.PeriodsPerYear(Every(start, 30, d => d.AddMonths(3))));
        Assert.Equal(1, Periodicity.PeriodsPerYear(Every(start, 30, d => d.AddYears(1))));
    }

    [Fact]
    public void PeriodsPerYear_OneMissingMonthDoesNotChangeTheAnswer()
    {
        DateOnly[] dates = [new(2020, 1, 1), new(2020, 2, 1), new(2020, 4, 1), new(2020, 5, 1)];

        Assert.Equal(12, Periodicity.PeriodsPerYear(dates));
    }

    [Fact]
    public void TurnoverPerYear_HalfOfGrossTradedOverValuePerYear()
    {
        // 2000-01-01 to 2004-01-01 is 4.0 years; trades of 20 on 100 and 10 on 50 are one-way 10 % each:
        // (0.10 + 0.10) / 4 = 0.05 a year.
        DateOnly[] dates = [new(2000, 1, 1), new(2002, 1, 1), new(2004, 1, 1)];

        Assert.Equal(0.05, Activity.TurnoverPerYear(dates, [0, 20, 10], [100, 100, 50]), 1e-12);
    }

    [Fact]
    public void DriftHelpers_AverageMaxAndSeries()
    {
        // Target 60/40; rows 60/40, 65/35, 50/50 drift by 0, 0.05 and 0.10 on both assets.
        double[] weights = [0.6, 0.4, 0.65, 0.35, 0.5, 0.5];
        double[] targets = [0.6, 0.4];

        Assert.Equal(0.05, Activity.AverageAbsoluteDrift(weights, targets), 1e-12); // (0.05 × 2 + 0.1 × 2) / 6
        Assert.Equal(0.10, Activity.MaxAbsoluteDrift(weights, targets), 1e-12);
        var series = Activity.MaxAbsoluteDriftSeries(weights, targets);
        Assert.Equal(3, series.Length);
        Assert.Equal(0.05, series[1], 1e-12);
        Assert.Equal(0.10, series[2], 1e-12);
    }

    [Fact]
    public void DriftHelpers_RejectRaggedRows()
    {
        Assert.Throws<ArgumentException>(() => Activity.AverageAbsoluteDrift([0.5, 0.5, 0.2], [0.5, 0.5]));
    }
}
