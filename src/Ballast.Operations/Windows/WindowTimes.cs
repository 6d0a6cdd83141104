using System.Globalization;
using Ballast.Input;

namespace Ballast.Operations.Windows;

/// <summary>The time a window run is asked for (<c>ballast window run --at</c>, <c>POST /v1/window-runs</c>'s <c>at</c>): one reading for every host.</summary>
public static class WindowTimes
{
    /// <summary>
    /// An instant with Z or an offset; a local date and time in the calendar's zone (<c>2026-03-02T10:00</c>); a date (the end of that
    /// local day); null: <paramref name="now"/>. A local time skipped by daylight saving moves to the first minute after the gap; one that
    /// happens twice is its first occurrence.
    /// </summary>
    /// <exception cref="InputException">The text is not a time; the problem names <paramref name="field"/>.</exception>
    public static DateTimeOffset Parse(string? text, TradingCalendar calendar, DateTimeOffset now, string field)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (text is null) return now;
        var s = text.Trim();
        if ((s.EndsWith('Z') || s.LastIndexOfAny(['+', '-']) > 10)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            InRange(instant.UtcDateTime, text, field);
            return instant;
        }
        DateTime local;
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            local = date.ToDateTime(new TimeOnly(23, 59, 59));
        else if (!DateTime.TryParseExact(s, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out local))
            throw new InputException(new InputProblem($"'{text}' is not a time: give 2026-03-02T10:00 (the calendar's local time), 2026-03-02T15:00Z, or 2026-03-02", Field: field));
        InRange(local, text, field);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (calendar.Zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        var offset = calendar.Zone.IsAmbiguousTime(local) ? calendar.Zone.GetAmbiguousTimeOffsets(local).Max() : calendar.Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>The first and last years a window run may be asked for: the calendar looks eight weeks back and converts between zones, which the ends of the calendar cannot.</summary>
    public const int FirstYear = 1900, LastYear = 9000;

    private static void InRange(DateTime time, string text, string field)
    {
        if (time.Year is < FirstYear or > LastYear)
            throw new InputException(new InputProblem($"'{text}' is outside the years {FirstYear} to {LastYear} a window run may be asked for", Field: field));
    }
}
