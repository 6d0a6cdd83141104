using Xunit.Abstractions;
using System.Diagnostics;
using Ballast.Backtest.Data;
using Ballast.Input;

namespace Ballast.Backtest.Tests.Data;

public sealed class PriceCsvTests(ITestOutputHelper output)
{
    private const string Source = "prices.csv";

    private static InputProblem Single(Action act)
    {
        var ex = Assert.Throws<InputException>(act);
        return Assert.Single(ex.Problems);
    }

    [Fact]
    public void ParseWide_ValidFile_ReadsDatesTickersAndMissingCells()
    {
        var table = PriceCsv.ParseWide("date,AAA,BBB\n2024-01-02,10.5,\n2024-01-03,11,20.25\r\n", Source);

        Assert.Equal([new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 3)], table.Dates);
        Assert.Equal(["AAA", "BBB"], table.Tickers);
        Assert.Equal(10.5, table.Close(0, "AAA"));
        Assert.True(double.IsNaN(table.Close(0, "BBB")));
        Assert.Equal(20.25, table.Close(1, "BBB"));
    }

    [Fact]
    public void ParseWide_FirstColumnNotDate_ReportsMissingDateColumn()
    {
        var p = Single(() => PriceCsv.ParseWide("day,AAA\n2024-01-02,1\n", Source));

        Assert.Equal((Source, 1, 1, "date"), (p.File, p.Line, p.Column, p.Field));
        Assert.Contains("'date'", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_NonNumericPrice_NamesLineColumnAndTicker()
    {
        var p = Single(() => PriceCsv.ParseWide("date,AAA,BBB\n2024-01-02,1,2\n2024-01-03,1,abc\n", Source));

        Assert.Equal((Source, 3, 14, "BBB"), (p.File, p.Line, p.Column, p.Field));
        Assert.Contains("'abc' is not a number", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-3.5")]
    [InlineData("0")]
    [InlineData("0.0")]
    public void ParseWide_ZeroOrNegativePrice_IsRejected(string price)
    {
        var p = Single(() => PriceCsv.ParseWide($"date,AAA\n2024-01-02,{price}\n", Source));

        Assert.Equal((2, 12, "AAA"), (p.Line, p.Column, p.Field));
        Assert.Contains("greater than zero", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_InfinityOrNaNText_IsNotAPrice()
    {
        var ex = Assert.Throws<InputException>(() => PriceCsv.ParseWide("date,AAA\n2024-01-02,NaN\n2024-01-03,Infinity\n", Source));

        Assert.Equal([2, 3], ex.Problems.Select(p => p.Line!.Value));
    }

    [Fact]
    public void ParseWide_UnsortedDates_ReportsTheOutOfOrderLine()
    {
        var p = Single(() => PriceCsv.ParseWide("date,AAA\n2024-01-03,1\n2024-01-02,1\n", Source));

        Assert.Equal((3, "date"), (p.Line, p.Field));
        Assert.Contains("ascending", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_DuplicateDate_NamesBothLines()
    {
        var p = Single(() => PriceCsv.ParseWide("date,AAA\n2024-01-02,1\n2024-01-03,1\n2024-01-03,2\n", Source));

        Assert.Equal((4, "date"), (p.Line, p.Field));
        Assert.Contains("first on line 3", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024/01/02")]
    [InlineData("2024-13-01")]
    [InlineData("02-01-2024")]
    [InlineData("")]
    public void ParseWide_UnparsableDate_IsReported(string date)
    {
        var p = Single(() => PriceCsv.ParseWide($"date,AAA\n{date},1\n", Source));

        Assert.Equal((2, 1, "date"), (p.Line, p.Column, p.Field));
        Assert.Contains("not a date", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_WrongCellCount_IsReported()
    {
        var p = Single(() => PriceCsv.ParseWide("date,AAA,BBB\n2024-01-02,1\n", Source));

        Assert.Equal(2, p.Line);
        Assert.Contains("2 cells but the header has 3", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_SeveralProblems_AreReportedTogether()
    {
        var ex = Assert.Throws<InputException>(() => PriceCsv.ParseWide("date,AAA\n2024-01-02,x\nnope,1\n2024-01-04,-1\n", Source));

        Assert.Equal([2, 3, 4], ex.Problems.Select(p => p.Line!.Value));
    }

    [Fact]
    public void ParseWide_GarbageFile_StopsAtMaxProblemsAndSaysSo()
    {
        var text = "date,A\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"x{i},y\n"));

        var ex = Assert.Throws<InputException>(() => PriceCsv.ParseWide(text, Source));

        Assert.InRange(ex.Problems.Count, PriceCsv.MaxProblems, PriceCsv.MaxProblems + 2);
        Assert.Contains("stopped reading", ex.Problems[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseWide_HeaderOnly_IsReported()
    {
        var p = Single(() => PriceCsv.ParseWide("date,AAA\n", Source));

        Assert.Contains("no data rows", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseMonthlyIndex_SkippedMonthOrMidMonthDateOrEmptyCell_AreRejected()
    {
        var ex = Assert.Throws<InputException>(() => PriceCsv.ParseMonthlyIndex(
            "date,A\n2000-01-01,1\n2000-03-01,1.1\n2000-04-15,1.2\n2000-04-01,\n", Source));

        Assert.Equal([3, 4, 5], ex.Problems.Select(p => p.Line!.Value));
        Assert.Contains("skip months", ex.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("1st of a month", ex.Problems[1].Message, StringComparison.Ordinal);
        Assert.Equal("A", ex.Problems[2].Field);
    }

    [Fact]
    public void Select_TickerMissingFromFile_NamesTheTicker()
    {
        var table = PriceCsv.ParseWide("date,AAA\n2024-01-02,1\n", Source);

        var ex = Assert.Throws<InputException>(() => table.Select(["AAA", "ZZZ", "YYY"]));

        Assert.Equal(["ZZZ", "YYY"], ex.Problems.Select(p => p.Field));
        Assert.All(ex.Problems, p => Assert.Equal(Source, p.File));
    }

    [Fact]
    public void Select_KeepsOnlyDatesWhereAllChosenTickersHavePricesWithinRange()
    {
        var table = PriceCsv.ParseWide(
            "date,OLD,NEW\n2024-01-01,1,\n2024-01-02,2,\n2024-01-03,3,30\n2024-01-04,4,40\n2024-01-05,5,50\n2024-01-08,6,60\n", Source);

        var all = table.Select(["NEW", "OLD"]);
        var ranged = table.Select(["OLD", "NEW"], start: new DateOnly(2024, 1, 1), end: new DateOnly(2024, 1, 5));

        Assert.Equal(new DateOnly(2024, 1, 3), all.Dates[0]);
        Assert.Equal(4, all.Count);
        Assert.Equal(["NEW", "OLD"], all.Tickers);
        Assert.Equal([3.0, 4, 5], ranged.Closes("OLD").ToArray());
    }

    [Fact]
    public void Select_EmptyRange_IsReported()
    {
        var table = PriceCsv.ParseWide("date,OLD,NEW\n2024-01-01,1,\n2024-01-02,2,20\n", Source);

        var p = Single(() => table.Select(["OLD", "NEW"], end: new DateOnly(2024, 1, 1)));

        Assert.Equal((Source, "date"), (p.File, p.Field));
        Assert.Contains("no date from the first date to 2024-01-01", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadTickerDirectory_MissingFile_NamesPathAndTicker()
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "AAA.csv"), "date,close\n2024-01-02,1\n");

        var p = Single(() => PriceCsv.LoadTickerDirectory(dir, ["AAA", "QQQ"]));

        Assert.Equal((Path.Combine(dir, "QQQ.csv"), "QQQ"), (p.File, p.Field));
    }

    [Fact]
    public void LoadTickerFiles_JoinsOnUnionOfDates()
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "A.csv"), "date,close\n2024-01-02,1\n2024-01-04,3\n");
        File.WriteAllText(Path.Combine(dir, "B.csv"), "date,close\n2024-01-03,20\n2024-01-04,30\n");

        var table = PriceCsv.LoadTickerDirectory(dir, ["A", "B"]);

        Assert.Equal(3, table.Count);
        Assert.True(double.IsNaN(table.Close(1, "A")));
        Assert.Equal(30, table.Close(2, "B"));
        Assert.Equal(new DateOnly(2024, 1, 4), Assert.Single(table.Select(["A", "B"]).Dates));
    }

    [Fact]
    public void LoadWide_RealEtfFile_MatchesPerTickerFileAndProvenanceSpotChecks()
    {
        var wide = PriceCsv.LoadWide(TestPaths.SharedData("etf_daily/etf_adj_close_wide.csv"));
        var spy = PriceCsv.LoadTickerFile(TestPaths.SharedData("etf_daily/SPY.csv"), "SPY");

        // PROVENANCE.md: 8,222 rows from 1993-01-29 to 2025-09-26, 21 tickers; same SPY data as SPY.csv.
        Assert.Equal(8222, wide.Count);
        Assert.Equal(21, wide.Tickers.Count);
        Assert.Equal(new DateOnly(1993, 1, 29), wide.Dates[0]);
        Assert.Equal(new DateOnly(2025, 9, 26), wide.Dates[^1]);
        Assert.Equal(spy.Closes("SPY").ToArray(), wide.Closes("SPY").ToArray());
        var common = wide.Select(["SPY", "AGG"]);
        Assert.Equal(new DateOnly(2003, 9, 29), common.Dates[0]); // AGG's first day (PROVENANCE table)
    }

    [Fact]
    public void LoadWide_TwoMegabyteFile_LoadsQuicklyWithoutPerCellAllocations()
    {
        var path = TestPaths.SharedData("etf_daily/etf_adj_close_wide.csv");
        PriceCsv.LoadWide(path); // warm up the JIT and the file cache
        var fileChars = new FileInfo(path).Length; // ASCII, so bytes = chars

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++) PriceCsv.LoadWide(path);
        watch.Stop();
        var allocatedPerLoad = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / 5;
        output.WriteLine($"average load of the wide ETF file: {watch.Elapsed.TotalMilliseconds / 5:F1} ms, {allocatedPerLoad / 1e6:F1} MB allocated");

        // File.ReadAllText costs about 4 bytes a char (its builder, then the string); the 172,662 cells need
        // 8 bytes each in the column lists and again in the final arrays (×4 leaves slack). A string per cell
        // (Split, regex) would add 40 to 60 bytes a cell, 7 to 10 MB, and break this bound.
        Assert.True(allocatedPerLoad < 4 * fileChars + 172_662 * 8 * 4 + 1_000_000, $"a load allocated {allocatedPerLoad:N0} bytes");
        // Loose on purpose: shared CI machines are slow and noisy; a regex or LINQ-per-cell parser is far slower.
        Assert.True(watch.Elapsed.TotalMilliseconds / 5 < 1500, $"average load took {watch.Elapsed.TotalMilliseconds / 5:F0} ms");
    }

    [Fact]
    public void LoadTickerDirectory_RealEtfFiles_CommonRangeEndsWithTheShorterSeries()
    {
        // PROVENANCE.md: VOO runs 2010-09-09 to 2026-08-03, SPY 1993-01-29 to 2025-09-26, on one calendar.
        var table = PriceCsv.LoadTickerDirectory(TestPaths.SharedData("etf_daily"), ["VOO", "SPY"]);
        var common = table.Select(["VOO", "SPY"]);

        Assert.Equal((new DateOnly(1993, 1, 29), new DateOnly(2026, 8, 3)), (table.Dates[0], table.Dates[^1]));
        Assert.Equal((new DateOnly(2010, 9, 9), new DateOnly(2025, 9, 26)), (common.Dates[0], common.Dates[^1]));
        Assert.Equal(3998, table.Select(["VOO"]).Count);
    }

    [Fact]
    public void LoadWide_MissingFile_IsAnInputProblem()
    {
        var p = Single(() => PriceCsv.LoadWide("/nonexistent/prices.csv"));

        Assert.Equal("/nonexistent/prices.csv", p.File);
    }

    // Closes outside 1e-8..1e9 made backtests fail late ("values must be positive and finite") or overflow decimal;
    // they are refused where they stand in the file.
    [Theory]
    [InlineData("1e300")]
    [InlineData("1e-300")]
    [InlineData("1000000001")]
    [InlineData("0.000000001")]
    public void ParseWide_CloseOutsideTheRange_NamesLineColumnAndTicker(string price)
    {
        var p = Single(() => PriceCsv.ParseWide($"date,AAA,BBB\n2024-01-02,1,1\n2024-01-03,1,{price}\n", Source));

        Assert.Equal((Source, 3, 14, "BBB"), (p.File, p.Line, p.Column, p.Field));
        Assert.Equal($"the price is {price}; prices must be from 0.00000001 to 1,000,000,000", p.Message);
    }

    [Fact]
    public void ParseTickerFile_MissingClose_IsRejected()
    {
        var p = Single(() => PriceCsv.ParseTickerFile("date,close\n2024-01-02,1\n2024-01-03,\n", Source, "AAA"));

        Assert.Equal((3, 12, "close"), (p.Line, p.Column, p.Field));
        Assert.Equal("the close is missing; a per-ticker file gives a close on every row", p.Message);
    }

    [Theory]
    [InlineData("9999-12-31", "9999-12-31 is after 2999-12-31, the last date Ballast accepts")]
    [InlineData("0001-01-01", "0001-01-01 is before 1800-01-01, the first date Ballast accepts")]
    public void ParseWide_DateOutsideTheCalendar_IsRejected(string date, string message)
    {
        var p = Single(() => PriceCsv.ParseWide($"date,AAA\n{date},1\n", Source));

        Assert.Equal((2, 1, "date", message), (p.Line, p.Column, p.Field, p.Message));
    }

    [Fact]
    public void ParseWide_TooManyColumns_IsRejectedAtTheHeader()
    {
        var header = "date," + string.Join(',', Enumerable.Range(0, Limits.MaxPriceColumns + 1).Select(i => $"T{i}"));
        var p = Single(() => PriceCsv.ParseWide(header + "\n", Source));

        Assert.Equal((1, "the header has 10,001 price columns; Ballast reads at most 10,000"), (p.Line, p.Message));
    }

    [Fact]
    public void ParseWide_MoreCellsThanTheLimit_StopsAtTheFirstRowPastIt()
    {
        // 1,000 columns leave room for 10,000 rows.
        var header = "date," + string.Join(',', Enumerable.Range(0, 1_000).Select(i => $"T{i}"));
        var row = string.Concat(Enumerable.Repeat(",1", 1_000));
        var rows = Enumerable.Range(0, 10_001).Select(i => new DateOnly(1900, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + row);
        var p = Single(() => PriceCsv.ParseWide(header + "\n" + string.Join('\n', rows) + "\n", Source));

        Assert.Equal((10_002, "the file has more than 10,000 rows of 1,000 prices; Ballast reads at most 10,000,000 prices"), (p.Line, p.Message));
    }

    [Fact]
    public void LoadWide_FileLargerThanTheLimit_IsRefusedBeforeReading()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "big.csv");
        using (var f = File.Create(path)) f.SetLength(Limits.MaxPriceFileBytes + 1);

        var p = Single(() => PriceCsv.LoadWide(path));

        Assert.Equal((path, "the file is larger than 64 MiB, the most Ballast reads"), (p.File, p.Message));
    }
}
