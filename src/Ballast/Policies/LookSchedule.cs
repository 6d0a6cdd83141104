namespace Ballast.Policies;

/// <summary>How often a portfolio is examined. Calendar frequencies are anchored to the calendar: quarters start in January, April, July and October; weeks start on Monday.</summary>
public enum LookFrequency { Daily, Weekly, Biweekly, Monthly, Quarterly, Semiannual, Annual, EveryNDays }

/// <summary>
/// When a portfolio is looked at. A look is due on the first date that falls in a new calendar period
/// after the previous look (or, for <see cref="LookFrequency.EveryNDays"/>, N days or more after it).
/// <see cref="MaxIntervalDays"/>, when set, makes a look rebalance whatever the trigger says once that many days
/// have passed since the last rebalance.
/// </summary>
/// <remarks>The constructor and the init accessors check their ranges (every 1..10,000 days, a maximum interval of
/// 1..100,000 days), so a schedule cannot be built invalid.</remarks>
public readonly record struct LookSchedule
{
    /// <summary>The longest period of an every-N-days look.</summary>
    public const int MaxEveryDays = 10_000;
    /// <summary>The longest maximum interval.</summary>
    public const int MaxIntervalLimit = 100_000;

    private readonly int _everyDays;
    private readonly int? _maxIntervalDays;

    /// <param name="frequency">The calendar frequency.</param>
    /// <param name="everyDays">For <see cref="LookFrequency.EveryNDays"/>: the days between looks, 1..10,000; ignored otherwise.</param>
    /// <param name="maxIntervalDays">Days after the last rebalance when a look always rebalances, 1..100,000, or null.</param>
    public LookSchedule(LookFrequency frequency, int everyDays = 0, int? maxIntervalDays = null)
    {
        if (!Enum.IsDefined(frequency)) throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "unknown look frequency");
        if (frequency == LookFrequency.EveryNDays && everyDays is < 1 or > MaxEveryDays)
            throw new ArgumentOutOfRangeException(nameof(everyDays), everyDays, $"a look every N days needs N from 1 to {MaxEveryDays}");
        Frequency = frequency;
        _everyDays = frequency == LookFrequency.EveryNDays ? everyDays : 0;
        MaxIntervalDays = maxIntervalDays;
    }

    public static LookSchedule Daily => new(LookFrequency.Daily);

    public LookFrequency Frequency { get; }

    /// <summary>Days between looks for <see cref="LookFrequency.EveryNDays"/>; 0 otherwise.</summary>
    public int EveryDays => _everyDays;

    /// <summary>Days after the last rebalance when a look always rebalances, or null.</summary>
    public int? MaxIntervalDays
    {
        get => _maxIntervalDays;
        init => _maxIntervalDays = value is null or (>= 1 and <= MaxIntervalLimit) ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIntervalDays), value, $"the maximum interval is from 1 to {MaxIntervalLimit} days");
    }

    /// <summary>True when a look is due on <paramref name="date"/> given the previous look (null: never looked, so due).</summary>
    public bool IsDue(DateOnly? previousLook, DateOnly date)
    {
        if (previousLook is not { } last) return true;
        if (date <= last) return false;
        return Frequency switch
        {
            LookFrequency.Daily => true,
            LookFrequency.Weekly => WeekIndex(date) > WeekIndex(last),
            LookFrequency.Biweekly => WeekIndex(date) >= WeekIndex(last) + 2,
            LookFrequency.Monthly => MonthIndex(date) > MonthIndex(last),
            LookFrequency.Quarterly => MonthIndex(date) / 3 > MonthIndex(last) / 3,
            LookFrequency.Semiannual => MonthIndex(date) / 6 > MonthIndex(last) / 6,
            LookFrequency.Annual => date.Year > last.Year,
            LookFrequency.EveryNDays => date.DayNumber - last.DayNumber >= EveryDays,
            _ => throw new InvalidOperationException($"unknown look frequency {Frequency}"),
        };
    }

    /// <summary>The first date on which a look is due after <paramref name="previousLook"/>.</summary>
    /// <remarks>Dates past the end of the calendar come back as <see cref="DateOnly.MaxValue"/>.</remarks>
    public DateOnly NextLook(DateOnly previousLook) =>
        previousLook.DayNumber >= DateOnly.MaxValue.DayNumber - 400 ? DateOnly.MaxValue : Next(previousLook);

    private DateOnly Next(DateOnly previousLook) => Frequency switch
    {
        LookFrequency.Daily => previousLook.AddDays(1),
        LookFrequency.Weekly => WeekStart(previousLook).AddDays(7),
        LookFrequency.Biweekly => WeekStart(previousLook).AddDays(14),
        LookFrequency.Monthly => new DateOnly(previousLook.Year, previousLook.Month, 1).AddMonths(1),
        LookFrequency.Quarterly => new DateOnly(previousLook.Year, (previousLook.Month - 1) / 3 * 3 + 1, 1).AddMonths(3),
        LookFrequency.Semiannual => new DateOnly(previousLook.Year, (previousLook.Month - 1) / 6 * 6 + 1, 1).AddMonths(6),
        LookFrequency.Annual => new DateOnly(previousLook.Year + 1, 1, 1),
        LookFrequency.EveryNDays => DateOnly.FromDayNumber(Math.Min(DateOnly.MaxValue.DayNumber, previousLook.DayNumber + EveryDays)),
        _ => throw new InvalidOperationException($"unknown look frequency {Frequency}"),
    };

    /// <summary>True when the maximum interval since the last rebalance has been reached on <paramref name="date"/>.</summary>
    public bool IntervalExceeded(DateOnly? lastRebalanced, DateOnly date) =>
        MaxIntervalDays is { } max && lastRebalanced is { } last && date.DayNumber - last.DayNumber >= max;

    public override string ToString() => Frequency switch
    {
        LookFrequency.EveryNDays => $"every {EveryDays} days",
        _ => Frequency.ToString().ToLowerInvariant(),
    };

    // DayNumber 0 is Monday 0001-01-01, so whole weeks since then start on Mondays.
    private static int WeekIndex(DateOnly d) => d.DayNumber / 7;
    private static DateOnly WeekStart(DateOnly d) => DateOnly.FromDayNumber(d.DayNumber / 7 * 7);
    private static int MonthIndex(DateOnly d) => d.Year * 12 + d.Month - 1;
}
