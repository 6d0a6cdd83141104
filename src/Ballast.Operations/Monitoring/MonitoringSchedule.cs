using System.Globalization;
using Ballast.Policies;

namespace Ballast.Operations.Monitoring;

/// <summary>The look a tier of accounts gets: at every trading window, or on a calendar (the engine's <see cref="LookSchedule"/>).</summary>
public readonly record struct TierLook
{
    private TierLook(LookSchedule? calendar) => Calendar = calendar;

    /// <summary>Compared with its bands at every trading window.</summary>
    public static TierLook EveryWindow => default;

    /// <summary>Looked at when <paramref name="schedule"/> says a look is due (semiannual, quarterly, every 30 days...).</summary>
    public static TierLook On(LookSchedule schedule) => new(schedule);

    /// <summary>The calendar look, or null for every window.</summary>
    public LookSchedule? Calendar { get; }

    public bool IsEveryWindow => Calendar is null;

    /// <summary>True when a look is due at a window on <paramref name="window"/> after a look on <paramref name="lastLook"/>.</summary>
    public bool IsDue(DateOnly? lastLook, DateOnly window) => Calendar is not { } c || c.IsDue(lastLook, window);

    public override string ToString() => Calendar is { } c ? c.ToString() : "every window";
}

/// <summary>
/// A tier of a <see cref="MonitoringSchedule"/>: accounts worth <see cref="From"/> or more (in the schedule's
/// currency) get <see cref="Look"/>, and pause for <see cref="PauseAfterRebalance"/> (the schedule's when null) after a rebalance.
/// </summary>
public sealed record MonitoringTier
{
    private readonly decimal _from;

    public MonitoringTier(decimal from, TierLook look, Period? pauseAfterRebalance = null)
    {
        From = from;
        Look = look;
        PauseAfterRebalance = pauseAfterRebalance;
    }

    /// <summary>The smallest account value in the tier, 0 or more.</summary>
    public decimal From
    {
        get => _from;
        init => _from = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(From), value, "a tier starts at 0 or more");
    }

    public TierLook Look { get; init; }

    /// <summary>This tier's pause after a rebalance, or null for the schedule's.</summary>
    public Period? PauseAfterRebalance { get; init; }
}

/// <summary>Why an account is or is not evaluated at a window.</summary>
public enum MonitoringVerdict
{
    /// <summary>Its tier's look is due: compare it with its bands.</summary>
    Look,
    /// <summary>Its model changed since it was last evaluated: evaluate it whatever its look or pause.</summary>
    ModelChange,
    /// <summary>New cash to invest or a withdrawal to raise: evaluate it whatever its look or pause.</summary>
    CashFlow,
    /// <summary>Rebalanced recently: monitoring pauses.</summary>
    Paused,
    /// <summary>Run automatically too recently: the cooldown has not passed.</summary>
    CoolingDown,
    /// <summary>Its calendar look is not due at this window.</summary>
    NotDue,
    /// <summary>Worth less than the schedule's minimum for a rebalance.</summary>
    BelowMinimum,
}

/// <summary>What a <see cref="MonitoringSchedule"/> decided for one account at one window, with the reason in words.</summary>
public readonly record struct MonitoringDecision(MonitoringVerdict Verdict, string Reason)
{
    /// <summary>True when the account is evaluated at this window.</summary>
    public bool Evaluate => Verdict is MonitoringVerdict.Look or MonitoringVerdict.ModelChange or MonitoringVerdict.CashFlow;
}

/// <summary>What a schedule needs to know about an account at a window. Values are in the schedule's currency.</summary>
/// <param name="Window">The window's trading date.</param>
/// <param name="AccountValue">The account's value (holdings and cash), converted to the schedule's currency.</param>
/// <param name="LastRebalance">When its last rebalance was done (its proposal filled or cancelled), or null.</param>
/// <param name="LastLook">When it was last compared with its bands, or null.</param>
/// <param name="LastRun">When it last had an automatic run (any proposal made for it at a window), or null.</param>
/// <param name="ModelChanged">Its model has a version newer than its last evaluation.</param>
/// <param name="CashFlow">A deposit to invest or a withdrawal request to raise is waiting.</param>
public readonly record struct MonitoringFacts(
    DateOnly Window, decimal AccountValue, DateOnly? LastRebalance = null, DateOnly? LastLook = null, DateOnly? LastRun = null,
    bool ModelChanged = false, bool CashFlow = false);

