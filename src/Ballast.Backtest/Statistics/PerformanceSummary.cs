namespace Ballast.Backtest.Statistics;

/// <summary>
/// The headline statistics of one value series, all fractions (0.07 = 7 %); <see cref="FinalValue"/> in the
/// series' units. <see cref="TrackingError"/> is null without a reference series.
/// </summary>
public sealed record PerformanceSummary(
    double FinalValue,
    double TotalReturn,
    double Cagr,
    double AnnualizedVolatility,
    double Sharpe,
    double Sortino,
    double MaxDrawdown,
    double? TrackingError)
{
    /// <summary>
    /// Computes every statistic of <paramref name="values"/> on <paramref name="dates"/>; Sharpe against a
    /// constant <paramref name="annualCashRate"/> (fraction per year), Sortino against a zero target, tracking
    /// error against <paramref name="referenceValues"/> when given (same dates).
    /// </summary>
    public static PerformanceSummary Compute(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, double annualCashRate = 0, ReadOnlySpan<double> referenceValues = default) =>
        new(
            Performance.FinalValue(values),
            Performance.TotalReturn(values),
            Performance.Cagr(dates, values),
            Performance.AnnualizedVolatility(dates, values),
            Performance.Sharpe(dates, values, annualCashRate),
            Performance.Sortino(dates, values),
            Performance.MaxDrawdown(values).Depth,
            referenceValues.IsEmpty ? null : Performance.TrackingError(dates, values, referenceValues));
}
