using System.Globalization;
using Ballast.Input;

namespace Ballast.Backtest.Data;

/// <summary>
/// Loads <see cref="PriceTable"/>s from CSV: UTF-8, comma separated, no quoting, one header row whose
/// first cell is <c>date</c>, ISO dates (<c>yyyy-MM-dd</c>), <c>\n</c> or <c>\r\n</c> line endings.
/// An empty cell means "no price that day". Every problem in a file is collected (up to
/// <see cref="MaxProblems"/>) and thrown together as one <see cref="InputException"/>; each names the file,
/// the 1-based line and column, and the field (the column header). Closes must lie within <see cref="Limits.Price"/>
/// (1e-8 to 1e9) and dates within <see cref="Limits.FirstDate"/>..<see cref="Limits.LastDate"/>; a file may be at most
/// <see cref="Limits.MaxPriceFileBytes"/> long, with at most <see cref="Limits.MaxPriceColumns"/> price columns,
/// <see cref="Limits.MaxPriceRows"/> rows and <see cref="Limits.MaxPriceCells"/> cells.
/// </summary>
/// <remarks>
/// The parser walks the text with spans and parses numbers with <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/>
/// under the invariant culture, because the 2 MB daily file is loaded by every backtest and test run.
/// </remarks>
public static class PriceCsv
{
    /// <summary>Problems reported per file before the loader stops looking; keeps a garbage file from flooding the user.</summary>
    public const int MaxProblems = 100;

    /// <summary>
    /// Loads a wide file <c>date,T1,T2,...</c> with one column of closes per ticker, such as
    /// <c>etf_adj_close_wide.csv</c>. Cells may be empty (no price that day).
    /// </summary>
    public static PriceTable LoadWide(string path) => ParseWide(ReadFile(path), path);

    /// <summary>Parses wide CSV text (see <see cref="LoadWide"/>); <paramref name="source"/> names it in problems.</summary>
    public static PriceTable ParseWide(string text, string source) => Parse(text, source, monthly: false, everyCell: false);

    /// <summary>
    /// Loads a monthly total-return index file <c>date,S1,S2,...</c> such as
    /// <c>examples/data/us_stocks_bonds_monthly.csv</c>. Beyond the wide-file rules, every date must be the
    /// 1st of a month, months must be consecutive (no gaps), and no cell may be empty: an index with a hole
    /// cannot be chained into returns.
    /// </summary>
    public static PriceTable LoadMonthlyIndex(string path) => ParseMonthlyIndex(ReadFile(path), path);

    /// <summary>Parses monthly index CSV text (see <see cref="LoadMonthlyIndex"/>).</summary>
    public static PriceTable ParseMonthlyIndex(string text, string source) => Parse(text, source, monthly: true, everyCell: true);

    /// <summary>
    /// Loads one per-ticker file with two columns, <c>date,close</c> (the second header may have any name),
    /// as a one-column table named <paramref name="ticker"/>. Every row must give a close.
    /// </summary>
    public static PriceTable LoadTickerFile(string path, string ticker) => ParseTickerFile(ReadFile(path), path, ticker);