/// <summary>
/// When accounts are compared with their bands: tiers by account value, each with its look (every trading window, or
/// a calendar look), a pause after each rebalance, a cooldown between automatic runs, and eligibility minimums. Data,
/// defined per firm and overridable per model and per account (<see cref="With"/>).
/// </summary>
/// <remarks>
/// The decision at a window, in order: an account worth less than <see cref="MinimumAccountValue"/> is not rebalanced;
/// one run automatically within <see cref="Cooldown"/> waits; a model change or a cash flow is evaluated now (neither
/// waits for a pause or a look: new money is invested at the next window, a model change reaches every account on
/// the model); an account rebalanced within its tier's pause waits; otherwise its tier's look decides.
/// </remarks>
public sealed record MonitoringSchedule
{
    private readonly IReadOnlyList<MonitoringTier> _tiers = [new MonitoringTier(0m, TierLook.EveryWindow)];
    private readonly string _currency = "USD";
    private readonly decimal _minimumAccountValue;
    private readonly decimal _minimumOrderValue;

    /// <summary>The schedule's name (the firm's, a model's or an account's override).</summary>
    public string Name { get; init; } = "default";

    /// <summary>The ISO 4217 code the thresholds and minimums are in.</summary>
    public string Currency
    {
        get => _currency;
        init => _currency = value is { Length: 3 } && value.All(char.IsAsciiLetterUpper)
            ? value : throw new ArgumentException($"currency '{value}' is not a three-letter ISO 4217 code in capitals", nameof(Currency));
    }

