using System.Diagnostics;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Drift;

namespace Ballast.Benchmarks;

/// <summary>
/// <c>quick</c>: the fastest of many short batches per case. On a busy machine the minimum filters out time lost to
/// other processes, which makes it useful for comparing two versions of the code; the published figures come from
/// the BenchmarkDotNet runs.
/// </summary>
internal static class Quick
{
    public static void Run(string? only = null)
    {
        var p = PlanBenchmarks.TenAssets(1, new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)));
        var pieces = new Pieces(p);
        var force = new PlanRequest { ForceRebalance = true };
        if (only == "exec")
        {
            var sw2 = Stopwatch.StartNew();
            while (sw2.Elapsed.TotalSeconds < 8) pieces.Execute();
            return;
        }
        if (only == "backtest")
        {
            var b = new BacktestBenchmarks();
            b.Setup();
            Measure("Backtest daily threshold", () => b.Backtest_Daily20y10Assets_DailyThreshold(), batch: 20, rounds: 30);
            Measure("Backtest quarterly", () => b.Backtest_Daily20y10Assets_Quarterly(), batch: 20, rounds: 30);
            for (var round = 0; round < 3; round++)
            {
                var sw3 = Stopwatch.StartNew();
                b.Backtest_MonteCarlo10000Paths30y10Assets6Policies();
                Console.WriteLine($"Monte Carlo 10,000 paths: {sw3.Elapsed.TotalSeconds:F2} s");
            }
            return;
        }
        if (only == "mc-policies")
        {
            var b = new BacktestBenchmarks();
            b.Setup();
            b.PerPolicy(Environment.GetEnvironmentVariable("BALLAST_POLICY"));
            return;
        }
        if (only == "plan")
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < 8) Planner.Create(p, force);
            return;
        }
        Measure("Book.Fill", () => pieces.FillBook());
        Measure("Evaluate(book)", () => pieces.Evaluate());
        Measure("Execution.Run", () => pieces.Execute());
        var doublePlan = pieces.DoublePlan();
        Measure("Plan10 in double", () => doublePlan());
        var mcLike = PlanBenchmarks.TenAssets(1, new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)), unitPrices: true);
        var mcPlan = new Pieces(mcLike).DoublePlan();
        Measure("Plan10 double, ~1.0 prices", () => mcPlan());
        var many = Enumerable.Range(0, 1000).Select(i => new Pieces(PlanBenchmarks.TenAssets(i, p.Policy, unitPrices: true)).DoublePlan()).ToArray();
        var k = 0;
        Measure("Plan10 double, 1000 books", () => many[k++ % 1000]());
        var one = new PlanWorkspace<double>();
        var sharing = Enumerable.Range(0, 1000).Select(i => new Pieces(PlanBenchmarks.TenAssets(i, p.Policy, unitPrices: true)).DoublePlan(one)).ToArray();
        Measure("Plan10 double, 1 workspace", () => sharing[k++ % 1000]());
        Measure("Check10", () => DriftEvaluator.Evaluate(p));
        Measure("Plan10", () => Planner.Create(p, force));
        var free = p with { Execution = p.Execution with { Costs = CostModel.None } };
        Measure("Plan10 no costs", () => Planner.Create(free, force));
    }

    private static void Measure(string name, Func<object> action, int batch = 2_000, int rounds = 200)
    {
        for (var i = 0; i < batch * 5; i++) action();
        var best = double.MaxValue;
        var sw = new Stopwatch();
        for (var round = 0; round < rounds; round++)
        {
            sw.Restart();
            for (var i = 0; i < batch; i++) action();
            sw.Stop();
            best = Math.Min(best, sw.Elapsed.TotalNanoseconds / batch);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < batch; i++) action();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / batch;
        Console.WriteLine($"{name,-24} {best,12:N0} ns {bytes,10:N0} B");
    }
}
