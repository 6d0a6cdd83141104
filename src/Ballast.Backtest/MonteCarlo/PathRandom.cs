using System.Numerics;

namespace Ballast.Backtest.MonteCarlo;

/// <summary>
/// A small, allocation-free random source (xoshiro256**) for one path, seeded from (run seed, path index)
/// so every path is the same whatever thread or order it runs in. A mutable struct: keep it in a local
/// and pass it by <c>ref</c>.
/// </summary>
public struct PathRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>The generator for path <paramref name="pathIndex"/> (≥ 0) of the run seeded with <paramref name="seed"/>.</summary>
    public static PathRandom ForPath(ulong seed, long pathIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pathIndex);
        // Mixing the index through SplitMix64 before combining keeps neighbouring paths' streams unrelated.
        var x = seed ^ SplitMix64((ulong)pathIndex + 0x632BE59BD9B4E019UL);
        var r = new PathRandom
        {
            _s0 = SplitMix64(ref x),
            _s1 = SplitMix64(ref x),
            _s2 = SplitMix64(ref x),
            _s3 = SplitMix64(ref x),
        };
        return r;
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Lemire's multiply-shift with rejection.
        var range = (ulong)maxExclusive;
        var m = (UInt128)NextUInt64() * range;
        if ((ulong)m < range)
        {
            var threshold = (0 - range) % range;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * range;
        }
        return (int)(m >> 64);
    }

    /// <summary>Standard normal variate (Marsaglia polar method; the second value of each pair is cached).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpare = true;
        return u * f;
    }

    private static ulong SplitMix64(ulong x)
    {
        var z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
