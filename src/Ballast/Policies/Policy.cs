namespace Ballast.Policies;

/// <summary>
/// A tolerance band around a target weight. Its half-width is the absolute width (a fraction of the portfolio:
/// 0.05 is 5 percentage points), the relative width times the target (0.25 × 0.10 = 0.025), or the smaller of the
/// two when both are given (the 5/25 rule). A weight breaches the band only when strictly outside it.
/// </summary>
public readonly record struct BandSpec(decimal? Absolute, decimal? Relative)
{
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

/// <summary>What decides, at a look, whether to rebalance.</summary>
public enum TriggerKind
{
    /// <summary>Buy and hold: never rebalance (cash flows are still placed).</summary>
    Never,
    /// <summary>Rebalance at every look: calendar rebalancing.</summary>
    Always,
    /// <summary>Rebalance when any asset is strictly outside its band.</summary>
    Threshold,
    /// <summary>Rebalance when the portfolio's realized volatility exceeds a level (see <see cref="VolatilityRule"/>).</summary>
    Volatility,
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
/// Volatility inputs of a trigger. The realized volatility itself is computed by the caller from price history
/// (<see cref="Ballast.Drift.RealizedVolatility"/>) over <see cref="Window"/> periods, annualized, and given to the
/// portfolio as <see cref="Ballast.Portfolios.Portfolio.RealizedVolatility"/>.
/// </summary>
/// <param name="Window">Number of return periods in the window (21 trading days is about a month). 2..10,000.</param>
/// <param name="Level">Annualized volatility (a fraction, 0.20 = 20%) above which the volatility trigger fires.</param>
/// <param name="Scaling">How the bands of a threshold trigger follow volatility.</param>
/// <param name="Reference">The volatility at which scaled bands have their stated width. The scale factor is
/// volatility / reference (or its inverse for tightening), clamped to 0.25..4.</param>
public sealed record VolatilityRule(int Window = 21, decimal? Level = null, BandScaling Scaling = BandScaling.None, decimal Reference = 0.15m)
{
    public const decimal MinScale = 0.25m;
    public const decimal MaxScale = 4m;

    /// <summary>The factor that multiplies band half-widths at volatility <paramref name="volatility"/>.</summary>
    public decimal BandFactor(decimal? volatility)
    {
        if (Scaling == BandScaling.None || volatility is not { } v || v <= 0 || Reference <= 0) return 1;
        var f = Scaling == BandScaling.Widen ? v / Reference : Reference / v;
        return Math.Clamp(f, MinScale, MaxScale);
    }
}

/// <summary>The trigger part of a policy: its kind, the default band and per-asset band overrides (an override replaces the whole band for that asset).</summary>
public sealed record Trigger(TriggerKind Kind, BandSpec Band = default, IReadOnlyDictionary<string, BandSpec>? Overrides = null, VolatilityRule? Volatility = null)
{
    public static Trigger Never { get; } = new(TriggerKind.Never);
    public static Trigger Always { get; } = new(TriggerKind.Always);

    public static Trigger Threshold(decimal? absolute, decimal? relative) => new(TriggerKind.Threshold, new BandSpec(absolute, relative));

    /// <summary>The band that applies to <paramref name="ticker"/>: its override, else the default band.</summary>
    public BandSpec BandFor(string ticker) =>
        Overrides is not null && Overrides.TryGetValue(ticker, out var b) ? b : Band;
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
/// <param name="Rail">Relative inner rail r for <see cref="RebalanceTarget.InnerRail"/>: rails at target × (1 ± r). Default 0.10.</param>
public sealed record Policy(LookSchedule Look, Trigger Trigger, RebalanceTarget RebalanceTo = RebalanceTarget.Target, decimal Rail = 0.10m)
{
    /// <summary>Daily look, 5/25 threshold, full rebalance.</summary>
    public static Policy Default { get; } = new(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m));

    public string Describe()
    {
        var trigger = Trigger.Kind switch
        {
            TriggerKind.Never => "never rebalance",
            TriggerKind.Always => "rebalance at every look",
            TriggerKind.Volatility => $"rebalance when {Trigger.Volatility?.Window ?? 21}-period volatility exceeds {(Trigger.Volatility?.Level ?? 0) * 100:0.##}%",
            _ => $"rebalance outside {Trigger.Band} bands",
        };
        var to = RebalanceTo == RebalanceTarget.Target ? "to target" : $"to inner rails ({Rail * 100:0.##}%)";
        if (Trigger.Volatility is { Scaling: not BandScaling.None } vr)
            trigger += $", bands {(vr.Scaling == BandScaling.Widen ? "widening" : "tightening")} with volatility over {vr.Reference * 100:0.##}%";
        var max = Look.MaxIntervalDays is { } m ? $", or after {m} days" : "";
        return $"look {Look}, {trigger}{max}, {to}";
    }
}
