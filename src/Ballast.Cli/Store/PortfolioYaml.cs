using System.Globalization;
using System.Text;
using Ballast.Store;
using Ballast.Store.Ledger;

namespace Ballast.Cli.Store;

/// <summary>Writes store accounts in the portfolio-file YAML shape (cash, holdings, model targets, policy block).</summary>
internal static class PortfolioYaml
{
    public static string Write(BallastStore store, DateOnly asOf, string? account)
    {
        var sb = new StringBuilder();
        sb.Append("as_of: ").Append(asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("accounts:\n");
        foreach (var a in store.ReadAccounts(new SnapshotQuery(asOf, Account: account)))
        {
            sb.Append("  - name: ").Append(Quote(a.Name)).Append('\n');
            if (a.Household is not null) sb.Append("    household: ").Append(Quote(a.Household)).Append('\n');
            sb.Append("    type: ").Append(a.Type.ToText()).Append('\n');
            sb.Append("    currency: ").Append(a.Currency).Append('\n');
            sb.Append("    cash: ").Append(Scaled.Format(a.Cash)).Append('\n');
            sb.Append("    holdings:").Append(a.Holdings.Count == 0 ? " {}\n" : "\n");
            foreach (var h in a.Holdings) sb.Append("      ").Append(Quote(h.Ticker)).Append(": ").Append(Scaled.Format(h.Quantity)).Append('\n');
            if (a.Model is not null)
            {
                sb.Append("    model: ").Append(Quote(a.Model)).Append('\n');
                sb.Append("    targets:\n");
                foreach (var t in a.Targets!) sb.Append("      ").Append(Quote(t.Key)).Append(": ").Append(Scaled.Format(t.Value)).Append('\n');
            }
            if (a.Policy is not null)
            {
                sb.Append("    policy: |\n");
                foreach (var line in a.Policy.ReplaceLineEndings("\n").Split('\n')) sb.Append("      ").Append(line).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
