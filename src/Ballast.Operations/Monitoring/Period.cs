using System.Globalization;

namespace Ballast.Operations.Monitoring;

/// <summary>
/// A span of calendar time in months and days, such as the six months monitoring pauses after a rebalance.
/// Months are added first, then days; adding a month to the 31st lands on the month's last day.
/// </summary>
public readonly record struct Period
{
    /// <summary>The longest period, in months (a hundred years).</summary>
    public const int MaxMonths = 1_200;
    /// <summary>The longest period, in days (a hundred years).</summary>
    public const int MaxDays = 36_600;

    /// <param name="months">Months, 0..1,200.</param>
    /// <param name="days">Days, 0..36,600.</param>
    public Period(int months, int days)
    {
        if (months is < 0 or > MaxMonths) throw new ArgumentOutOfRangeException(nameof(months), months, $"months are from 0 to {MaxMonths}");
        if (days is < 0 or > MaxDays) throw new ArgumentOutOfRangeException(nameof(days), days, $"days are from 0 to {MaxDays}");
        Months = months;
        Days = days;
    }

    public int Months { get; }
    public int Days { get; }

    /// <summary>No time at all.</summary>
    public static Period None => default;

    public static Period OfMonths(int months) => new(months, 0);
    public static Period OfDays(int days) => new(0, days);

    public bool IsNone => Months == 0 && Days == 0;

    /// <summary>The date this period after <paramref name="date"/>.</summary>
    public DateOnly AddTo(DateOnly date) => date.AddMonths(Months).AddDays(Days);

    /// <summary>
    /// Reads <c>6 months</c>, <c>1 month</c>, <c>10 days</c>, <c>1 day</c>, <c>2 weeks</c>, <c>1 year</c>,
    /// <c>6m</c>, <c>10d</c>, <c>2w</c>, <c>1y</c>, or <c>0</c>/<c>none</c>.
    /// </summary>
    public static bool TryParse(string? text, out Period period, out string? error)
    {
        period = None;
        error = null;
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t is "0" or "none" or "0 days" or "0 months")
            return true;
        var at = 0;
        while (at < t.Length && char.IsAsciiDigit(t[at])) at++;
        var unit = t[at..].Trim();
        if (at == 0 || at > 6 || !int.TryParse(t[..at], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            error = $"'{text}' is not a period; write it like 6 months, 10 days, 2 weeks or 1 year";
            return false;
        }
        (int Months, int Days)? value = unit switch
        {
            "d" or "day" or "days" => (0, n),
            "w" or "week" or "weeks" => (0, checked(n * 7)),
            "m" or "mo" or "month" or "months" => (n, 0),
            "y" or "year" or "years" => (checked(n * 12), 0),
            _ => null,
        };
        if (value is not { } v)
        {
            error = $"'{text}' has an unknown unit '{unit}'; use days, weeks, months or years";
            return false;
        }
        if (v.Months > MaxMonths || v.Days > MaxDays)
        {
            error = $"'{text}' is longer than a hundred years";
            return false;
        }
        period = new Period(v.Months, v.Days);
        return true;
    }

    public override string ToString()
    {
        if (IsNone) return "none";
        var parts = new List<string>(2);
        if (Months > 0) parts.Add(Months % 12 == 0 && Months >= 12 ? Plural(Months / 12, "year") : Plural(Months, "month"));
        if (Days > 0) parts.Add(Days % 7 == 0 && Days >= 7 ? Plural(Days / 7, "week") : Plural(Days, "day"));
        return string.Join(" ", parts);
    }

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}s";
}
