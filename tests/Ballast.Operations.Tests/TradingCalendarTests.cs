using Ballast.Input;
using Ballast.Operations.Windows;

namespace Ballast.Operations.Tests;

public class TradingCalendarTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static TradingCalendar Shipped()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", "calendar.yaml");
        return TradingCalendarReader.Load(path);
    }

    [Fact]
    public void ThreeWindowsAWeek_At10NewYork_InWinterAndSummerTime()
    {
        var c = Shipped();
        // Winter (EST, UTC-5): 10:00 is 15:00 UTC; the cut-off 30 minutes before.
        var winter = c.Between(Utc("2026-03-02T00:00:00"), Utc("2026-03-07T00:00:00")).ToList();
        Assert.Equal(["2026-03-02T10:00", "2026-03-04T10:00", "2026-03-06T10:00"], winter.Select(w => w.Id));
        Assert.Equal(Utc("2026-03-02T15:00:00"), winter[0].Start);
        Assert.Equal(Utc("2026-03-02T14:30:00"), winter[0].CutOff);
        // Summer (EDT, UTC-4) after 2026-03-08: 10:00 is 14:00 UTC.
        var summer = c.On(D("2026-03-09")).Single();
        Assert.Equal(Utc("2026-03-09T14:00:00"), summer.Start);
    }

    [Fact]
    public void Holidays_HaveNoWindow()
    {
        var c = Shipped();
        Assert.Empty(c.On(D("2026-12-25"))); // Christmas, a Friday
        Assert.False(c.IsTradingDay(D("2026-12-25")));
        // The latest window on Christmas afternoon is Wednesday's; the next is Monday's.
        Assert.Equal("2026-12-23T10:00", c.Latest(Utc("2026-12-25T18:00:00"))!.Value.Id);
        Assert.Equal("2026-12-28T10:00", c.Next(Utc("2026-12-25T18:00:00"))!.Value.Id);
    }

    [Fact]
    public void LatestAndNext_AroundAWindow()
    {
        var c = Shipped();
        Assert.Equal("2026-03-02T10:00", c.Latest(Utc("2026-03-02T15:00:00"))!.Value.Id); // opening instant counts
        Assert.Equal("2026-02-27T10:00", c.Latest(Utc("2026-03-02T14:59:59"))!.Value.Id);
        Assert.Equal("2026-03-04T10:00", c.Next(Utc("2026-03-02T15:00:00"))!.Value.Id);
    }

    [Fact]
    public void Settlement_CountsTradingDays()
    {
        var c = Shipped();
        Assert.Equal(D("2026-07-06"), c.SettlementDate(D("2026-07-02"))); // Friday 2026-07-03 is a holiday
        Assert.Equal(D("2026-03-09"), c.SettlementDate(D("2026-03-06"))); // over the weekend
        var t0 = new TradingCalendar("America/New_York", c.Windows, settlementDays: 0);
        Assert.Equal(D("2026-03-06"), t0.SettlementDate(D("2026-03-06")));
    }

    [Fact]
    public void ALocalTimeSkippedByTheClock_OpensAfterTheGap_AndARepeatedOne_AtItsFirstOccurrence()
    {
        // Cairo moves its clocks on Fridays and Thursdays: forward at 00:00 on 2026-04-24 (UTC+2 to +3), back at
        // 24:00 on 2026-10-29 (+3 to +2).
        var c = new TradingCalendar("Africa/Cairo", [new(DayOfWeek.Friday, new TimeOnly(0, 30)), new(DayOfWeek.Thursday, new TimeOnly(23, 30))]);
        var gap = c.On(D("2026-04-24")).Single();
        Assert.Equal(Utc("2026-04-23T22:00:00"), gap.Start); // 01:00 local at UTC+3
        var twice = c.On(D("2026-10-29")).Single();
        Assert.Equal(Utc("2026-10-29T20:30:00"), twice.Start); // the first 23:30, at UTC+3
    }

    [Fact]
    public void InvalidCalendars_CannotBeBuilt()
    {
        Assert.Throws<ArgumentException>(() => new TradingCalendar("Mars/Olympus_Mons", TradingCalendar.Default.Windows));
        Assert.Throws<ArgumentException>(() => new TradingCalendar("UTC", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TradingCalendar("UTC", TradingCalendar.Default.Windows, TimeSpan.FromHours(25)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TradingCalendar("UTC", TradingCalendar.Default.Windows, settlementDays: 11));
    }

    [Fact]
    public void ShippedCalendar_MatchesTheDefault_PlusHolidays()
    {
        var c = Shipped();
        Assert.Equal(TradingCalendar.Default.Windows, c.Windows);
        Assert.Equal(TradingCalendar.Default.CutOffBefore, c.CutOffBefore);
        Assert.Equal(1, c.SettlementDays);
        Assert.Equal(20, c.Holidays.Count);
    }

    [Theory]
    [InlineData("windows: [{ days: [mon], at: \"10:00\" }]\n", 1, "timeZone", "missing")]
    [InlineData("timeZone: Mars/Base\nwindows: [{ days: [mon], at: \"10:00\" }]\n", 1, "timeZone", "unknown time zone 'Mars/Base'")]
    [InlineData("timeZone: UTC\n", 1, "windows", "missing")]
    [InlineData("timeZone: UTC\nwindows: [{ days: [sat], at: \"10:00\" }]\n", 2, "windows[0].days[0]", "'sat' is not a weekday")]
    [InlineData("timeZone: UTC\nwindows: [{ days: [mon], at: \"25:00\" }]\n", 2, "windows[0].at", "'25:00' is not a time of day")]
    [InlineData("timeZone: UTC\nwindows: [{ days: [mon], at: \"10:00\" }]\ncutOff: a while\n", 3, "cutOff", "is not a cut-off")]
    [InlineData("timeZone: UTC\nwindows: [{ days: [mon], at: \"10:00\" }]\nsettlement: T+30\n", 3, "settlement", "T+0 to T+10")]
    [InlineData("timeZone: UTC\nwindows: [{ days: [mon], at: \"10:00\" }]\nholidays: [2026-13-01]\n", 3, "holidays[0]", "")]
    [InlineData("timeZone: UTC\nwindows: []\n", 2, "windows", "at least one window")]
    public void BadCalendars_NameTheFileLineAndField(string text, int line, string field, string message)
    {
        var e = Assert.Throws<InputException>(() => TradingCalendarReader.Read("cal.yaml", text));
        var p = Assert.Single(e.Problems);
        Assert.Equal("cal.yaml", p.File);
        Assert.Equal(line, p.Line);
        Assert.Equal(field, p.Field);
        Assert.Contains(message, p.Message);
    }

    [Fact]
    public void HolidaysFile_BadLine_NamesItsOwnFileAndLine()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-cal-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "h.txt"), "# closures\n2026-12-25 Christmas\n\nDecember 26\n");
            File.WriteAllText(Path.Combine(dir, "cal.yaml"), "timeZone: UTC\nwindows: [{ days: [mon], at: \"10:00\" }]\nholidaysFile: h.txt\n");
            var e = Assert.Throws<InputException>(() => TradingCalendarReader.Load(Path.Combine(dir, "cal.yaml")));
            var p = Assert.Single(e.Problems);
            Assert.Equal(Path.Combine(dir, "h.txt"), p.File);
            Assert.Equal(4, p.Line);
            File.Delete(Path.Combine(dir, "h.txt"));
            var missing = Assert.Throws<InputException>(() => TradingCalendarReader.Load(Path.Combine(dir, "cal.yaml")));
            Assert.Equal("no such file", Assert.Single(missing.Problems).Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
