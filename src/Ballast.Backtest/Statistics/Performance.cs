namespace Ballast.Backtest.Statistics;

/// <summary>
/// Performance statistics of a value series (portfolio value in currency units, or any index level) with
/// its dates. All results are fractions (0.07 = 7 %), annualized where the name says so. Value series must
/// be positive and finite; dates strictly ascending and as many as the values. Violations throw
/// <see cref="ArgumentException"/>: the backtester produces these series, so a bad one is a bug.
/// </summary>
/// <remarks>
/// Volatilities use the sample standard deviation (divisor n − 1) of simple periodic returns, scaled by
/// √(periods per year) from <see cref="Periodicity.PeriodsPerYear"/>. Rates passed as annual fractions
/// are turned into per-period rates geometrically: (1 + r)^(1 / periods per year) − 1.
/// </remarks>
public static class Performance
{
    /// <summary>The last value, in the series' units.</summary>
    public static double FinalValue(ReadOnlySpan<double> values)
    {
        CheckValues(values, 1);
        return values[^1];
    }

    /// <summary>last / first − 1, a fraction.</summary>
    public static double TotalReturn(ReadOnlySpan<double> values)
    {
        CheckValues(values, 1);
        return values[^1] / values[0] - 1;
    }

    /// <summary>
    /// Compound annual growth rate by calendar time: (last / first)^(1 / years) − 1 with
    /// years = (last date − first date) in days / 365.25. A fraction per year.
    /// </summary>
    public static double Cagr(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values)
    {
        Check(dates, values, 2);
        var years = Periodicity.YearsBetween(dates[0], dates[^1]);
        return Math.Pow(values[^1] / values[0], 1 / years) - 1;
    }

    /// <summary>Simple periodic returns v[i] / v[i−1] − 1; one fewer than the values.</summary>
    public static double[] PeriodReturns(ReadOnlySpan<double> values)
    {
        CheckValues(values, 2);
        var r = new double[values.Length - 1];
        for (var i = 1; i < values.Length; i++) r[i - 1] = values[i] / values[i - 1] - 1;
        return r;
    }

    /// <summary>Sample standard deviation of periodic returns × √(periods per year); a fraction per year.</summary>
    public static double AnnualizedVolatility(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values)
    {
        Check(dates, values, 3);
        var ppy = Periodicity.PeriodsPerYear(dates);
        return StdDev(PeriodReturns(values)) * Math.Sqrt(ppy);
    }

    /// <summary>
    /// Annualized Sharpe ratio against a constant annual cash rate (a fraction per year, default 0):
    /// mean(r − rf) / stdev(r − rf) × √(periods per year), with rf the per-period equivalent of the rate.
    /// </summary>
    public static double Sharpe(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, double annualCashRate = 0)
    {
        Check(dates, values, 3);
        var ppy = Periodicity.PeriodsPerYear(dates);
        var rf = PerPeriodRate(annualCashRate, ppy);
        var excess = PeriodReturns(values);
        for (var i = 0; i < excess.Length; i++) excess[i] -= rf;
        return Mean(excess) / StdDev(excess) * Math.Sqrt(ppy);
    }

    /// <summary>
    /// Annualized Sharpe ratio against a cash series given as value levels on the same dates (for example
    /// a T-bill fund's adjusted close): the per-period cash return is subtracted period by period.
    /// </summary>
    public static double Sharpe(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, ReadOnlySpan<double> cashValues)
    {
        Check(dates, values, 3);
        Check(dates, cashValues, 3);
        var ppy = Periodicity.PeriodsPerYear(dates);
        var excess = PeriodReturns(values);
        for (var i = 0; i < excess.Length; i++) excess[i] -= cashValues[i + 1] / cashValues[i] - 1;
        return Mean(excess) / StdDev(excess) * Math.Sqrt(ppy);
    }

    /// <summary>
    /// Annualized Sharpe ratio against per-period cash returns (fractions per period, one fewer than the
    /// values: <paramref name="cashReturns"/>[i] is cash's return from date i to date i + 1), for example a
    /// monthly T-bill return series divided by 100 when it is given in percent.
    /// </summary>
    public static double SharpeAgainstCashReturns(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, ReadOnlySpan<double> cashReturns)
    {
        Check(dates, values, 3);
        if (cashReturns.Length != values.Length - 1)
            throw new ArgumentException($"{values.Length} values need {values.Length - 1} cash returns, got {cashReturns.Length}");
        var ppy = Periodicity.PeriodsPerYear(dates);
        var excess = PeriodReturns(values);
        for (var i = 0; i < excess.Length; i++)
        {
            if (!double.IsFinite(cashReturns[i])) throw new ArgumentException($"cash returns must be finite; found {cashReturns[i]} at {i}");
            excess[i] -= cashReturns[i];
        }
        return Mean(excess) / StdDev(excess) * Math.Sqrt(ppy);
    }

