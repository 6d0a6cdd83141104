using Ballast.Policies.Triggers;

namespace Ballast.Policies;

/// <summary>
/// A tolerance band around a target weight. Its half-width is the absolute width (a fraction of the portfolio:
/// 0.05 is 5 percentage points), the relative width times the target (0.25 × 0.10 = 0.025), or the smaller of the
/// two when both are given (the 5/25 rule). A weight breaches the band only when strictly outside it.
/// </summary>
/// <remarks>
/// Built through its constructor, which checks the ranges (absolute 0..1, relative 0..<see cref="MaxRelative"/>),
/// so no band can be wide enough to overflow the arithmetic that uses it. <c>default</c> is the empty band.
/// </remarks>
public readonly record struct BandSpec
{
    /// <summary>The widest relative band: ten times the target.</summary>
    public const decimal MaxRelative = 10m;

    /// <param name="absolute">Absolute half-width, a fraction from 0 to 1, or null.</param>
    /// <param name="relative">Relative half-width, a share of the target from 0 to <see cref="MaxRelative"/>, or null.</param>
    public BandSpec(decimal? absolute, decimal? relative)
    {
        if (absolute is { } a && (a < 0 || a > 1)) throw new ArgumentOutOfRangeException(nameof(absolute), a, "an absolute band is from 0 to 1 (0% to 100%)");
        if (relative is { } r && (r < 0 || r > MaxRelative)) throw new ArgumentOutOfRangeException(nameof(relative), r, $"a relative band is from 0 to {MaxRelative} ({MaxRelative * 100:0}% of the target)");
        Absolute = absolute;
        Relative = relative;
    }

    /// <summary>Absolute half-width, a fraction of the weighing base, or null.</summary>
    public decimal? Absolute { get; }

    /// <summary>Relative half-width, a share of the target, or null.</summary>
    public decimal? Relative { get; }

    public bool IsEmpty => Absolute is null && Relative is null;

    /// <summary>Half-width of the band around <paramref name="target"/>, as a fraction; null when the spec is empty.</summary>
    public decimal? HalfWidth(decimal target)
    {
        if (Relative is { } r)
        {
            var rel = r * target;
            return Absolute is { } a && a < rel ? a : rel;
        }
        return Absolute;
    }

    public override string ToString() => (Absolute, Relative) switch
    {
        ({ } a, { } r) => $"{a * 100:0.##}pp/{r * 100:0.##}%",
        ({ } a, null) => $"{a * 100:0.##}pp",
        (null, { } r) => $"{r * 100:0.##}% of target",
        _ => "none",
    };
}

/// <summary>How bands follow market volatility.</summary>
public enum BandScaling
{
    /// <summary>Bands keep their width.</summary>
    None,
    /// <summary>Bands widen in proportion to volatility over the reference level (fewer trades in turbulent markets).</summary>
    Widen,
    /// <summary>Bands tighten in proportion to volatility over the reference level (more control in turbulent markets).</summary>
    Tighten,
}

/// <summary>
/// Volatility inputs of a trigger. The realized volatility itself comes from price history
/// (<see cref="Ballast.Drift.RealizedVolatility"/>) over <see cref="Window"/> periods, annualized, and reaches the
/// trigger through <see cref="MarketInputs.RealizedVolatility"/>.
/// </summary>
public sealed record VolatilityRule
{
    public const decimal MinScale = 0.25m;
    public const decimal MaxScale = 4m;
    /// <summary>The longest window, in return periods.</summary>
    public const int MaxWindow = 10_000;
    /// <summary>The highest volatility level or reference: 1,000% a year.</summary>
    public const decimal MaxLevel = 10m;

