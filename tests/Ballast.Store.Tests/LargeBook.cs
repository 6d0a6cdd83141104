using System.Globalization;
using System.Text;

namespace Ballast.Store.Tests;

/// <summary>
/// A book large enough for a write to keep statistics: accounts of ten holdings (and cash), written as an accounts file and a
/// positions file, with the ten securities and their prices added to the store.
/// </summary>
internal static class LargeBook
{
    private static readonly string[] Tickers = ["VTI", "VXUS", "BND", "GLD", "VNQ", "TIP", "SHY", "IEF", "EEM", "DBC"];

    /// <summary>The positions' date: the day before the test clock's.</summary>
    public static DateOnly AsOf => DateOnly.FromDateTime(FixedClock.Default.UtcDateTime).AddDays(-1);

    /// <summary>
    /// Adds the securities and prices and writes <c>accounts.csv</c> and <c>positions.csv</c> of <paramref name="count"/> accounts
    /// into <paramref name="directory"/> (10 holdings each, and a cash row when <paramref name="cash"/>; accounts two by two in a
    /// household when <paramref name="households"/>). Returns the two paths.
    /// </summary>
    public static (string Accounts, string Positions) Write(BallastStore store, string directory, int count, bool cash = true, bool households = false)
    {
        foreach (var t in Tickers)
        {
            store.AddSecurity(t);
            store.SetPrice(t, AsOf, 100m);
        }
        var accounts = new StringBuilder(households ? "account,type,currency,household\n" : "account,type,currency\n");
        var positions = new StringBuilder("account,ticker,quantity,cost_basis\n");
        for (var a = 0; a < count; a++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"acct-{a:D5},taxable,USD{(households ? $",hh-{a / 2}" : "")}\n");
            foreach (var t in Tickers) positions.Append(CultureInfo.InvariantCulture, $"acct-{a:D5},{t},{1 + a % 7},{(1 + a % 7) * 90}\n");
            if (cash) positions.Append(CultureInfo.InvariantCulture, $"acct-{a:D5},CASH,{a % 100}.50,\n");
        }
        var paths = (Path.Combine(directory, "accounts.csv"), Path.Combine(directory, "positions.csv"));
        File.WriteAllText(paths.Item1, accounts.ToString());
        File.WriteAllText(paths.Item2, positions.ToString());
        return paths;
    }
}
