namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Counts values in equal-width bins over [<see cref="Minimum"/>, <see cref="Maximum"/>), plus underflow and
/// overflow counts; for the terminal-wealth chart. Merges exactly.
/// </summary>
public sealed class FixedHistogram
{
    private readonly long[] _counts;

    /// <param name="minimum">Lower edge of the first bin (inclusive), finite.</param>
    /// <param name="maximum">Upper edge of the last bin (exclusive), finite and above <paramref name="minimum"/>.</param>
    /// <param name="bins">Number of bins, 1 to 100,000.</param>
    public FixedHistogram(double minimum, double maximum, int bins)
    {
        if (!double.IsFinite(minimum)) throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "must be finite");
        if (!(maximum > minimum) || !double.IsFinite(maximum)) throw new ArgumentOutOfRangeException(nameof(maximum), maximum, "must be finite and above the minimum");
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bins, 100_000);
        Minimum = minimum;
        Maximum = maximum;
        _counts = new long[bins];
    }

    /// <summary>Lower edge of the first bin.</summary>
    public double Minimum { get; }

    /// <summary>Upper edge of the last bin.</summary>
    public double Maximum { get; }

    /// <summary>Bin count.</summary>
    public int BinCount => _counts.Length;

    /// <summary>Width of each bin.</summary>
    public double BinWidth => (Maximum - Minimum) / _counts.Length;

    /// <summary>Counts per bin.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Values below <see cref="Minimum"/>.</summary>
    public long Underflow { get; private set; }

    /// <summary>Values at or above <see cref="Maximum"/>.</summary>
    public long Overflow { get; private set; }

    /// <summary>All values added, including under- and overflow.</summary>
    public long Total { get; private set; }

    /// <summary>Lower edge of bin <paramref name="bin"/>.</summary>
    public double LowerEdge(int bin) => Minimum + bin * BinWidth;

    /// <summary>Adds a finite value.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "values must be finite");
        Total++;
        if (value < Minimum) { Underflow++; return; }
        if (value >= Maximum) { Overflow++; return; }
        var i = (int)((value - Minimum) / BinWidth);
        _counts[Math.Min(i, _counts.Length - 1)]++;
    }

    /// <summary>Adds the counts of a histogram with the same edges.</summary>
    public void Merge(FixedHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Minimum != Minimum || other.Maximum != Maximum || other.BinCount != BinCount)
            throw new ArgumentException("only histograms with the same edges merge", nameof(other));
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Underflow += other.Underflow;
        Overflow += other.Overflow;
        Total += other.Total;
    }
}