    /// <summary>Tiers by account value, largest threshold first; exactly one starts at 0, and no two at the same value.</summary>
    public IReadOnlyList<MonitoringTier> Tiers
    {
        get => _tiers;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count == 0) throw new ArgumentException("a schedule needs at least one tier", nameof(Tiers));
            if (value.Select(t => t.From).Distinct().Count() != value.Count) throw new ArgumentException("two tiers start at the same value", nameof(Tiers));
            if (!value.Any(t => t.From == 0m)) throw new ArgumentException("one tier must start at 0, so every account has a tier", nameof(Tiers));
            _tiers = [.. value.OrderByDescending(t => t.From)];
        }
    }

    /// <summary>How long monitoring pauses after a rebalance, unless the account's tier says otherwise.</summary>
    public Period PauseAfterRebalance { get; init; }

    /// <summary>The least time between two automatic runs of an account (1 day: at most one a day).</summary>
    public Period Cooldown { get; init; }

    /// <summary>No rebalance of an account worth less than this.</summary>
    public decimal MinimumAccountValue
    {
        get => _minimumAccountValue;
        init => _minimumAccountValue = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinimumAccountValue), value, "a minimum is 0 or more");
    }

    /// <summary>No order worth less than this (the planner's minimum trade).</summary>
    public decimal MinimumOrderValue
    {
        get => _minimumOrderValue;
        init => _minimumOrderValue = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinimumOrderValue), value, "a minimum is 0 or more");
    }

    /// <summary>
    /// The method Ballast ships as its default example: accounts worth 25,000 or more are compared with their bands at
    /// every trading window; smaller ones get a semiannual look; after every rebalance monitoring pauses for six
    /// months; at most one automatic run a day.
    /// </summary>
    public static MonitoringSchedule Default => new()
    {
        Name = "default",
        Currency = "USD",
        Tiers = [new MonitoringTier(25_000m, TierLook.EveryWindow), new MonitoringTier(0m, TierLook.On(new LookSchedule(LookFrequency.Semiannual)))],
        PauseAfterRebalance = Period.OfMonths(6),
        Cooldown = Period.OfDays(1),
    };

    /// <summary>The tier of an account worth <paramref name="value"/>.</summary>
    public MonitoringTier TierFor(decimal value)
    {
        foreach (var tier in _tiers)
            if (value >= tier.From) return tier;
        return _tiers[^1];
    }

    /// <summary>Decides whether an account is evaluated at a window, and says why.</summary>
    public MonitoringDecision Decide(in MonitoringFacts facts)
    {
        var window = facts.Window;
        if (facts.AccountValue < MinimumAccountValue)
            return new(MonitoringVerdict.BelowMinimum, $"worth {Money(facts.AccountValue)} {Currency}, below the minimum of {Money(MinimumAccountValue)} for a rebalance");
        if (facts.LastRun is { } run && !Cooldown.IsNone && window < Cooldown.AddTo(run))
            return new(MonitoringVerdict.CoolingDown, $"run on {Date(run)}; the {Cooldown} cooldown ends on {Date(Cooldown.AddTo(run))}");
        if (facts.ModelChanged)
            return new(MonitoringVerdict.ModelChange, "its model changed since it was last evaluated");
        if (facts.CashFlow)
            return new(MonitoringVerdict.CashFlow, "cash to invest or to raise");
        var tier = TierFor(facts.AccountValue);
        var pause = tier.PauseAfterRebalance ?? PauseAfterRebalance;
        if (facts.LastRebalance is { } done && !pause.IsNone && window < pause.AddTo(done))
            return new(MonitoringVerdict.Paused, $"rebalanced on {Date(done)}; monitoring pauses {pause}, until {Date(pause.AddTo(done))}");
        var tierName = tier.From == 0m && _tiers.Count > 1
            ? $"below {Money(_tiers[^2].From)} {Currency}"
            : tier.From == 0m ? "every account" : $"{Money(tier.From)} {Currency} or more";
        if (tier.Look.IsDue(facts.LastLook, window))
            return new(MonitoringVerdict.Look, $"{tierName}: looked at {tier.Look}" + (facts.LastLook is { } l ? $", last on {Date(l)}" : ", never looked at"));
        return new(MonitoringVerdict.NotDue, $"{tierName}: looked at {tier.Look}, last on {Date(facts.LastLook!.Value)}");
    }

    /// <summary>
    /// This schedule with the fields an override sets replaced (a model's or an account's): null fields keep this one's.
    /// </summary>
    public MonitoringSchedule With(MonitoringOverride o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return this with
        {
            Name = o.Name ?? Name,
            Currency = o.Currency ?? Currency,
            Tiers = o.Tiers ?? Tiers,
            PauseAfterRebalance = o.PauseAfterRebalance ?? PauseAfterRebalance,
            Cooldown = o.Cooldown ?? Cooldown,
            MinimumAccountValue = o.MinimumAccountValue ?? MinimumAccountValue,
            MinimumOrderValue = o.MinimumOrderValue ?? MinimumOrderValue,
        };
    }

    public override string ToString()
    {
        var tiers = string.Join("; ", _tiers.Select(t => (t.From == 0 ? "from 0" : $"from {Money(t.From)}") + $": {t.Look}" +
            (t.PauseAfterRebalance is { } p ? $", pause {p}" : "")));
        return $"{Name} ({Currency}): {tiers}; pause after a rebalance {PauseAfterRebalance}; cooldown {Cooldown}" +
               (MinimumAccountValue > 0 ? $"; no rebalance below {Money(MinimumAccountValue)}" : "") +
               (MinimumOrderValue > 0 ? $"; no order below {Money(MinimumOrderValue)}" : "");
    }

    private static string Money(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The fields a model or an account sets over its firm's schedule; null keeps the firm's.</summary>
public sealed record MonitoringOverride
{
    public string? Name { get; init; }
    public string? Currency { get; init; }
    public IReadOnlyList<MonitoringTier>? Tiers { get; init; }
    public Period? PauseAfterRebalance { get; init; }
    public Period? Cooldown { get; init; }
    public decimal? MinimumAccountValue { get; init; }
    public decimal? MinimumOrderValue { get; init; }
}