    /// <param name="window">Number of return periods in the window (21 trading days is about a month), 2..10,000.</param>
    /// <param name="level">Annualized volatility (a fraction, 0.20 = 20%) above which the volatility trigger fires; 0 to 10.</param>
    /// <param name="scaling">How the bands of a threshold trigger follow volatility.</param>
    /// <param name="reference">The volatility at which scaled bands have their stated width; above 0, at most 10.</param>
    public VolatilityRule(int window = 21, decimal? level = null, BandScaling scaling = BandScaling.None, decimal reference = 0.15m)
    {
        if (window is < 2 or > MaxWindow) throw new ArgumentOutOfRangeException(nameof(window), window, $"the volatility window is from 2 to {MaxWindow} periods");
        if (level is { } l && (l < 0 || l > MaxLevel)) throw new ArgumentOutOfRangeException(nameof(level), l, $"a volatility level is from 0 to {MaxLevel}");
        if (reference <= 0 || reference > MaxLevel) throw new ArgumentOutOfRangeException(nameof(reference), reference, $"the reference volatility is above 0 and at most {MaxLevel}");
        if (!Enum.IsDefined(scaling)) throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "unknown band scaling");
        Window = window;
        Level = level;
        Scaling = scaling;
        Reference = reference;
    }

    /// <summary>Number of return periods in the window.</summary>
    public int Window { get; }
    /// <summary>Annualized volatility above which the volatility trigger fires, or null.</summary>
    public decimal? Level { get; }
    /// <summary>How the bands of a threshold trigger follow volatility.</summary>
    public BandScaling Scaling { get; }
    /// <summary>The volatility at which scaled bands have their stated width. The scale factor is
    /// volatility / reference (or its inverse for tightening), clamped to 0.25..4.</summary>
    public decimal Reference { get; }

    /// <summary>The factor that multiplies band half-widths at volatility <paramref name="volatility"/>.</summary>
    public decimal BandFactor(decimal? volatility)
    {
        if (Scaling == BandScaling.None || volatility is not { } v || v <= 0) return 1;
        var f = Scaling == BandScaling.Widen ? v / Reference : Reference / v;
        return Math.Clamp(f, MinScale, MaxScale);
    }
}

/// <summary>
/// The trigger part of a policy: its kind, the default band, per-asset band overrides (an override replaces the
/// whole band for that asset) and the settings of volatility and performance triggers. What each kind does lives in
/// <see cref="Triggers.TriggerRule"/>'s folder, one class a kind.
/// </summary>
/// <remarks>
/// The one default: a threshold trigger without a default band gets the 5/25 band
/// (<see cref="Policy.DefaultBand"/>) for every asset its overrides do not name, whoever built it (a file, flags,
/// stored text, an experiment or code). <see cref="Band"/> reports the band in force.
/// </remarks>
public sealed record Trigger
{
    private readonly BandSpec _band;

    public Trigger(TriggerKind kind, BandSpec band = default, IReadOnlyDictionary<string, BandSpec>? overrides = null,
        VolatilityRule? volatility = null, PerformanceRule? performance = null)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown trigger kind");
        Kind = kind;
        _band = band;
        Overrides = overrides is { Count: > 0 } ? overrides : null;
        Volatility = volatility;
        Performance = performance;
    }

    public static Trigger Never { get; } = new(TriggerKind.Never);
    public static Trigger Always { get; } = new(TriggerKind.Always);

    public static Trigger Threshold(decimal? absolute, decimal? relative) => new(TriggerKind.Threshold, new BandSpec(absolute, relative));

    public TriggerKind Kind { get; init; }

    /// <summary>The default band: the one given, or for a threshold trigger given none, <see cref="Policy.DefaultBand"/>.</summary>
    public BandSpec Band
    {
        get => _band.IsEmpty && Kind == TriggerKind.Threshold ? Policy.DefaultBand : _band;
        init => _band = value;
    }

    /// <summary>True when the band was written out rather than taken from the default.</summary>
    public bool HasOwnBand => !_band.IsEmpty;

    /// <summary>Per-asset bands, or null for none.</summary>
    public IReadOnlyDictionary<string, BandSpec>? Overrides { get; init; }

    /// <summary>Volatility settings: the level of a volatility trigger, or the scaling of a threshold trigger's bands.</summary>
    public VolatilityRule? Volatility { get; init; }

    /// <summary>What a performance trigger compares, and its level.</summary>
    public PerformanceRule? Performance { get; init; }

    /// <summary>What this kind of trigger does.</summary>
    public TriggerRule Rule => TriggerRule.For(Kind);

    /// <summary>The band that applies to <paramref name="ticker"/>: its override, else the default band.</summary>
    public BandSpec BandFor(string ticker) =>
        Overrides is not null && Overrides.TryGetValue(ticker, out var b) ? b : Band;

    /// <summary>True when bands are shown and judged: a threshold trigger, or any trigger given a band.</summary>
    public bool HasBands => Kind == TriggerKind.Threshold || !_band.IsEmpty || Overrides is not null;

    public bool Equals(Trigger? other) =>
        other is not null && Kind == other.Kind && Band == other.Band && Equals(Volatility, other.Volatility)
        && Equals(Performance, other.Performance) && SameOverrides(Overrides, other.Overrides);

    public override int GetHashCode() => HashCode.Combine(Kind, Band, Volatility, Performance, Overrides?.Count ?? 0);

    private static bool SameOverrides(IReadOnlyDictionary<string, BandSpec>? a, IReadOnlyDictionary<string, BandSpec>? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a.Count != b.Count) return false;
        foreach (var (k, v) in a)
            if (!b.TryGetValue(k, out var w) || v != w) return false;
        return true;
    }
}

