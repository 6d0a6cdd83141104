using System.Numerics;
using Ballast.Drift;
using Ballast.Input;
using Ballast.Portfolios;

namespace Ballast.Policies.Triggers;

/// <summary>
/// Rebalances when the portfolio's realized volatility over the policy's window is above the level. The volatility
/// comes from price history: the backtester's own series, or for a live portfolio a price history (a file or the
/// store's prices) through <see cref="MarketInputs.RealizedVolatility"/>.
/// </summary>
internal sealed class VolatilityTrigger : TriggerRule
{
    public override TriggerKind Kind => TriggerKind.Volatility;
    public override string Word => "volatility";

    public override string Describe(Trigger trigger) =>
        $"rebalance when {trigger.Volatility?.Window ?? 21}-period volatility exceeds {(trigger.Volatility?.Level ?? 0) * 100:0.##}%";

    public override void Validate(Trigger trigger, IReadOnlyList<TargetWeight> targets, IReadOnlyDictionary<string, Security>? securities, string? file, List<InputProblem> problems)
    {
        if (trigger.Volatility?.Level is null)
            problems.Add(new InputProblem("a volatility trigger needs volatility: { level: ... }", file, Field: "policy.volatility.level"));
    }

    private protected override bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash) => Above(facts);

    private protected override bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash) => Above(facts);

    private static bool Above<T>(TriggerFacts<T> f) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T> =>
        f.VolatilityKnown && f.LevelKnown && f.Volatility > f.Level;

    /// <summary>The factor that multiplies band half-widths at <paramref name="volatility"/>: volatility / reference
    /// (or its inverse for tightening), clamped to 0.25..4; 1 when the volatility is unknown or not above 0.</summary>
    internal static T BandFactor<T>(VolatilityRule rule, T? volatility) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        if (rule.Scaling == BandScaling.None || volatility is not { } v || v <= T.Zero) return T.One;
        var reference = T.CreateChecked(rule.Reference);
        var f = rule.Scaling == BandScaling.Widen ? v / reference : reference / v;
        return T.Clamp(f, T.CreateChecked(VolatilityRule.MinScale), T.CreateChecked(VolatilityRule.MaxScale));
    }

    internal override void Explain(TriggerFacts<decimal> f, TriggerExplanation e)
    {
        if (!f.VolatilityKnown || !f.LevelKnown)
        {
            e.Warnings.Add("the volatility trigger needs the portfolio's realized volatility: give a price history (priceHistory in the file, or --prices); it cannot fire without it");
            return;
        }
        var vol = f.Volatility;
        var level = f.Level;
        if (vol > level) e.Reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is above {level * 100:0.00}%"));
        else if (!e.IntervalExceeded) e.Reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is at or below {level * 100:0.00}%"));
    }
}
