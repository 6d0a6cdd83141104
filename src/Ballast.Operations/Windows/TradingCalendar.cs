using System.Globalization;

namespace Ballast.Operations.Windows;

/// <summary>A recurring window: a weekday and a local time in the calendar's time zone.</summary>
public readonly record struct WindowTime(DayOfWeek Day, TimeOnly At)
{
    public override string ToString() => $"{Day.ToString()[..3]} {At.ToString("HH:mm", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// One trading window: its trading date, the instant it opens (UTC), and its cut-off (cash and instructions recorded
/// after the cut-off wait for the next window). <see cref="Id"/> names it in run records and idempotency keys.
/// </summary>
public readonly record struct TradingWindow(DateOnly Date, TimeOnly LocalTime, DateTimeOffset Start, DateTimeOffset CutOff)
{
    /// <summary>The window's stable name: trading date and local time, <c>2026-12-07T10:00</c>.</summary>
    public string Id => $"{Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}T{LocalTime.ToString("HH:mm", CultureInfo.InvariantCulture)}";

    public override string ToString() => Id;
}

/// <summary>
/// When trading windows happen: weekdays and local times in an exchange's time zone (daylight saving included),
/// minus holidays, with a cut-off before each window and a settlement lag in trading days (T+1 by default).
/// </summary>
/// <remarks>
/// A local time that does not exist on a day (the hour skipped when clocks go forward) opens at the first instant
/// after the gap; a local time that happens twice (clocks going back) opens at the first of the two. Windows are
/// computed, never stored: the same calendar gives the same windows on every machine.
/// </remarks>
public sealed class TradingCalendar
{
    /// <summary>The longest settlement lag, in trading days.</summary>
    public const int MaxSettlementDays = 10;

    private readonly WindowTime[] _windows;
    private readonly HashSet<DateOnly> _holidays;

    /// <param name="timeZoneId">An IANA time zone, such as <c>America/New_York</c>.</param>
    /// <param name="windows">The weekly windows; at least one.</param>
    /// <param name="cutOff">How long before a window its inputs close (0 or more, under a day).</param>
    /// <param name="holidays">Dates without windows.</param>
    /// <param name="settlementDays">Trading days from a trade to its settlement, 0..10.</param>
    /// <exception cref="ArgumentException">An unknown time zone, no windows, or a value out of range.</exception>
    public TradingCalendar(string timeZoneId, IEnumerable<WindowTime> windows, TimeSpan cutOff = default, IEnumerable<DateOnly>? holidays = null, int settlementDays = 1)
    {
        ArgumentNullException.ThrowIfNull(windows);
        Zone = FindZone(timeZoneId) ?? throw new ArgumentException($"unknown time zone '{timeZoneId}'", nameof(timeZoneId));
        TimeZoneId = timeZoneId;
        _windows = [.. windows.Distinct().OrderBy(w => w.Day).ThenBy(w => w.At)];
        if (_windows.Length == 0) throw new ArgumentException("a calendar needs at least one window", nameof(windows));
        if (cutOff < TimeSpan.Zero || cutOff >= TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(cutOff), cutOff, "a cut-off is 0 or more and under a day");
        if (settlementDays is < 0 or > MaxSettlementDays) throw new ArgumentOutOfRangeException(nameof(settlementDays), settlementDays, $"settlement is T+0 to T+{MaxSettlementDays}");
        CutOffBefore = cutOff;
        _holidays = holidays is null ? [] : [.. holidays];
        SettlementDays = settlementDays;
    }

    public string TimeZoneId { get; }
    public TimeZoneInfo Zone { get; }
    public IReadOnlyList<WindowTime> Windows => _windows;
    public TimeSpan CutOffBefore { get; }
    public IReadOnlySet<DateOnly> Holidays => _holidays;
    public int SettlementDays { get; }

    /// <summary>
    /// Three windows a week (Monday, Wednesday and Friday at 10:00 New York time), a 30-minute cut-off and T+1
    /// settlement, without holidays (give the exchange's with <c>holidays</c>).
    /// </summary>
    public static TradingCalendar Default => new("America/New_York",
        [new(DayOfWeek.Monday, new TimeOnly(10, 0)), new(DayOfWeek.Wednesday, new TimeOnly(10, 0)), new(DayOfWeek.Friday, new TimeOnly(10, 0))],
        TimeSpan.FromMinutes(30));

    /// <summary>True on a weekday that is not a holiday.</summary>
    public bool IsTradingDay(DateOnly date) => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>The windows of one local date, earliest first (none on a holiday).</summary>
    public IEnumerable<TradingWindow> On(DateOnly date)
    {
        if (_holidays.Contains(date)) yield break;
        foreach (var w in _windows)
            if (w.Day == date.DayOfWeek) yield return Window(date, w.At);
    }

    /// <summary>The latest window that opened at or before <paramref name="instant"/>, or null when none did in the eight weeks before it.</summary>
    public TradingWindow? Latest(DateTimeOffset instant)
    {
        var local = LocalDate(instant);
        for (var d = local; d >= local.AddDays(-56); d = d.AddDays(-1))
        {
            TradingWindow? found = null;
            foreach (var w in On(d))
                if (w.Start <= instant) found = w;
            if (found is not null) return found;
        }
        return null;
    }

    /// <summary>The first window that opens after <paramref name="instant"/>, or null when none does in the eight weeks after it.</summary>
    public TradingWindow? Next(DateTimeOffset instant)
    {
        var local = LocalDate(instant);
        for (var d = local; d <= local.AddDays(56); d = d.AddDays(1))
            foreach (var w in On(d))
                if (w.Start > instant) return w;
        return null;
    }

    /// <summary>Every window that opens in [<paramref name="from"/>, <paramref name="to"/>), in order.</summary>
    public IEnumerable<TradingWindow> Between(DateTimeOffset from, DateTimeOffset to)
    {
        for (var d = LocalDate(from).AddDays(-1); d <= LocalDate(to).AddDays(1); d = d.AddDays(1))
            foreach (var w in On(d))
                if (w.Start >= from && w.Start < to) yield return w;
    }

    /// <summary>The date a trade of <paramref name="tradeDate"/> settles: <see cref="SettlementDays"/> trading days later.</summary>
    public DateOnly SettlementDate(DateOnly tradeDate)
    {
        var d = tradeDate;
        for (var left = SettlementDays; left > 0;)
        {
            d = d.AddDays(1);
            if (IsTradingDay(d)) left--;
        }
        return d;
    }

    /// <summary>The local date of an instant in the calendar's time zone.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    private TradingWindow Window(DateOnly date, TimeOnly at)
    {
        var local = date.ToDateTime(at, DateTimeKind.Unspecified);
        DateTimeOffset start;
        if (Zone.IsInvalidTime(local))
        {
            // Clocks went forward over this time: open at the first instant after the gap.
            var probe = local;
            while (Zone.IsInvalidTime(probe)) probe = probe.AddMinutes(1);
            start = new DateTimeOffset(probe, Zone.GetUtcOffset(probe));
        }
        else if (Zone.IsAmbiguousTime(local))
        {
            // Clocks went back over this time: the first occurrence has the larger offset.
            start = new DateTimeOffset(local, Zone.GetAmbiguousTimeOffsets(local).Max());
        }
        else
        {
            start = new DateTimeOffset(local, Zone.GetUtcOffset(local));
        }
        start = start.ToUniversalTime();
        return new TradingWindow(date, at, start, start - CutOffBefore);
    }

    private static TimeZoneInfo? FindZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return null; }
        catch (InvalidTimeZoneException) { return null; }
    }
}
