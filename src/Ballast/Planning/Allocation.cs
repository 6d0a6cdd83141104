using System.Numerics;

namespace Ballast.Planning;

/// <summary>
/// Splitting an amount of money over assets. These are the shared pieces of cash-flow plans (deposits,
/// withdrawals) and of the inner-rail rebalance. In <see cref="decimal"/> they are exact; the same code runs in
/// <see cref="double"/> for simulation.
/// </summary>
internal static class Allocation
{
    /// <summary>
    /// Splits <paramref name="amount"/> in proportion to <paramref name="weights"/>, never giving an asset more than
    /// its <paramref name="caps"/>; what a capped asset would have got goes to the others in the same proportions
    /// (water-filling). Assets with weight 0 get nothing. Writes the allocation to <paramref name="result"/>; its sum
    /// is min(amount, Σcaps). <paramref name="result"/> may not overlap the inputs.
    /// </summary>
    public static void Proportional<T>(T amount, ReadOnlySpan<T> weights, ReadOnlySpan<T> caps, Span<T> result)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var n = weights.Length;
        result.Clear();
        if (amount <= T.Zero) return;
        // The assets still sharing, in asset order: those with a weight and room below their cap, less those capped so far.
        Span<int> sharing = n <= 128 ? stackalloc int[n] : new int[n];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            sharing[count] = i;
            count += weights[i] > T.Zero & caps[i] > T.Zero ? 1 : 0;
        }
        var remaining = amount;
        // Every pass either caps at least one asset or shares out the rest, so at most n + 1 passes.
        // Capping all assets whose share reaches the cap in one pass cannot overshoot: their caps sum
        // to no more than their shares, which sum to no more than what remains.
        while (remaining > T.Zero)
        {
            var weightSum = T.Zero;
            for (var k = 0; k < count; k++) weightSum += weights[sharing[k]];
            if (weightSum <= T.Zero) break;

            var pool = remaining;
            var kept = 0;
            for (var k = 0; k < count; k++)
            {
                var i = sharing[k];
                if (pool * weights[i] / weightSum < caps[i])
                {
                    sharing[kept++] = i;
                    continue;
                }
                result[i] = caps[i];
                remaining -= caps[i];
            }
            if (kept < count)
            {
                count = kept;
                continue;
            }
            for (var k = 0; k < count; k++)
            {
                var i = sharing[k];
                result[i] = remaining * weights[i] / weightSum;
            }
            break;
        }
    }

    /// <summary>
    /// Equalizing (minimax) split: raises the assets with the largest relative gap first, so that every asset
    /// that receives money ends with the same relative gap L, and no asset with a smaller gap receives any.
    /// gap_i = gaps[i] / scale[i]; an asset receives max(0, gaps[i] − L × scale[i]). Writes the allocation to
    /// <paramref name="result"/>, which may not overlap the inputs.
    /// </summary>
    public static void Equalize<T>(T amount, ReadOnlySpan<T> gaps, ReadOnlySpan<T> scale, Span<T> result)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var n = gaps.Length;
        result.Clear();
        if (amount <= T.Zero) return;
        var totalGap = T.Zero;
        for (var i = 0; i < n; i++)
            if (gaps[i] > T.Zero) totalGap += gaps[i];
        if (amount >= totalGap)
        {
            for (var i = 0; i < n; i++) result[i] = T.Max(T.Zero, gaps[i]);
            return;
        }
        // Candidates sorted by relative gap, largest first (ties keep asset order). Assets with no scale
        // (a zero target) are infinitely far relatively and come first.
        Span<int> order = n <= 128 ? stackalloc int[n] : new int[n];
        Span<T> rel = n <= 64 ? stackalloc T[n] : new T[n];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (gaps[i] <= T.Zero) continue;
            rel[i] = scale[i] > T.Zero ? gaps[i] / scale[i] : T.MaxValue;
            // Insertion sort: tens of assets at most.
            var j = count++;
            while (j > 0 && rel[order[j - 1]] < rel[i])
            {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }

        // Assets with infinite relative gap take money first, in full, in order.
        var k = 0;
        var left = amount;
        while (k < count && rel[order[k]] == T.MaxValue)
        {
            var i = order[k];
            var take = T.Min(left, gaps[i]);
            result[i] = take;
            left -= take;
            k++;
            if (left <= T.Zero) return;
        }
        // With the set S = order[k..j], the level L solves Σ_S (gap_i − L × scale_i) = left.
        T gapSum = T.Zero, scaleSum = T.Zero;
        var start = k;
        for (var j = start; j < count; j++)
        {
            var i = order[j];
            gapSum += gaps[i];
            scaleSum += scale[i];
            var level = (gapSum - left) / scaleSum;
            var nextRel = j + 1 < count ? rel[order[j + 1]] : T.Zero;
            if (level >= nextRel)
            {
                for (var m = start; m <= j; m++)
                {
                    var a = order[m];
                    result[a] = T.Max(T.Zero, gaps[a] - level * scale[a]);
                }
                return;
            }
        }
    }
}
