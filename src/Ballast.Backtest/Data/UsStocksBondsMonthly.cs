using System.Globalization;
using System.Text;
using Ballast.Input;

namespace Ballast.Backtest.Data;

/// <summary>
/// Generates the redistributable example file <c>examples/data/us_stocks_bonds_monthly.csv</c>
/// (<c>date,US_STOCKS,US_10Y</c>, 1926-01 to 2023-09) from Robert J. Shiller's monthly data
/// (<c>shiller_ie_data_monthly.csv</c>, ODC-PDDL). Both columns are <b>nominal</b> total-return indices
/// in US dollars, 1.0 on 1926-01-01.
/// </summary>
/// <remarks>
/// <para>Shiller's stock column <c>real_tr_price</c> is a real index (deflated to 2023-09 dollars by
/// his CPI column), while <c>monthly_total_bond_return_gross</c> is a nominal gross return. Mixing the two
/// would hand a backtest a stock series that lost inflation and a bond series that did not. The nominal
/// stock index is recovered exactly as <c>real_tr_price × cpi</c> (Shiller deflates by the same CPI), which
/// also matches the nominal prices a user's cash and trades are in.</para>
/// <para>The bond gross return on row <i>t</i> is the return from month <i>t</i> to <i>t</i>+1: Shiller's
/// <c>real_total_bond_return_index</c> satisfies <c>index[t+1] = index[t] × gross[t] × cpi[t] / cpi[t+1]</c>,
/// and the last row (2023-09) has no gross return. So <c>US_10Y[t+1] = US_10Y[t] × gross[t]</c>.</para>
/// <para>Shiller's stock prices are monthly averages of daily closes, so monthly stock volatility from
/// this file is lower than month-end data would show.</para>
/// </remarks>
public static class UsStocksBondsMonthly
{
    /// <summary>First month in the file (the index base, 1.0).</summary>
    public static readonly DateOnly First = new(1926, 1, 1);

    /// <summary>Last month in the file: Shiller's last published month.</summary>
    public static readonly DateOnly Last = new(2023, 9, 1);

    /// <summary>Path of the Shiller source relative to the repository root.</summary>
    public const string SourceRelativePath = "../shared/data/monthly_us/shiller_ie_data_monthly.csv";

    /// <summary>Path of the generated file relative to the repository root.</summary>
    public const string OutputRelativePath = "examples/data/us_stocks_bonds_monthly.csv";

    /// <summary>
    /// Reads the Shiller CSV at <paramref name="shillerCsvPath"/> and returns the example file's text
    /// (header plus one line per month, <c>\n</c> endings, numbers in shortest round-trip form).
    /// Throws <see cref="InputException"/> when a needed column or month is missing or not a positive number.
    /// </summary>
    public static string Generate(string shillerCsvPath)
    {
        ArgumentNullException.ThrowIfNull(shillerCsvPath);
        var lines = File.ReadAllLines(shillerCsvPath);
        if (lines.Length == 0) throw new InputException(new InputProblem("the file is empty", shillerCsvPath, 1));
        var header = lines[0].Split(',');
        int Col(string name)
        {
            var i = Array.IndexOf(header, name);
            return i >= 0 ? i : throw new InputException(new InputProblem($"column '{name}' is missing", shillerCsvPath, 1, null, name));
        }
        var dateCol = Col("date");
        var trCol = Col("real_tr_price");
        var cpiCol = Col("cpi");
        var bondCol = Col("monthly_total_bond_return_gross");

        var sb = new StringBuilder("date,US_STOCKS,US_10Y\n");
        double stockBase = double.NaN, bond = 1.0, previousGross = double.NaN;
        var expected = First;
        for (var i = 1; i < lines.Length && expected <= Last; i++)
        {
            var cells = lines[i].Split(',');
            var line = i + 1;
            if (!DateOnly.TryParseExact(cells[dateCol], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new InputException(new InputProblem($"'{cells[dateCol]}' is not a date", shillerCsvPath, line, null, "date"));
            if (date < First) continue;
            if (date != expected)
                throw new InputException(new InputProblem($"expected {expected:yyyy-MM-dd}, found {date:yyyy-MM-dd}", shillerCsvPath, line, null, "date"));

            var nominalStock = Positive(cells, trCol, "real_tr_price", line) * Positive(cells, cpiCol, "cpi", line);
            if (date == First)
            {
                stockBase = nominalStock;
            }
            else
            {
                bond *= previousGross;
            }
            // The last month needs no forward bond return, and Shiller leaves it empty there.
            previousGross = date < Last ? Positive(cells, bondCol, "monthly_total_bond_return_gross", line) : double.NaN;

            sb.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
              .Append((nominalStock / stockBase).ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(bond.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            expected = expected.AddMonths(1);

            double Positive(string[] row, int col, string field, int ln)
            {
                if (col < row.Length && double.TryParse(row[col], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v))
                    return v;
                throw new InputException(new InputProblem(
                    $"'{(col < row.Length ? row[col] : "")}' is not a positive number", shillerCsvPath, ln, null, field));
            }
        }
        if (expected <= Last)
            throw new InputException(new InputProblem($"the file ends before {expected:yyyy-MM-dd}", shillerCsvPath, lines.Length, null, "date"));
        return sb.ToString();
    }
}
