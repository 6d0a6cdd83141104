namespace Ballast.Policies.Triggers;

/// <summary>Buy and hold: never rebalances. Cash flows are still placed, and the maximum interval still applies.</summary>
internal sealed class NeverTrigger : TriggerRule
{
    public override TriggerKind Kind => TriggerKind.Never;
    public override string Word => "never";
    public override IReadOnlyList<string> Aliases => ["none", "buy-and-hold"];

    public override string Describe(Trigger trigger) => "never rebalance";

    private protected override bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash) => false;

    private protected override bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash) => false;

    internal override bool SurelyQuiet(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash, double margin) => true;

    internal override void Explain(TriggerFacts<decimal> facts, TriggerExplanation e)
    {
        if (!e.IntervalExceeded) e.Reasons.Add(new Drift.Reason("the policy never rebalances (buy and hold)"));
    }
}