/// <summary>Where a rebalance takes the portfolio.</summary>
public enum RebalanceTarget
{
    /// <summary>Every asset to its target weight.</summary>
    Target,
    /// <summary>Tolerance bands with inner rails: sell what is above its upper rail down to the rail, buy what is below target.</summary>
    InnerRail,
}

/// <summary>
/// A rebalancing policy: a look schedule, a trigger and a rebalance-to rule. Calendar, threshold, hybrid and
/// band/inner-rail strategies are all values of these three parts.
/// </summary>
public sealed record Policy
{
    /// <summary>The band a threshold trigger uses when none is given: 5 percentage points or 25% of the target, whichever is smaller.</summary>
    public static readonly BandSpec DefaultBand = new(0.05m, 0.25m);

    /// <summary>The inner rail when none is given: 10% of the target.</summary>
    public const decimal DefaultRail = 0.10m;

    /// <summary>Daily look, 5/25 threshold, full rebalance.</summary>
    public static Policy Default { get; } = new(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m));

    private readonly decimal _rail = DefaultRail;
    private readonly decimal _cashBand;

    /// <param name="rail">Relative inner rail r for <see cref="RebalanceTarget.InnerRail"/>: rails at target × (1 ± r), from 0 to under 1. Default 0.10.</param>
    public Policy(LookSchedule look, Trigger trigger, RebalanceTarget rebalanceTo = RebalanceTarget.Target, decimal rail = DefaultRail)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (!Enum.IsDefined(rebalanceTo)) throw new ArgumentOutOfRangeException(nameof(rebalanceTo), rebalanceTo, "unknown rebalance-to rule");
        Look = look;
        Trigger = trigger;
        RebalanceTo = rebalanceTo;
        Rail = rail;
    }

    public LookSchedule Look { get; init; }
    public Trigger Trigger { get; init; }
    public RebalanceTarget RebalanceTo { get; init; }

    /// <summary>Relative inner rail, from 0 to under 1.</summary>
    public decimal Rail
    {
        get => _rail;
        init => _rail = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Rail), value, "a rail is from 0 to under 1 (0% to under 100% of the target)");
    }

    /// <summary>
    /// How much idle cash is tolerated, as a fraction of the portfolio's total value (0 to 1, default 0): when cash is
    /// not an asset class, cash above the reserve beyond this share is a reason to act (a check says so, a plan
    /// invests it). With 0, any cash a plan would invest counts. When nothing is invested, any such cash counts.
    /// </summary>
    public decimal CashBand
    {
        get => _cashBand;
        init => _cashBand = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CashBand), value, "the cash band is from 0 to 1 (0% to 100%)");
    }

    public string Describe()
    {
        var trigger = Trigger.Rule.Describe(Trigger);
        var to = RebalanceTo == RebalanceTarget.Target ? "to target" : $"to inner rails ({Rail * 100:0.##}%)";
        if (Trigger.Volatility is { Scaling: not BandScaling.None } vr)
            trigger += $", bands {(vr.Scaling == BandScaling.Widen ? "widening" : "tightening")} with volatility over {vr.Reference * 100:0.##}%";
        var max = Look.MaxIntervalDays is { } m ? $", or after {m} days" : "";
        var cash = CashBand > 0 ? $", idle cash over {CashBand * 100:0.##}%" : "";
        return $"look {Look}, {trigger}{max}{cash}, {to}";
    }
}
