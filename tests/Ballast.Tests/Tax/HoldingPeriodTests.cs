using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class HoldingPeriodTests
{
    // The issue's example: bought 2024-03-15, long-term when sold 2025-03-16, short-term on 2025-03-15.
    [Fact]
    public void Term_IssueExample_ShortOnAnniversaryLongTheDayAfter()
    {
        Assert.Equal(HoldingTerm.ShortTerm, HoldingPeriod.Term(D("2024-03-15"), D("2025-03-15")));
        Assert.Equal(HoldingTerm.LongTerm, HoldingPeriod.Term(D("2024-03-15"), D("2025-03-16")));
    }

    [Fact]
    public void Term_SameDay_IsShortTerm() =>
        Assert.Equal(HoldingTerm.ShortTerm, HoldingPeriod.Term(D("2024-03-15"), D("2024-03-15")));

    // Feb 29 has no anniversary in 2025; Ballast takes Feb 28, so the lot turns long-term on Mar 1.
    [Fact]
    public void Term_Feb29Acquisition_LongTermFromMarch1()
    {
        Assert.Equal(HoldingTerm.ShortTerm, HoldingPeriod.Term(D("2024-02-29"), D("2025-02-28")));
        Assert.Equal(HoldingTerm.LongTerm, HoldingPeriod.Term(D("2024-02-29"), D("2025-03-01")));
        Assert.Equal(D("2025-03-01"), HoldingPeriod.LongTermFrom(D("2024-02-29")));
    }

    // Feb 28 2023's anniversary is Feb 28 2024, so the leap day 2024-02-29 is already long-term.
    [Fact]
    public void Term_Feb28BeforeLeapYear_LongTermOnLeapDay()
    {
        Assert.Equal(HoldingTerm.ShortTerm, HoldingPeriod.Term(D("2023-02-28"), D("2024-02-28")));
        Assert.Equal(HoldingTerm.LongTerm, HoldingPeriod.Term(D("2023-02-28"), D("2024-02-29")));
    }

    [Fact]
    public void Term_SaleBeforeStart_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HoldingPeriod.Term(D("2024-03-15"), D("2024-03-14")));
}
