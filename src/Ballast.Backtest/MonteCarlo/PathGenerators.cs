using MathNet.Numerics.LinearAlgebra;

namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// Generates simulated return paths. A path is <c>steps × assets</c> simple returns (fractions), row-major,
/// written into a caller-supplied buffer so a run of many paths allocates nothing per path. The same
/// generator, seed and path index always give the same path; implementations are safe to call from many
/// threads at once.
/// </summary>
public interface IPathGenerator
{
    /// <summary>Assets per row.</summary>
    int AssetCount { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> (length a multiple of <see cref="AssetCount"/>; steps =
    /// length / assets) with path <paramref name="pathIndex"/> (≥ 0).
    /// </summary>
    void Generate(long pathIndex, Span<double> destination);
}

/// <summary>How <see cref="BlockBootstrap"/> cuts history into blocks.</summary>
public enum BlockScheme
{
    /// <summary>
    /// Politis–Romano stationary bootstrap: each step continues the current block with probability
    /// 1 − 1/L and jumps to a random period with probability 1/L, so block lengths are geometric with mean L.
    /// The default: the resampled series is stationary and results depend less on the exact L.
    /// </summary>
    Stationary,

    /// <summary>Circular block bootstrap: fixed blocks of exactly L periods from random starts.</summary>
    Circular,
}

/// <summary>
/// Block bootstrap of a <see cref="ReturnMatrix"/>. Whole rows are copied, so cross-asset correlation
/// is exactly history's; blocks keep short-run autocorrelation (momentum, volatility clusters) up to about
/// the block length. History wraps around at its end (circularly) so every period is equally likely.
/// </summary>
public sealed class BlockBootstrap : IPathGenerator
{
    private readonly ReturnMatrix _history;
    private readonly double _jumpProbability;

    /// <param name="history">Periodic returns to resample.</param>
    /// <param name="blockLength">Mean (stationary) or exact (circular) block length in periods, 1 to the number of periods. 1 is the plain i.i.d. bootstrap of rows.</param>
    /// <param name="seed">Run seed; together with the path index it fixes each path.</param>
    /// <param name="scheme">Block scheme; default <see cref="BlockScheme.Stationary"/>.</param>
    public BlockBootstrap(ReturnMatrix history, int blockLength, ulong seed, BlockScheme scheme = BlockScheme.Stationary)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockLength, history.Periods);
        if (!Enum.IsDefined(scheme)) throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown block scheme");
        _history = history;
        BlockLength = blockLength;
        Seed = seed;
        Scheme = scheme;
        _jumpProbability = 1.0 / blockLength;
    }

    /// <summary>Mean or exact block length in periods.</summary>
    public int BlockLength { get; }

    /// <summary>The run seed.</summary>
    public ulong Seed { get; }

    /// <summary>The block scheme.</summary>
    public BlockScheme Scheme { get; }

    /// <inheritdoc />
    public int AssetCount => _history.AssetCount;

    /// <inheritdoc />
    public void Generate(long pathIndex, Span<double> destination)
    {
        var n = _history.AssetCount;
        if (destination.Length % n != 0) throw new ArgumentException($"the buffer length {destination.Length} is not a multiple of {n} assets", nameof(destination));
        var rng = PathRandom.ForPath(Seed, pathIndex);
        var periods = _history.Periods;
        var steps = destination.Length / n;
        var row = 0;
        var leftInBlock = 0;
        for (var t = 0; t < steps; t++)
        {
            var newBlock = Scheme == BlockScheme.Stationary
                ? t == 0 || rng.NextDouble() < _jumpProbability
                : leftInBlock == 0;
            if (newBlock)
            {
                row = rng.NextInt(periods);
                leftInBlock = BlockLength;
            }
            else
            {
                row = row + 1 == periods ? 0 : row + 1;
            }
            leftInBlock--;
            _history.Row(row).CopyTo(destination.Slice(t * n, n));
        }
    }
}

