using System.Runtime.ExceptionServices;

namespace Ballast.Backtest.MonteCarlo;

/// <summary>Runs a per-path callback over many paths on all cores with per-thread state.</summary>
public static class ParallelPaths
{
    /// <summary>Paths a worker takes at a time: few enough that the workers finish together, enough that taking them costs nothing.</summary>
    private const int Chunk = 8;

    /// <summary>
    /// Calls <paramref name="runPath"/>(pathIndex, state) for every index in [0, <paramref name="pathCount"/>),
    /// in parallel. One worker per core (at most <paramref name="maxDegreeOfParallelism"/>, at most one per
    /// path) gets its own state from <paramref name="createState"/> once (put path buffers and accumulators
    /// there, so nothing is allocated per path) and takes paths a few at a time until none are left; then the
    /// states are passed to <paramref name="merge"/> one at a time, in worker order, on the calling thread. Paths seeded from their index
    /// give the same results whatever the thread count; exact merges (histogram counts) are then identical too.
    /// The first exception a path throws stops every worker at its next few paths and is rethrown as it was
    /// thrown (an <see cref="Ballast.Input.InputException"/> stays one); nothing is merged then.
    /// </summary>
    /// <param name="maxDegreeOfParallelism">Worker cap; null uses every core.</param>
    public static void Run<TState>(long pathCount, Func<TState> createState, Action<long, TState> runPath, Action<TState> merge, int? maxDegreeOfParallelism = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pathCount);
        ArgumentNullException.ThrowIfNull(createState);
        ArgumentNullException.ThrowIfNull(runPath);
        ArgumentNullException.ThrowIfNull(merge);
        if (maxDegreeOfParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be at least 1");
        if (pathCount == 0) return;
        var workers = (int)Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, (pathCount + Chunk - 1) / Chunk);
        long next = 0;
        ExceptionDispatchInfo? failure = null;
        var states = new TState[workers];

        void Work(int worker)
        {
            try
            {
                var state = createState();
                while (Volatile.Read(ref failure) is null)
                {
                    var start = Interlocked.Add(ref next, Chunk) - Chunk;
                    if (start >= pathCount) break;
                    var end = Math.Min(start + Chunk, pathCount);
                    for (var i = start; i < end; i++) runPath(i, state);
                }
                states[worker] = state;
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }

        // Dedicated threads: a worker runs until the paths are done, which pool threads should not be kept for.
        var others = new Thread[workers - 1];
        for (var k = 0; k < others.Length; k++)
        {
            var worker = k + 1;
            others[k] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"Ballast paths {worker}" };
            others[k].Start();
        }
        Work(0);
        foreach (var t in others) t.Join();
        failure?.Throw();
        foreach (var state in states) merge(state);
    }
}
