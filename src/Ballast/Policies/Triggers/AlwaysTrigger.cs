namespace Ballast.Policies.Triggers;

/// <summary>Calendar rebalancing: every look that is due rebalances.</summary>
internal sealed class AlwaysTrigger : TriggerRule
{
    public override TriggerKind Kind => TriggerKind.Always;
    public override string Word => "always";
    public override IReadOnlyList<string> Aliases => ["calendar"];

    public override string Describe(Trigger trigger) => "rebalance at every look";

    private protected override bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash) => true;

    private protected override bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash) => true;

    internal override void Explain(TriggerFacts<decimal> facts, TriggerExplanation e)
    {
        var look = facts.Policy.Look;
        e.Reasons.Add(new Drift.Reason(() => $"calendar rebalance at the {look} look"));
        if (e.Breaches is not null) e.Reasons.AddRange(e.Breaches);
    }
}