    /// <summary>Parses per-ticker CSV text (see <see cref="LoadTickerFile"/>).</summary>
    public static PriceTable ParseTickerFile(string text, string source, string ticker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ticker);
        var table = Parse(text, source, monthly: false, everyCell: true);
        if (table.Tickers.Count != 1)
        {
            throw new InputException(new InputProblem(
                $"a per-ticker file has exactly two columns, date and close; this one has {table.Tickers.Count + 1}", source, 1, null, null));
        }
        return new PriceTable(source, table.Dates, [ticker], [table.Closes(table.Tickers[0]).ToArray()]);
    }

    /// <summary>
    /// Loads <c>{directory}/{TICKER}.csv</c> for each ticker and joins them on the union of their dates
    /// (NaN where a ticker has no row). A missing file is reported as a problem naming that path and ticker;
    /// problems from all files are thrown together.
    /// </summary>
    public static PriceTable LoadTickerDirectory(string directory, IReadOnlyList<string> tickers)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(tickers);
        var files = new List<(string Ticker, string Path)>(tickers.Count);
        foreach (var t in tickers) files.Add((t, Path.Combine(directory, t + ".csv")));
        return LoadTickerFiles(files);
    }

    /// <summary>
    /// Loads several per-ticker files and joins them on the union of their dates (NaN where a ticker has no
    /// row). Problems from every file are thrown together.
    /// </summary>
    public static PriceTable LoadTickerFiles(IReadOnlyList<(string Ticker, string Path)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("give at least one file", nameof(files));
        var problems = new List<InputProblem>();
        var tables = new List<PriceTable>(files.Count);
        foreach (var (ticker, path) in files)
        {
            try
            {
                tables.Add(LoadTickerFile(path, ticker));
            }
            catch (InputException ex)
            {
                foreach (var p in ex.Problems) problems.Add(p with { Field = p.Field ?? ticker });
            }
        }
        if (problems.Count > 0) throw new InputException(problems);
        return Join(tables, files.Count == 1 ? files[0].Path : Path.GetDirectoryName(files[0].Path) ?? files[0].Path);
    }

    private static PriceTable Join(List<PriceTable> tables, string source)
    {
        var all = new SortedSet<DateOnly>();
        foreach (var t in tables) all.UnionWith(t.Dates);
        var dates = all.ToArray();
        var columns = new double[tables.Count][];
        var tickers = new string[tables.Count];
        for (var c = 0; c < tables.Count; c++)
        {
            var t = tables[c];
            var col = new double[dates.Length];
            Array.Fill(col, double.NaN);
            var src = t.Closes(t.Tickers[0]);
            var j = 0;
            for (var i = 0; i < t.Count; i++)
            {
                // Both date lists are ascending, so a merge walk finds each row without a lookup table.
                while (dates[j] < t.Dates[i]) j++;
                col[j] = src[i];
            }
            columns[c] = col;
            tickers[c] = t.Tickers[0];
        }
        return new PriceTable(source, dates, tickers, columns);
    }

    private static string ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > Limits.MaxPriceFileBytes)
                throw new InputException(new InputProblem($"the file is larger than {Limits.MaxPriceFileBytes / (1024 * 1024)} MiB, the most Ballast reads", path));
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(new InputProblem("the file does not exist", path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputProblem($"the file cannot be read: {ex.Message}", path));
        }
    }

    private static PriceTable Parse(string text, string source, bool monthly, bool everyCell)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var problems = new List<InputProblem>();
        var reader = new LineReader(text);

        if (!reader.Next(out var headerLine, out _))
        {
            throw new InputException(new InputProblem("the file is empty; expected a header row starting with 'date'", source, 1, 1, "date"));
        }
        var header = SplitHeader(headerLine);
        if (!header[0].Equals("date", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException(new InputProblem(
                $"the first column must be 'date', found '{header[0]}'", source, 1, 1, "date"));
        }
        var tickers = new string[header.Length - 1];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 1; c < header.Length; c++)
        {
            var name = header[c];
            if (name.Length == 0)
                problems.Add(new InputProblem($"column {c + 1} has an empty header", source, 1, null, null));
            else if (!seen.Add(name))
                problems.Add(new InputProblem($"column '{name}' appears twice in the header", source, 1, null, name));
            tickers[c - 1] = name;
        }
        if (tickers.Length == 0)
            problems.Add(new InputProblem("the header has only a date column; expected at least one price column", source, 1, null, "date"));
        if (tickers.Length > Limits.MaxPriceColumns)
            throw new InputException(new InputProblem(
                $"the header has {tickers.Length:#,0} price columns; Ballast reads at most {Limits.MaxPriceColumns:#,0}", source, 1, null, null));
        var maxRows = Math.Min(Limits.MaxPriceRows, Limits.MaxPriceCells / Math.Max(1, tickers.Length));
        if (problems.Count > 0) throw new InputException(problems);

        var dates = new List<DateOnly>(Math.Min(maxRows, text.Length / Math.Max(16, 12 * header.Length)));
        var columns = new List<double>[tickers.Length];
        for (var c = 0; c < columns.Length; c++) columns[c] = new List<double>(dates.Capacity);
        var dateLine = new Dictionary<DateOnly, int>();
        var rowValues = new double[columns.Length];

        while (reader.Next(out var line, out var lineNo) && problems.Count < MaxProblems)
        {
            if (line.IsWhiteSpace()) continue;
            if (dates.Count >= maxRows)
            {
                problems.Add(new InputProblem(maxRows == Limits.MaxPriceRows
                    ? $"the file has more than {Limits.MaxPriceRows:#,0} rows, the most Ballast reads"
                    : $"the file has more than {maxRows:#,0} rows of {tickers.Length:#,0} prices; Ballast reads at most {Limits.MaxPriceCells:#,0} prices",
                    source, lineNo, null, null));
                break;
            }
            var col = 0;
            var pos = 0;
            var rowDate = default(DateOnly);
            var dateOk = false;
            var rest = line;
            while (true)
            {
                var comma = rest.IndexOf(',');
                var cell = comma < 0 ? rest : rest[..comma];
                var column = pos + 1;
                if (col == 0)
                {
                    dateOk = ParseDate(cell, out rowDate);
                    if (!dateOk)
                        problems.Add(new InputProblem($"'{cell.ToString()}' is not a date; expected yyyy-MM-dd", source, lineNo, column, "date"));
                    else if (!Limits.CheckDate(rowDate, out var dateError))
                    {
                        dateOk = false;
                        problems.Add(new InputProblem(dateError!, source, lineNo, column, "date"));
                    }
                    else if (monthly && rowDate.Day != 1)
                        problems.Add(new InputProblem($"{rowDate:yyyy-MM-dd} is not the 1st of a month; monthly files date each month by its 1st", source, lineNo, column, "date"));
                }
                else if (col <= columns.Length)
                {
                    rowValues[col - 1] = ParseClose(cell, source, lineNo, column, tickers[col - 1], monthly, everyCell, problems);
                }
                col++;
                if (comma < 0) break;
                pos += comma + 1;
                rest = rest[(comma + 1)..];
            }
            if (col != header.Length)
            {
                problems.Add(new InputProblem($"the row has {col} cells but the header has {header.Length}", source, lineNo, null, null));
                continue;
            }
            if (!dateOk || (monthly && rowDate.Day != 1)) continue;

            if (dateLine.TryGetValue(rowDate, out var firstLine))
            {
                problems.Add(new InputProblem($"{rowDate:yyyy-MM-dd} appears twice (first on line {firstLine})", source, lineNo, 1, "date"));
                continue;
            }
            dateLine.Add(rowDate, lineNo);
            if (dates.Count > 0)
            {
                var prev = dates[^1];
                if (rowDate < prev)
                {
                    problems.Add(new InputProblem($"{rowDate:yyyy-MM-dd} comes after {prev:yyyy-MM-dd}; dates must be in ascending order", source, lineNo, 1, "date"));
                    continue;
                }
                if (monthly && prev.AddMonths(1) != rowDate)
                {
                    problems.Add(new InputProblem($"{rowDate:yyyy-MM-dd} follows {prev:yyyy-MM-dd}; a monthly index must not skip months", source, lineNo, 1, "date"));
                }
            }
            dates.Add(rowDate);
            for (var c = 0; c < columns.Length; c++) columns[c].Add(rowValues[c]);
        }

        if (problems.Count >= MaxProblems)
            problems.Add(new InputProblem($"stopped reading after {MaxProblems} problems; fix these and load again", source, null, null, null));
        if (problems.Count == 0 && dates.Count == 0)
            problems.Add(new InputProblem("the file has a header but no data rows", source, 2, null, "date"));
        if (problems.Count > 0) throw new InputException(problems);

        var arrays = new double[columns.Length][];
        for (var c = 0; c < columns.Length; c++) arrays[c] = [.. columns[c]];
        return new PriceTable(source, dates, tickers, arrays);
    }

    private static double ParseClose(ReadOnlySpan<char> cell, string source, int line, int column, string field, bool monthly, bool everyCell,
        List<InputProblem> problems)
    {
        var trimmed = cell.Trim();
        if (trimmed.IsEmpty)
        {
            if (everyCell)
            {
                problems.Add(new InputProblem(monthly
                    ? "the cell is empty; a monthly index must have a value every month"
                    : "the close is missing; a per-ticker file gives a close on every row", source, line, column, field));
            }
            return double.NaN;
        }
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            problems.Add(new InputProblem($"'{trimmed.ToString()}' is not a number", source, line, column, field));
            return double.NaN;
        }
        if (value <= 0)
        {
            problems.Add(new InputProblem($"the price is {trimmed.ToString()}; prices must be greater than zero", source, line, column, field));
            return double.NaN;
        }
        if (value < (double)Limits.MinPrice || value > (double)Limits.MaxPrice)
        {
            problems.Add(new InputProblem(
                $"the price is {trimmed.ToString()}; prices must be from {Limits.Price.Show(Limits.MinPrice)} to {Limits.Price.Show(Limits.MaxPrice)}",
                source, line, column, field));
            return double.NaN;
        }
        return value;
    }

    private static bool ParseDate(ReadOnlySpan<char> cell, out DateOnly date) =>
        DateOnly.TryParseExact(cell.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static string[] SplitHeader(ReadOnlySpan<char> line)
    {
        var names = new List<string>();
        foreach (var range in line.Split(','))
        {
            // A UTF-8 byte-order mark survives ReadAllText only when the file has one twice; trim it anyway.
            names.Add(line[range].Trim().TrimStart('\uFEFF').ToString());
        }
        return [.. names];
    }

    /// <summary>Walks lines of a string without allocating, tracking 1-based line numbers.</summary>
    private ref struct LineReader(string text)
    {
        private readonly ReadOnlySpan<char> _text = text.AsSpan().TrimStart('\uFEFF');
        private int _pos;
        private int _line;

        public bool Next(out ReadOnlySpan<char> line, out int lineNumber)
        {
            if (_pos >= _text.Length)
            {
                line = default;
                lineNumber = _line;
                return false;
            }
            var rest = _text[_pos..];
            var nl = rest.IndexOf('\n');
            line = nl < 0 ? rest : rest[..nl];
            if (line.EndsWith("\r")) line = line[..^1];
            _pos += nl < 0 ? rest.Length : nl + 1;
            lineNumber = ++_line;
            return true;
        }
    }
}