    /// <summary>
    /// Annualized Sortino ratio: mean(r − t) × √(periods per year) / downside deviation, where
    /// t is the per-period equivalent of <paramref name="annualTargetRate"/> (a fraction per year, default 0)
    /// and downside deviation = √(Σ min(0, r − t)² / n) over all n periods. Positive infinity when no period
    /// falls below the target.
    /// </summary>
    public static double Sortino(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, double annualTargetRate = 0)
    {
        Check(dates, values, 3);
        var ppy = Periodicity.PeriodsPerYear(dates);
        var t = PerPeriodRate(annualTargetRate, ppy);
        var r = PeriodReturns(values);
        double sum = 0, down = 0;
        foreach (var x in r)
        {
            var e = x - t;
            sum += e;
            if (e < 0) down += e * e;
        }
        var mean = sum / r.Length;
        var dd = Math.Sqrt(down / r.Length);
        return dd == 0 ? double.PositiveInfinity : mean * Math.Sqrt(ppy) / dd;
    }

    /// <summary>Drawdown at each date: value / running peak − 1, so 0 at a new high and −0.25 at 25 % below it.</summary>
    public static double[] DrawdownSeries(ReadOnlySpan<double> values)
    {
        CheckValues(values, 1);
        var dd = new double[values.Length];
        var peak = values[0];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > peak) peak = values[i];
            dd[i] = values[i] / peak - 1;
        }
        return dd;
    }

    /// <summary>The deepest drawdown with where it started, bottomed and recovered.</summary>
    public static Drawdown MaxDrawdown(ReadOnlySpan<double> values)
    {
        CheckValues(values, 1);
        var peak = 0;
        var best = new Drawdown(0, 0, 0, 0);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] >= values[peak]) peak = i;
            var depth = values[i] / values[peak] - 1;
            if (depth < best.Depth) best = new Drawdown(depth, peak, i, null);
        }
        if (best.Depth < 0)
        {
            for (var i = best.TroughIndex + 1; i < values.Length; i++)
            {
                if (values[i] >= values[best.PeakIndex]) return best with { RecoveryIndex = i };
            }
        }
        return best;
    }

    /// <summary>
    /// Tracking error against a reference value series on the same dates: sample standard deviation of
    /// (r − r_ref) per period × √(periods per year); a fraction per year.
    /// </summary>
    public static double TrackingError(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, ReadOnlySpan<double> referenceValues)
    {
        Check(dates, values, 3);
        Check(dates, referenceValues, 3);
        return TrackingError(values, referenceValues, Periodicity.PeriodsPerYear(dates));
    }

    /// <summary>
    /// Tracking error as above with the periods per year given (a simulated path keeps its history's periodicity),
    /// computed without allocating: sample standard deviation of (r − r_ref) per period × √<paramref name="periodsPerYear"/>.
    /// </summary>
    public static double TrackingError(ReadOnlySpan<double> values, ReadOnlySpan<double> referenceValues, double periodsPerYear)
    {
        CheckValues(values, 3);
        CheckValues(referenceValues, 3);
        if (values.Length != referenceValues.Length)
            throw new ArgumentException($"{values.Length} values but {referenceValues.Length} reference values");
        if (!(periodsPerYear > 0) || !double.IsFinite(periodsPerYear))
            throw new ArgumentOutOfRangeException(nameof(periodsPerYear), periodsPerYear, "periods per year must be positive and finite");
        // Two passes over the differences, in the same order and arithmetic as Mean and StdDev over an array of them.
        var n = values.Length - 1;
        double sum = 0;
        for (var i = 1; i < values.Length; i++) sum += (values[i] / values[i - 1] - 1) - (referenceValues[i] / referenceValues[i - 1] - 1);
        var mean = sum / n;
        double ss = 0;
        for (var i = 1; i < values.Length; i++)
        {
            var e = (values[i] / values[i - 1] - 1) - (referenceValues[i] / referenceValues[i - 1] - 1) - mean;
            ss += e * e;
        }
        return Math.Sqrt(ss / (n - 1)) * Math.Sqrt(periodsPerYear);
    }

    internal static double PerPeriodRate(double annualRate, double periodsPerYear)
    {
        if (!(annualRate > -1) || !double.IsFinite(annualRate))
            throw new ArgumentOutOfRangeException(nameof(annualRate), annualRate, "an annual rate must be a finite fraction above -1");
        return Math.Pow(1 + annualRate, 1 / periodsPerYear) - 1;
    }

    internal static double Mean(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v;
        return s / x.Length;
    }

    internal static double StdDev(ReadOnlySpan<double> x)
    {
        if (x.Length < 2) throw new ArgumentException("a standard deviation needs at least two returns");
        var m = Mean(x);
        double ss = 0;
        foreach (var v in x) ss += (v - m) * (v - m);
        return Math.Sqrt(ss / (x.Length - 1));
    }

    private static void Check(IReadOnlyList<DateOnly> dates, ReadOnlySpan<double> values, int min)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (dates.Count != values.Length)
            throw new ArgumentException($"{dates.Count} dates but {values.Length} values");
        CheckValues(values, min);
    }

    private static void CheckValues(ReadOnlySpan<double> values, int min)
    {
        if (values.Length < min) throw new ArgumentException($"at least {min} values are needed, got {values.Length}");
        foreach (var v in values)
        {
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"values must be positive and finite; found {v}");
        }
    }
}

/// <summary>
/// A drawdown: <see cref="Depth"/> is a fraction ≤ 0 (−0.5 = fell to half the peak); indices point into the
/// value series; <see cref="RecoveryIndex"/> is the first index back at or above the peak, null if never.
/// A series that never falls has depth 0 and all indices 0.
/// </summary>
public readonly record struct Drawdown(double Depth, int PeakIndex, int TroughIndex, int? RecoveryIndex);
