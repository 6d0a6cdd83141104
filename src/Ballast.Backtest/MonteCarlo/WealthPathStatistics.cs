namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Everything a Monte Carlo report needs from many wealth paths, in memory fixed by the path length and
/// resolution: per-step quantile histograms for a fan chart, and terminal-wealth moments, quantiles and a
/// histogram. A wealth path holds the value (any positive unit, usually a multiple of starting wealth) at
/// steps 1..<see cref="Steps"/>. Not thread-safe; one per thread, then <see cref="Merge"/>.
/// </summary>
public sealed class WealthPathStatistics
{
    private readonly LogHistogramQuantiles[] _perStep;

    /// <param name="steps">Values per path, ≥ 1.</param>
    /// <param name="terminalHistogramMaximum">Upper edge of the terminal-wealth histogram (lower edge 0), in wealth units.</param>
    /// <param name="terminalHistogramBins">Bins of that histogram; default 40.</param>
    /// <param name="fanResolution">Relative resolution of the per-step quantiles; default 0.01 (fan chart error ≤ 0.5 %), coarser than the terminal quantiles' 0.001 to keep per-step memory small.</param>
    public WealthPathStatistics(int steps, double terminalHistogramMaximum, int terminalHistogramBins = 40, double fanResolution = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Steps = steps;
        _perStep = new LogHistogramQuantiles[steps];
        for (var i = 0; i < steps; i++) _perStep[i] = new LogHistogramQuantiles(resolution: fanResolution);
        TerminalQuantiles = new LogHistogramQuantiles();
        TerminalHistogram = new FixedHistogram(0, terminalHistogramMaximum, terminalHistogramBins);
    }

    /// <summary>Values per path.</summary>
    public int Steps { get; }

    /// <summary>Paths added.</summary>
    public long Paths => TerminalMoments.Count;

    /// <summary>Mean, variance and extremes of terminal wealth.</summary>
    public RunningMoments TerminalMoments { get; } = new();

    /// <summary>Quantiles of terminal wealth (0.1 % resolution).</summary>
    public LogHistogramQuantiles TerminalQuantiles { get; }

    /// <summary>Histogram of terminal wealth.</summary>
    public FixedHistogram TerminalHistogram { get; }

    /// <summary>Adds one wealth path of exactly <see cref="Steps"/> values.</summary>
    public void AddPath(ReadOnlySpan<double> wealth)
    {
        if (wealth.Length != Steps) throw new ArgumentException($"a path has {Steps} values, got {wealth.Length}", nameof(wealth));
        for (var i = 0; i < wealth.Length; i++) _perStep[i].Add(wealth[i]);
        var terminal = wealth[^1];
        TerminalMoments.Add(terminal);
        TerminalQuantiles.Add(terminal);
        TerminalHistogram.Add(terminal);
    }

    /// <summary>Adds everything <paramref name="other"/> has seen (same shape).</summary>
    public void Merge(WealthPathStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Steps != Steps) throw new ArgumentException("only statistics of equally long paths merge", nameof(other));
        for (var i = 0; i < Steps; i++) _perStep[i].Merge(other._perStep[i]);
        TerminalMoments.Merge(other.TerminalMoments);
        TerminalQuantiles.Merge(other.TerminalQuantiles);
        TerminalHistogram.Merge(other.TerminalHistogram);
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) of wealth at every step: one line of a fan chart.</summary>
    public double[] QuantilePath(double q)
    {
        var result = new double[Steps];
        for (var i = 0; i < Steps; i++) result[i] = _perStep[i].Quantile(q);
        return result;
    }
}
