using System.Numerics;
using Ballast.Portfolios;

namespace Ballast.Drift;

/// <summary>
/// The one rule for cash that waits to be invested, used by the drift report (a reason to act) and the planner
/// (a plan invests it): when cash is not an asset class, cash above the reserve is idle when it is at least one money
/// unit per asset and either nothing is invested or it is more than the policy's cash band of the portfolio's value.
/// </summary>
internal static class IdleCash
{
    /// <summary>The idle cash of <paramref name="book"/> (cash above <paramref name="reserve"/>), or 0 when there is none to invest.</summary>
    public static T Amount<T>(Book<T> book, T reserve, T unit, T cashBand) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        if (book.CashIsAsset) return T.Zero;
        var spare = book.Cash - reserve;
        return Counts(spare, book.Invested, book.Cash, T.CreateTruncating(book.Count) * unit, cashBand) ? spare : T.Zero;
    }

    /// <summary>Whether <paramref name="spare"/> cash (above the reserve) counts as idle: at least <paramref name="dust"/>, and nothing invested or more than the band.</summary>
    public static bool Counts<T>(T spare, T invested, T cash, T dust, T cashBand) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T> =>
        spare >= dust && spare > T.Zero && (invested <= T.Zero || spare > cashBand * (invested + cash));
}
