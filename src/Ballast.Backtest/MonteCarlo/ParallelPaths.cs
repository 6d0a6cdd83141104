namespace Ballast.Backtest.MonteCarlo;

/// <summary>Runs a per-path callback over many paths on all cores with per-thread state.</summary>
public static class ParallelPaths
{
    /// <summary>
    /// Calls <paramref name="runPath"/>(pathIndex, state) for every index in [0, <paramref name="pathCount"/>),
    /// in parallel. Each worker gets its own state from <paramref name="createState"/> (put path buffers and
    /// accumulators there, so nothing is allocated per path); when a worker finishes, its state is passed
    /// to <paramref name="merge"/>, one at a time under a lock. Paths seeded from their index give the same
    /// results whatever the thread count; exact merges (histogram counts) are then identical too.
    /// </summary>
    /// <param name="maxDegreeOfParallelism">Worker cap; null uses every core.</param>
    public static void Run<TState>(long pathCount, Func<TState> createState, Action<long, TState> runPath, Action<TState> merge, int? maxDegreeOfParallelism = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pathCount);
        ArgumentNullException.ThrowIfNull(createState);
        ArgumentNullException.ThrowIfNull(runPath);
        ArgumentNullException.ThrowIfNull(merge);
        if (maxDegreeOfParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be at least 1");
        var gate = new object();
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? -1 };
        Parallel.For(
            0L,
            pathCount,
            options,
            createState,
            (i, _, state) =>
            {
                runPath(i, state);
                return state;
            },
            state =>
            {
                lock (gate) merge(state);
            });
    }
}
