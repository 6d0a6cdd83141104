using System.Numerics;
using Ballast.Drift;

namespace Ballast.Policies.Triggers;

/// <summary>
/// Rebalances when any asset is strictly outside its band, when a holding has no target, or when cash (as an asset
/// class) is outside its band. Bands may follow volatility (<see cref="VolatilityRule.Scaling"/>).
/// </summary>
internal sealed class ThresholdTrigger : TriggerRule
{
    public override TriggerKind Kind => TriggerKind.Threshold;
    public override string Word => "threshold";
    public override IReadOnlyList<string> Aliases => ["band", "bands"];

    public override string Describe(Trigger trigger) => $"rebalance outside {trigger.Band} bands";

    private protected override bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash) => AnyBreach(facts, values, cash);

    private protected override bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash) => AnyBreach(facts, values, cash);

    /// <summary>True when some entry (or cash as an asset) is strictly outside its band.</summary>
    internal static bool AnyBreach<T>(TriggerFacts<T> f, ReadOnlySpan<T> values, T cash) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = f.Book;
        var basis = f.Basis(values, cash);
        // Nothing at all to weigh: no band can be missed.
        if (basis <= T.Zero && cash <= T.Zero) return false;
        for (var i = 0; i < book.Count; i++)
            if (f.HasBand[i] && Bands.Status(values[i], book.Targets[i], f.HalfOf(i), basis) != BandStatus.Within) return true;
        if (f.HasCashBand)
        {
            var half = f.BandFactor == T.One ? f.CashHalf : f.CashHalf * f.BandFactor;
            if (Bands.Status(cash, book.CashTarget, half, basis) != BandStatus.Within) return true;
        }
        return false;
    }

    /// <summary>
    /// Every band holds with <paramref name="margin"/> of the basis to spare, so the exact comparison agrees that none
    /// is breached (the simulation's pre-check; it derives from the same bands as <see cref="AnyBreach{T}"/>).
    /// </summary>
    internal override bool SurelyQuiet(TriggerFacts<double> f, ReadOnlySpan<double> values, double cash, double margin)
    {
        var book = f.Book;
        var basis = f.Basis(values, cash);
        if (!(basis > 0)) return false;
        var eps = margin * basis;
        for (var i = 0; i < book.Count; i++)
        {
            if (!f.HasBand[i]) continue;
            if (!Inside(values[i], book.Targets[i], f.HalfOf(i), basis, eps)) return false;
        }
        return !f.HasCashBand || Inside(cash, book.CashTarget, f.CashHalf * f.BandFactor, basis, eps);
    }

    private static bool Inside(double value, double target, double half, double basis, double eps)
    {
        if (value > (target + half) * basis - eps) return false;
        var lower = target - half;
        return !(lower > 0 && value < lower * basis + eps);
    }

    internal override void Explain(TriggerFacts<decimal> facts, TriggerExplanation e)
    {
        if (e.Breaches is not null) e.Reasons.AddRange(e.Breaches);
        else if (!e.IntervalExceeded) e.Reasons.Add(new Reason("every asset is within its band"));
    }
}
