using System.Globalization;
using System.Text;
using Ballast.Planning;

namespace Ballast.Cli.Portfolio;

/// <summary>An order file: one row per trade, sells first.</summary>
internal static class PlanCsv
{
    public static string Write(Plan plan)
    {
        var sb = new StringBuilder("ticker,side,quantity,value\n");
        foreach (var t in plan.Trades)
        {
            sb.Append(t.Ticker).Append(',')
              .Append(t.Side.ToText()).Append(',')
              .Append(t.Quantity?.ToString(CultureInfo.InvariantCulture) ?? "").Append(',')
              .Append(t.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }
}
