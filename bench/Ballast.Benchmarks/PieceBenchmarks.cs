using BenchmarkDotNet.Attributes;
using Ballast.Drift;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Benchmarks;

/// <summary>The parts of a 10-asset plan, to see where its time goes.</summary>
[MemoryDiagnoser]
public class PieceBenchmarks
{
    private Portfolio _p = null!;
    private Book _book = null!;
    private decimal[] _deltas = null!;

    [GlobalSetup]
    public void Setup()
    {
        _p = PlanBenchmarks.TenAssets(1, new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)));
        _book = Book.From(_p);
        var baseValue = _book.Invested + _book.Cash;
        _deltas = new decimal[_book.Count];
        for (var i = 0; i < _book.Count; i++) _deltas[i] = _book.Targets[i] * baseValue - _book.Values[i];
    }

    [Benchmark] public object BookFrom() => Book.From(_p);
    [Benchmark] public DriftReport EvaluateOnBook() => DriftEvaluator.Evaluate(_p, _p.Policy, _book);
    [Benchmark] public object ExecutionRun() => Execution.Run(_book, _deltas, _book.Cash, 0, _p.Execution, false, []);
}
