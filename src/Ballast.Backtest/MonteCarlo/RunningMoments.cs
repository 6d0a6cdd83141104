namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Streaming count, mean, variance, minimum and maximum (Welford's update; Chan et al.'s formula to merge
/// two accumulators). Constant memory however many values are added. Not thread-safe: give each thread its
/// own and <see cref="Merge"/> them; merged moments equal a single pass up to floating-point rounding.
/// </summary>
public sealed class RunningMoments
{
    private double _m2;

    /// <summary>Values added.</summary>
    public long Count { get; private set; }

    /// <summary>Arithmetic mean; NaN when empty.</summary>
    public double Mean { get; private set; } = double.NaN;

    /// <summary>Smallest value; NaN when empty.</summary>
    public double Minimum { get; private set; } = double.NaN;

    /// <summary>Largest value; NaN when empty.</summary>
    public double Maximum { get; private set; } = double.NaN;

    /// <summary>Sample variance (divisor n − 1); NaN with fewer than two values.</summary>
    public double Variance => Count < 2 ? double.NaN : _m2 / (Count - 1);

    /// <summary>Sample standard deviation; NaN with fewer than two values.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Adds a finite value; throws <see cref="ArgumentOutOfRangeException"/> for NaN or infinity.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "values must be finite");
        if (Count == 0)
        {
            Count = 1;
            Mean = Minimum = Maximum = value;
            _m2 = 0;
            return;
        }
        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        _m2 += delta * (value - Mean);
        if (value < Minimum) Minimum = value;
        if (value > Maximum) Maximum = value;
    }

    /// <summary>Adds everything <paramref name="other"/> has seen.</summary>
    public void Merge(RunningMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0) return;
        if (Count == 0)
        {
            Count = other.Count;
            Mean = other.Mean;
            _m2 = other._m2;
            Minimum = other.Minimum;
            Maximum = other.Maximum;
            return;
        }
        var n = Count + other.Count;
        var delta = other.Mean - Mean;
        Mean += delta * other.Count / n;
        _m2 += other._m2 + delta * delta * ((double)Count * other.Count / n);
        Count = n;
        Minimum = Math.Min(Minimum, other.Minimum);
        Maximum = Math.Max(Maximum, other.Maximum);
    }
}
