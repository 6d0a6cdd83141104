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

    public DriftReport Evaluate() => DriftEvaluator.Evaluate(_p, _p.Policy, _w.Book, _w.Facts, _settings);

    public decimal Execute() => Execution.Run(_w, _deltas, _w.Book.Cash, 0, _settings, false, null).CashAfter;

    /// <summary>The same book in double, forced to rebalance: what a simulation's look costs.</summary>
    public Func<double> DoublePlan(PlanWorkspace<double>? shared = null)
    {
        var w = shared ?? new PlanWorkspace<double>();
        var b = _w.Book;
        var d = w.Book;
        d.EnsureCapacity(b.Count);
        w.EnsureCapacity(b.Count);
        d.Count = b.Count;
        for (var i = 0; i < b.Count; i++)
        {
            d.Tickers[i] = b.Tickers[i];
            d.Values[i] = (double)b.Values[i];
            d.Quantities[i] = (double)b.Quantities[i];
            d.HasQuantity[i] = b.HasQuantity[i];
            d.Prices[i] = (double)b.Prices[i];
            d.Targets[i] = (double)b.Targets[i];
            d.InTargets[i] = b.InTargets[i];
            d.Fractional[i] = b.Fractional[i];
        }
        d.Invested = (double)b.Invested;
        d.Cash = (double)b.Cash;
        var settings = new PlanSettings<double>(_p.Execution, _p.Policy, _p.Execution.CashFlowMethod);
        if (shared is null) return () => PlanCore<double>.Run(w, settings, new Decision(true, false, false), 0, 0, false, null, null).CashAfter;
        // A shared workspace gets this book's numbers copied in before each plan, as a simulation does.
        var values = d.Values.Take(d.Count).ToArray();
        var quantities = d.Quantities.Take(d.Count).ToArray();
        var prices = d.Prices.Take(d.Count).ToArray();
        var (invested, cash) = (d.Invested, d.Cash);
        return () =>
        {
            values.CopyTo(d.Values, 0);
            quantities.CopyTo(d.Quantities, 0);
            prices.CopyTo(d.Prices, 0);
            d.Invested = invested;
            d.Cash = cash;
            return PlanCore<double>.Run(w, settings, new Decision(true, false, false), 0, 0, false, null, null).CashAfter;
        };
    }
}
