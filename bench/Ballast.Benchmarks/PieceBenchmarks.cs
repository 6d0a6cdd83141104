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
    private Pieces _pieces = null!;

    [GlobalSetup]
    public void Setup() => _pieces = new Pieces(PlanBenchmarks.TenAssets(1, new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m))));

    [Benchmark] public int BookFill() => _pieces.FillBook();
    [Benchmark] public DriftReport EvaluateOnBook() => _pieces.Evaluate();
    [Benchmark] public decimal ExecutionRun() => _pieces.Execute();
}

/// <summary>A 10-asset portfolio's book with the deltas of a full rebalance, for timing the plan's stages alone.</summary>
internal sealed class Pieces
{
    private readonly Portfolio _p;
    private readonly PlanWorkspace<decimal> _w = new();
    private readonly decimal[] _deltas;
    private readonly PlanSettings<decimal> _settings;

    public Pieces(Portfolio p)
    {
        _p = p;
        Book.Fill(_w.Book, p);
        _w.EnsureCapacity(_w.Book.Count);
        var book = _w.Book;
        var baseValue = book.Invested + book.Cash;
        _deltas = new decimal[book.Count];
        for (var i = 0; i < book.Count; i++) _deltas[i] = book.Targets[i] * baseValue - book.Values[i];
        _settings = new PlanSettings<decimal>(p.Execution, p.Policy, p.Execution.CashFlowMethod);
    }

    public int FillBook()
    {
        Book.Fill(_w.Book, _p);
        return _w.Book.Count;
    }

    public DriftReport Evaluate() => DriftEvaluator.Evaluate(_p, _p.Policy, _w.Book);

    public decimal Execute() => Execution.Run(_w, _deltas, _w.Book.Cash, 0, _settings, false, null).CashAfter;
}
