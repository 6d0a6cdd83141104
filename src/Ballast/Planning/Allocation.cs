namespace Ballast.Planning;

/// <summary>
/// Splitting an amount of money over assets, in exact decimal arithmetic. These are the shared pieces of
/// cash-flow plans (deposits, withdrawals) and of the inner-rail rebalance.
/// </summary>
internal static class Allocation
{
    /// <summary>
    /// Splits <paramref name="amount"/> in proportion to <paramref name="weights"/>, never giving an asset more than
    /// its <paramref name="caps"/>; what a capped asset would have got goes to the others in the same proportions
    /// (water-filling). Assets with weight 0 get nothing. Returns the allocation; its sum is min(amount, Σcaps).
    /// </summary>
    public static decimal[] Proportional(decimal amount, ReadOnlySpan<decimal> weights, ReadOnlySpan<decimal> caps)
    {
        var n = weights.Length;
        var result = new decimal[n];
        if (amount <= 0) return result;
        Span<bool> done = n <= 128 ? stackalloc bool[n] : new bool[n];
        for (var i = 0; i < n; i++) done[i] = weights[i] <= 0 || caps[i] <= 0;
        var remaining = amount;
        // Every pass either caps at least one asset or shares out the rest, so at most n + 1 passes.
        // Capping all assets whose share reaches the cap in one pass cannot overshoot: their caps sum
        // to no more than their shares, which sum to no more than what remains.
        while (remaining > 0)
        {
            decimal weightSum = 0;
            for (var i = 0; i < n; i++)
                if (!done[i]) weightSum += weights[i];
            if (weightSum <= 0) break;

            var anyCapped = false;
            var pool = remaining;
            for (var i = 0; i < n; i++)
            {
                if (done[i] || pool * weights[i] / weightSum < caps[i]) continue;
                result[i] = caps[i];
                remaining -= caps[i];
                done[i] = true;
                anyCapped = true;
            }
            if (anyCapped) continue;
            for (var i = 0; i < n; i++)
                if (!done[i]) result[i] = remaining * weights[i] / weightSum;
            break;
        }
        return result;
    }

    /// <summary>
    /// Equalizing (minimax) split: raises the assets with the largest relative gap first, so that every asset
    /// that receives money ends with the same relative gap L, and no asset with a smaller gap receives any.
    /// gap_i = gaps[i] / scale[i]; an asset receives max(0, gaps[i] − L × scale[i]). Returns the allocation.
    /// </summary>
    public static decimal[] Equalize(decimal amount, ReadOnlySpan<decimal> gaps, ReadOnlySpan<decimal> scale)
    {
        var n = gaps.Length;
        var result = new decimal[n];
        if (amount <= 0) return result;
        decimal totalGap = 0;
        for (var i = 0; i < n; i++)
            if (gaps[i] > 0) totalGap += gaps[i];
        if (amount >= totalGap)
        {
            for (var i = 0; i < n; i++) result[i] = Math.Max(0, gaps[i]);
            return result;
        }
        // Candidates sorted by relative gap, largest first. Assets with no scale (a zero target) are
        // infinitely far relatively and come first.
        var order = new int[n];
        var rel = new decimal[n];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (gaps[i] <= 0) continue;
            rel[i] = scale[i] > 0 ? gaps[i] / scale[i] : decimal.MaxValue;
            order[count++] = i;
        }
        Array.Sort(order, 0, count, Comparer<int>.Create((a, b) => rel[b].CompareTo(rel[a])));

        // Assets with infinite relative gap take money first, in full, in order.
        var k = 0;
        var left = amount;
        while (k < count && rel[order[k]] == decimal.MaxValue)
        {
            var i = order[k];
            var take = Math.Min(left, gaps[i]);
            result[i] = take;
            left -= take;
            k++;
            if (left <= 0) return result;
        }
        // With the set S = order[k..j], the level L solves Σ_S (gap_i − L × scale_i) = left.
        decimal gapSum = 0, scaleSum = 0;
        var start = k;
        for (var j = start; j < count; j++)
        {
            var i = order[j];
            gapSum += gaps[i];
            scaleSum += scale[i];
            var level = (gapSum - left) / scaleSum;
            var nextRel = j + 1 < count ? rel[order[j + 1]] : 0m;
            if (level >= nextRel)
            {
                for (var m = start; m <= j; m++)
                {
                    var a = order[m];
                    result[a] = Math.Max(0, gaps[a] - level * scale[a]);
                }
                return result;
            }
        }
        return result;
    }
}
