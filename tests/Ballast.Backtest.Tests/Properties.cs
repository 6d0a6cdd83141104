using System.Globalization;
using System.Text;
using Ballast.Backtest.Data;
using Ballast.Backtest.MonteCarlo;
using Ballast.Backtest.Statistics;
using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Backtest.Tests;

/// <summary>Invariants checked on generated inputs.</summary>
public sealed class Properties
{
    // Positive prices from 0.001 to 1,000 with three decimals.
    private static readonly Gen<double> Price = Gen.Choose(1, 1_000_000).Select(i => i / 1000.0);

    [Fact]
    public void Drawdown_SeriesIsBetweenMinusOneAndZero_AndMaxIsItsMinimum()
    {
        Prop.ForAll(Gen.NonEmptyListOf(Price).Select(l => l.ToArray()).ToArbitrary(), values =>
        {
            var series = Performance.DrawdownSeries(values);
            var max = Performance.MaxDrawdown(values);
            return series.All(d => d > -1 && d <= 0)
                && series[0] == 0
                && max.Depth == series.Min()
                && max.PeakIndex <= max.TroughIndex;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void PriceCsv_WrittenTableParsesBackIdentically()
    {
        var cell = Gen.Frequency((4, Price), (1, Gen.Constant(double.NaN)));
        var table = Gen.Choose(1, 4).SelectMany(cols => Gen.Choose(1, 30).SelectMany(rows =>
            Gen.ArrayOf(cell, rows * cols).Select(cells => (cols, rows, cells))));
        Prop.ForAll(table.ToArbitrary(), t =>
        {
            var sb = new StringBuilder("date");
            for (var c = 0; c < t.cols; c++) sb.Append(",T").Append(c);
            sb.Append('\n');
            var start = new DateOnly(2001, 1, 1);
            for (var r = 0; r < t.rows; r++)
            {
                sb.Append(start.AddDays(r * 3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                for (var c = 0; c < t.cols; c++)
                {
                    var v = t.cells[r * t.cols + c];
                    sb.Append(',').Append(double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append('\n');
            }

            var parsed = PriceCsv.ParseWide(sb.ToString(), "generated.csv");

            var same = parsed.Count == t.rows && parsed.Tickers.Count == t.cols;
            for (var r = 0; same && r < t.rows; r++)
            {
                for (var c = 0; c < t.cols; c++)
                {
                    same &= parsed.Close(r, "T" + c).Equals(t.cells[r * t.cols + c]); // Equals treats NaN as equal to NaN
                }
            }
            return same;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void LogHistogram_AnyQuantileOfPositiveDataIsWithinTheStatedError()
    {
        var data = Gen.NonEmptyListOf(Price).Select(l => l.ToArray());
        var q = Gen.Choose(0, 100).Select(i => i / 100.0);
        Prop.ForAll(data.ToArbitrary(), q.ToArbitrary(), (values, quantile) =>
        {
            var sketch = new LogHistogramQuantiles(resolution: 0.01);
            foreach (var v in values) sketch.Add(v);
            var sorted = values.Order().ToArray();
            var exact = sorted[Math.Max(1, (int)Math.Ceiling(quantile * sorted.Length)) - 1];
            return Math.Abs(sketch.Quantile(quantile) / exact - 1) <= sketch.MaxRelativeError + 1e-12;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Bootstrap_EveryGeneratedRowIsAHistoricalRow()
    {
        var history = new ReturnMatrix(["A", "B", "C"], Enumerable.Range(0, 36).Select(i => (i % 7 - 3) / 100.0 + i / 1000.0).ToArray());
        var rows = Enumerable.Range(0, history.Periods).Select(p => string.Join(",", history.Row(p).ToArray())).ToHashSet();
        var args = Gen.Choose(1, history.Periods).SelectMany(l => Gen.Choose(0, 1_000_000).Select(i => (Block: l, Path: i)));
        Prop.ForAll(args.ToArbitrary(), a =>
        {
            var gen = new BlockBootstrap(history, a.Block, seed: 99, a.Block % 2 == 0 ? BlockScheme.Circular : BlockScheme.Stationary);
            var path = new double[3 * 40];
            gen.Generate(a.Path, path);
            return Enumerable.Range(0, 40).All(t => rows.Contains(string.Join(",", path.AsSpan(3 * t, 3).ToArray())));
        }).QuickCheckThrowOnFailure();
    }
}
