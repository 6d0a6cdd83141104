using Ballast.Input;

namespace Ballast.Backtest.Data;

/// <summary>
/// Closing prices (or total-return index levels) of several tickers on a shared calendar.
/// Dates are sorted, unique and ascending. A close is a positive finite <see cref="double"/> in the
/// series' own currency units per share (or index points); <see cref="double.NaN"/> marks a date on
/// which that ticker has no price (before its first trade, or a day its market was closed).
/// Immutable: <see cref="Select"/> returns a new table.
/// </summary>
public sealed class PriceTable
{
    private readonly DateOnly[] _dates;
    private readonly string[] _tickers;
    private readonly double[][] _closes; // one column per ticker, so a ticker's series is one span
    private readonly Dictionary<string, int> _index;

    /// <summary>
    /// Builds a table from columns the caller already validated. <paramref name="closes"/> has one array per
    /// ticker, each as long as <paramref name="dates"/>. Throws <see cref="ArgumentException"/> when the
    /// shape or the date order is wrong, or a close is not positive (NaN is allowed and means missing):
    /// those are programming errors; file loaders report bad input through <see cref="InputException"/>.
    /// </summary>
    /// <param name="source">Where the data came from (usually a file path); used in error messages.</param>
    public PriceTable(string source, IReadOnlyList<DateOnly> dates, IReadOnlyList<string> tickers, IReadOnlyList<double[]> closes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(tickers);
        ArgumentNullException.ThrowIfNull(closes);
        if (tickers.Count != closes.Count)
            throw new ArgumentException($"{tickers.Count} tickers but {closes.Count} close columns", nameof(closes));
        _dates = [.. dates];
        for (var i = 1; i < _dates.Length; i++)
        {
            if (_dates[i] <= _dates[i - 1])
                throw new ArgumentException($"dates must be strictly ascending; {_dates[i]:yyyy-MM-dd} follows {_dates[i - 1]:yyyy-MM-dd}", nameof(dates));
        }
        _tickers = [.. tickers];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _closes = new double[closes.Count][];
        for (var c = 0; c < _tickers.Length; c++)
        {
            if (!_index.TryAdd(_tickers[c], c))
                throw new ArgumentException($"ticker '{_tickers[c]}' appears twice", nameof(tickers));
            var column = closes[c];
            if (column.Length != _dates.Length)
                throw new ArgumentException($"column '{_tickers[c]}' has {column.Length} values for {_dates.Length} dates", nameof(closes));
            foreach (var v in column)
            {
                if (!double.IsNaN(v) && !(v > 0 && double.IsFinite(v)))
                    throw new ArgumentException($"column '{_tickers[c]}' holds {v}; closes must be positive and finite, or NaN for missing", nameof(closes));
            }
            _closes[c] = column;
        }
        Source = source;
    }

    /// <summary>Where the data came from (a file path or a description); used in error messages.</summary>
    public string Source { get; }

    /// <summary>The dates, strictly ascending.</summary>
    public IReadOnlyList<DateOnly> Dates => _dates;

    /// <summary>The tickers in column order, as spelled in the source (case-sensitive).</summary>
    public IReadOnlyList<string> Tickers => _tickers;

    /// <summary>Number of dates (rows).</summary>
    public int Count => _dates.Length;

    /// <summary>True when the table has a column for <paramref name="ticker"/> (case-sensitive).</summary>
    public bool Contains(string ticker) => _index.ContainsKey(ticker);

    /// <summary>
    /// The closes of <paramref name="ticker"/>, one per date; NaN where missing.
    /// Throws <see cref="KeyNotFoundException"/> for an unknown ticker.
    /// </summary>
    public ReadOnlySpan<double> Closes(string ticker) =>
        _index.TryGetValue(ticker, out var c) ? _closes[c] : throw new KeyNotFoundException($"no ticker '{ticker}' in {Source}");

    /// <summary>The close of <paramref name="ticker"/> on row <paramref name="row"/>; NaN where missing.</summary>
    public double Close(int row, string ticker) => Closes(ticker)[row];

    /// <summary>
    /// Keeps <paramref name="tickers"/> (in the order given) and the dates inside
    /// [<paramref name="start"/>, <paramref name="end"/>] (both inclusive, each optional) on which every chosen
    /// ticker has a price. The result therefore has no NaN. Reports, all at once, every requested ticker the
    /// table lacks, and an empty result, as <see cref="InputException"/> naming <see cref="Source"/>.
    /// </summary>
    public PriceTable Select(IReadOnlyList<string> tickers, DateOnly? start = null, DateOnly? end = null)
    {
        ArgumentNullException.ThrowIfNull(tickers);
        if (tickers.Count == 0) throw new ArgumentException("select at least one ticker", nameof(tickers));
        var problems = new List<InputProblem>();
        var columns = new List<double[]>(tickers.Count);
        foreach (var t in tickers)
        {
            if (_index.TryGetValue(t, out var c))
            {
                columns.Add(_closes[c]);
            }
            else
            {
                problems.Add(new InputProblem(
                    $"ticker '{t}' is not in the file; it has {string.Join(", ", _tickers)}", Source, 1, null, t));
            }
        }
        if (problems.Count > 0) throw new InputException(problems);
        if (start is { } s && end is { } e && e < s)
            throw new InputException(new InputProblem($"the end date {e:yyyy-MM-dd} is before the start date {s:yyyy-MM-dd}", Source, null, null, "date"));

        var rows = new List<int>();
        for (var r = 0; r < _dates.Length; r++)
        {
            if (start is { } s2 && _dates[r] < s2) continue;
            if (end is { } e2 && _dates[r] > e2) break;
            var all = true;
            foreach (var col in columns)
            {
                if (double.IsNaN(col[r])) { all = false; break; }
            }
            if (all) rows.Add(r);
        }
        if (rows.Count == 0)
        {
            var range = $"{(start is { } a ? a.ToString("yyyy-MM-dd") : "the first date")} to {(end is { } b ? b.ToString("yyyy-MM-dd") : "the last date")}";
            throw new InputException(new InputProblem(
                $"no date from {range} has prices for all of {string.Join(", ", tickers)}", Source, null, null, "date"));
        }

        var dates = new DateOnly[rows.Count];
        for (var i = 0; i < rows.Count; i++) dates[i] = _dates[rows[i]];
        var outCols = new double[columns.Count][];
        for (var c = 0; c < columns.Count; c++)
        {
            var src = columns[c];
            var dst = new double[rows.Count];
            for (var i = 0; i < rows.Count; i++) dst[i] = src[rows[i]];
            outCols[c] = dst;
        }
        return new PriceTable(Source, dates, [.. tickers], outCols);
    }
}
