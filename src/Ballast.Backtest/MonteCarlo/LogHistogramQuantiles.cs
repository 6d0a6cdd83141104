namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Streaming quantiles of positive values (terminal wealth multiples, index levels) from a fixed-resolution
/// logarithmic histogram: bucket <i>i</i> covers [min·g^i, min·g^(i+1)) with g = 1 + resolution. Memory is
/// fixed by the range and resolution, not by the number of values, and two histograms merge exactly (counts
/// add), so results do not depend on how paths were split across threads.
/// </summary>
/// <remarks>
/// <para><b>Definition.</b> <see cref="Quantile"/>(q) estimates the lower empirical quantile, the
/// ⌈q·n⌉-th smallest value (the smallest x with at least q·n values ≤ x).</para>
/// <para><b>Error.</b> The estimate is the geometric midpoint of the bucket holding that value, clamped to
/// the exact observed minimum and maximum (which are returned exactly for the first and last rank). For a quantile inside [<see cref="RangeMinimum"/>,
/// <see cref="RangeMaximum"/>) the relative error is at most √g − 1 (≈ resolution / 2; 0.05 % at the
/// default 0.1 %). Values below the range, including zero and negatives, are counted in an underflow bucket
/// whose quantiles report <see cref="RangeMinimum"/> (or the observed minimum if larger); values at or
/// above the range go to an overflow bucket reported as the observed maximum.</para>
/// </remarks>
public sealed class LogHistogramQuantiles
{
    private readonly long[] _counts; // [0] underflow, [1..^1] buckets, [^1] overflow
    private readonly double _logMin;
    private readonly double _logGrowth;

    /// <param name="rangeMinimum">Lower end of the resolved range, &gt; 0; default 1e-4.</param>
    /// <param name="rangeMaximum">Upper end of the resolved range, &gt; <paramref name="rangeMinimum"/>; default 1e4.</param>
    /// <param name="resolution">Relative bucket width g − 1, in (0, 1]; default 0.001 (0.1 %). Buckets = ln(max/min) / ln(1 + resolution), about 18,400 at the defaults.</param>
    public LogHistogramQuantiles(double rangeMinimum = 1e-4, double rangeMaximum = 1e4, double resolution = 0.001)
    {
        if (!(rangeMinimum > 0) || !double.IsFinite(rangeMinimum))
            throw new ArgumentOutOfRangeException(nameof(rangeMinimum), rangeMinimum, "the range minimum must be positive and finite");
        if (!(rangeMaximum > rangeMinimum) || !double.IsFinite(rangeMaximum))
            throw new ArgumentOutOfRangeException(nameof(rangeMaximum), rangeMaximum, "the range maximum must be finite and above the minimum");
        if (!(resolution > 0 && resolution <= 1))
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "the resolution must be in (0, 1]");
        RangeMinimum = rangeMinimum;
        RangeMaximum = rangeMaximum;
        Resolution = resolution;
        _logMin = Math.Log(rangeMinimum);
        _logGrowth = Math.Log(1 + resolution);
        var buckets = (int)Math.Ceiling((Math.Log(rangeMaximum) - _logMin) / _logGrowth);
        if (buckets > 10_000_000) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "range and resolution need more than 10 million buckets");
        _counts = new long[buckets + 2];
    }

    /// <summary>Lower end of the resolved range.</summary>
    public double RangeMinimum { get; }

    /// <summary>Upper end of the resolved range.</summary>
    public double RangeMaximum { get; }

    /// <summary>Relative bucket width (g − 1).</summary>
    public double Resolution { get; }

    /// <summary>Largest relative error of a quantile inside the range: √(1 + resolution) − 1.</summary>
    public double MaxRelativeError => Math.Sqrt(1 + Resolution) - 1;

    /// <summary>Values added.</summary>
    public long Count { get; private set; }

    /// <summary>Smallest value added; NaN when empty.</summary>
    public double Minimum { get; private set; } = double.NaN;

    /// <summary>Largest value added; NaN when empty.</summary>
    public double Maximum { get; private set; } = double.NaN;

    /// <summary>Adds a value; NaN and infinities throw <see cref="ArgumentOutOfRangeException"/>.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "values must be finite");
        _counts[BucketOf(value)]++;
        if (Count == 0 || value < Minimum) Minimum = value;
        if (Count == 0 || value > Maximum) Maximum = value;
        Count++;
    }

    /// <summary>Adds everything <paramref name="other"/> has seen; both must have the same range and resolution.</summary>
    public void Merge(LogHistogramQuantiles other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RangeMinimum != RangeMinimum || other.RangeMaximum != RangeMaximum || other.Resolution != Resolution)
            throw new ArgumentException("only histograms with the same range and resolution merge", nameof(other));
        if (other.Count == 0) return;
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Minimum = Count == 0 ? other.Minimum : Math.Min(Minimum, other.Minimum);
        Maximum = Count == 0 ? other.Maximum : Math.Max(Maximum, other.Maximum);
        Count += other.Count;
    }

    /// <summary>
    /// The estimated <paramref name="q"/>-quantile, q in [0, 1] (0.05 = 5th percentile); see the remarks for
    /// the definition and error. Throws <see cref="InvalidOperationException"/> when empty.
    /// </summary>
    public double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "q must be in [0, 1]");
        if (Count == 0) throw new InvalidOperationException("no values were added");
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        // The extremes are tracked exactly, so the smallest and largest ranks need no estimate.
        if (rank == 1) return Minimum;
        if (rank == Count) return Maximum;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen < rank) continue;
            double estimate;
            if (i == 0) estimate = RangeMinimum;
            else if (i == _counts.Length - 1) estimate = Maximum;
            else estimate = Math.Exp(_logMin + (i - 1 + 0.5) * _logGrowth);
            return Math.Clamp(estimate, Minimum, Maximum);
        }
        return Maximum;
    }

    private int BucketOf(double value)
    {
        if (!(value >= RangeMinimum)) return 0;
        if (value >= RangeMaximum) return _counts.Length - 1;
        var i = (int)((Math.Log(value) - _logMin) / _logGrowth);
        return Math.Clamp(i, 0, _counts.Length - 3) + 1;
    }
}
