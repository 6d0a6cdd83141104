using System.Globalization;
using Ballast.Backtest.Data;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Tests.Statistics;

/// <summary>
/// Pinned statistics of the shipped monthly example data, so a change in loading or statistics shows
/// up as a visible diff. Sanity of the pinned values: US stocks earned about 10 % a year nominal and bonds
/// about 5 %; stock volatility is about 15 %, below the ~19 % of month-end data because Shiller's prices are
/// monthly averages; stocks fell about 82 % from 1929-09 to 1932-06 and, with dividends, regained the
/// peak in 1945.
/// </summary>
public sealed class RegressionTests
{
    [Fact]
    public void UsStocksAndBonds_1926To2023_PinnedStatistics()
    {
        var table = PriceCsv.LoadMonthlyIndex(TestPaths.InRepo(UsStocksBondsMonthly.OutputRelativePath));
        var stocks = PerformanceSummary.Compute(table.Dates, table.Closes("US_STOCKS"), annualCashRate: 0.03, referenceValues: table.Closes("US_10Y"));
        var bonds = PerformanceSummary.Compute(table.Dates, table.Closes("US_10Y"), annualCashRate: 0.03);
        var crash = Performance.MaxDrawdown(table.Closes("US_STOCKS"));

        var actual = string.Join("\n", new[]
        {
            $"stocks {Format(stocks)}",
            $"bonds {Format(bonds)}",
            $"crash {table.Dates[crash.PeakIndex]:yyyy-MM} {table.Dates[crash.TroughIndex]:yyyy-MM} {(crash.RecoveryIndex is { } r ? table.Dates[r].ToString("yyyy-MM", CultureInfo.InvariantCulture) : "never")}",
        });

        Assert.Equal(Expected, actual);
    }

    private const string Expected =
        "stocks final=12900.1392 total=12899.139207 cagr=0.101765 vol=0.154180 sharpe=0.515585 sortino=1.096297 maxdd=-0.817598 te=0.161684\n" +
        "bonds final=96.7393 total=95.739268 cagr=0.047927 vol=0.054950 sharpe=0.342117 sortino=1.631364 maxdd=-0.230718 te=none\n" +
        "crash 1929-09 1932-06 1945-01";

    private static string Format(PerformanceSummary s) => string.Create(CultureInfo.InvariantCulture,
        $"final={s.FinalValue:F4} total={s.TotalReturn:F6} cagr={s.Cagr:F6} vol={s.AnnualizedVolatility:F6} sharpe={s.Sharpe:F6} sortino={s.Sortino:F6} maxdd={s.MaxDrawdown:F6} te={(s.TrackingError is { } te ? te.ToString("F6", CultureInfo.InvariantCulture) : "none")}");
}
