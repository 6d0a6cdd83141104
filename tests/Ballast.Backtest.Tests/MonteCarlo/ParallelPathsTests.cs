using Ballast.Backtest.MonteCarlo;
using Ballast.Input;

namespace Ballast.Backtest.Tests.MonteCarlo;

public sealed class ParallelPathsTests
{
    [Fact]
    public void Every_path_runs_once_and_each_worker_makes_its_state_once()
    {
        const int paths = 5_003;
        var created = 0;
        var seen = new int[paths];
        var merged = 0L;
        ParallelPaths.Run(
            paths,
            () =>
            {
                Interlocked.Increment(ref created);
                return new long[1];
            },
            (i, counter) =>
            {
                Interlocked.Increment(ref seen[i]);
                counter[0]++;
                // Enough work per path that both workers get paths.
                Thread.SpinWait(200);
            },
            counter => merged += counter[0],
            maxDegreeOfParallelism: 2);

        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.Equal(paths, merged);
        Assert.InRange(created, 1, 2);
    }

    [Fact]
    public void A_path_that_throws_stops_the_run_with_its_own_exception_and_merges_nothing()
    {
        var merges = 0;
        var e = Assert.Throws<InputException>(() => ParallelPaths.Run(
            10_000,
            () => 0,
            (i, _) =>
            {
                if (i == 1_234) throw new InputException(new InputProblem("path 1234 is bad", Field: "prices"));
            },
            _ => merges++,
            maxDegreeOfParallelism: 2));

        Assert.Contains("path 1234 is bad", e.Message);
        Assert.Equal(0, merges);
    }

    [Fact]
    public void No_paths_make_no_workers()
    {
        var created = 0;
        ParallelPaths.Run(0, () => created++, (_, _) => { }, _ => { });
        Assert.Equal(0, created);
    }
}