/// <summary>Which distribution <see cref="MultivariateReturnModel"/> fits.</summary>
public enum ReturnDistribution
{
    /// <summary>Simple returns are multivariate normal with history's mean vector and covariance. Can produce returns at or below −100 %.</summary>
    Normal,

    /// <summary>Log returns ln(1 + r) are multivariate normal, fitted to history's log returns; simple returns stay above −100 % and the fitted median growth matches history's geometric mean.</summary>
    Lognormal,
}

/// <summary>
/// Independent multivariate normal or lognormal returns fitted to a <see cref="ReturnMatrix"/>: sample mean
/// vector and sample covariance (divisor n − 1), correlated through the Cholesky factor of the covariance.
/// </summary>
public sealed class MultivariateReturnModel : IPathGenerator
{
    private const int StackAssets = 64;
    private readonly double[] _mean;
    private readonly double[] _cholesky; // lower triangle, row-major n × n

    private readonly double[,] _covariance;

    private MultivariateReturnModel(ReturnDistribution distribution, double[] mean, double[,] covariance, double[] cholesky, ulong seed)
    {
        Distribution = distribution;
        _mean = mean;
        _covariance = covariance;
        _cholesky = cholesky;
        Seed = seed;
    }

    /// <summary>Normal or lognormal.</summary>
    public ReturnDistribution Distribution { get; }

    /// <summary>Fitted per-period mean of simple returns (normal) or of log returns (lognormal).</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Fitted per-period covariance of simple returns (normal) or of log returns (lognormal). A copy.</summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <summary>The run seed.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    public int AssetCount => _mean.Length;

    /// <summary>
    /// Fits the model to <paramref name="history"/> (at least assets + 1 periods). Throws
    /// <see cref="ArgumentException"/> when the covariance is not positive definite (an asset with constant
    /// returns, or assets that are exact combinations of each other).
    /// </summary>
    public static MultivariateReturnModel Fit(ReturnMatrix history, ReturnDistribution distribution, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!Enum.IsDefined(distribution)) throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "unknown distribution");
        var n = history.AssetCount;
        var p = history.Periods;
        if (p < n + 1) throw new ArgumentException($"fitting {n} assets needs at least {n + 1} periods, got {p}", nameof(history));

        var x = Matrix<double>.Build.Dense(p, n, (i, j) => distribution == ReturnDistribution.Lognormal ? Math.Log(1 + history[i, j]) : history[i, j]);
        var mean = new double[n];
        for (var j = 0; j < n; j++) mean[j] = x.Column(j).Average();
        var centered = Matrix<double>.Build.Dense(p, n, (i, j) => x[i, j] - mean[j]);
        var cov = centered.TransposeThisAndMultiply(centered) / (p - 1);
        Matrix<double> factor;
        try
        {
            factor = cov.Cholesky().Factor;
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException("the covariance of the history is not positive definite: an asset has constant returns or is an exact mix of others", nameof(history), ex);
        }
        var lower = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++) lower[i * n + j] = factor[i, j];
        }
        return new MultivariateReturnModel(distribution, mean, cov.ToArray(), lower, seed);
    }

    /// <inheritdoc />
    public void Generate(long pathIndex, Span<double> destination)
    {
        var n = _mean.Length;
        if (destination.Length % n != 0) throw new ArgumentException($"the buffer length {destination.Length} is not a multiple of {n} assets", nameof(destination));
        var rng = PathRandom.ForPath(Seed, pathIndex);
        Span<double> z = n <= StackAssets ? stackalloc double[StackAssets] : new double[n];
        var steps = destination.Length / n;
        var lognormal = Distribution == ReturnDistribution.Lognormal;
        for (var t = 0; t < steps; t++)
        {
            for (var j = 0; j < n; j++) z[j] = rng.NextGaussian();
            var row = destination.Slice(t * n, n);
            for (var i = 0; i < n; i++)
            {
                var v = _mean[i];
                for (var j = 0; j <= i; j++) v += _cholesky[i * n + j] * z[j];
                row[i] = lognormal ? Math.Exp(v) - 1 : v;
            }
        }
    }
}
