using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Input;

/// <summary>
/// Checks the rules a portfolio must satisfy whatever it was read from: target weights, prices, amounts,
/// and a policy whose inner rails lie inside its bands. Returns every problem found.
/// </summary>
public static class PortfolioValidator
{
    /// <summary>Targets must sum to 1 within this tolerance (0.01 percentage point).</summary>
    public const decimal TargetTolerance = 0.0001m;

    public static List<InputProblem> Validate(Portfolio p, string? file = null)
    {
        var problems = new List<InputProblem>();
        void Add(string field, string message) => problems.Add(new InputProblem(message, file, Field: field));

        if (p.Cash < 0) Add("cash", $"must not be negative (got {p.Cash})");
        if (p.Cash > Values.MaxAmount) Add("cash", $"{p.Cash} is too large: Ballast accepts amounts up to {Values.MaxAmount:#,0}");
        if (p.Targets.Count == 0) Add("targets", "no target weights: give targets or a model");
        decimal sum = 0;
        foreach (var t in p.Targets)
        {
            if (t.Weight < 0 || t.Weight > 1) Add($"targets.{t.Ticker}", $"weight {t.Weight * 100}% is outside 0%..100%");
            sum += t.Weight;
        }
        if (p.Targets.Count > 0 && Math.Abs(sum - 1) > TargetTolerance)
            Add("targets", $"weights sum to {sum * 100:0.####}%, not 100% (use --normalize to rescale them)");

        decimal invested = 0;
        foreach (var pos in p.Positions)
        {
            if (pos.Value < 0) Add($"holdings.{pos.Ticker}.value", $"must not be negative (got {pos.Value})");
            if (pos.Quantity < 0) Add($"holdings.{pos.Ticker}.quantity", $"must not be negative (got {pos.Quantity})");
            invested += pos.Value;
        }
        if (invested + p.Cash > Values.MaxAmount)
            Add("holdings", $"the portfolio's total value is too large: Ballast accepts amounts up to {Values.MaxAmount:#,0}");

        var ex = p.Execution;
        if (ex.MinTrade < 0) Add("execution.minTrade", "must not be negative");
        if (ex.CashReserve < 0) Add("execution.cashReserve", "must not be negative");
        if (ex.Costs.FixedPerTrade < 0 || ex.Costs.CommissionBps < 0 || ex.Costs.HalfSpreadBps < 0) Add("execution", "costs must not be negative");
        if (ex.Costs.Rate >= 0.5m) Add("execution", "commission and half-spread together must be under 5,000bp");
        if (ex.MoneyDecimals is < 0 or > 8) Add("execution.moneyDecimals", "must be from 0 to 8");
        if (ex.QuantityDecimals is < 0 or > 12) Add("execution.quantityDecimals", "must be from 0 to 12");

        ValidatePolicy(p.Policy, p.Targets, file, problems, p.Securities);
        return problems;
    }

    /// <summary>
    /// The policy gate every source passes after building a policy (a file, flags, stored text, an experiment, a
    /// tuning grid): the trigger kind's own needs (<see cref="Policies.Triggers.TriggerRule.Validate"/>), bands that
    /// name targets, and inner rails strictly inside the bands. Ranges were checked when the values were read.
    /// </summary>
    /// <param name="securities">Securities by ticker, for asset classes named by a performance trigger, or null.</param>
    public static void ValidatePolicy(Policy policy, IReadOnlyList<TargetWeight> targets, string? file, List<InputProblem> problems,
        IReadOnlyDictionary<string, Security>? securities = null)
    {
        var trigger = policy.Trigger;
        trigger.Rule.Validate(trigger, targets, securities, file, problems);
        if (trigger.Overrides is not null)
            foreach (var ticker in trigger.Overrides.Keys)
            {
                var named = false;
                foreach (var t in targets) named |= t.Ticker == ticker;
                if (!named) problems.Add(new InputProblem($"has a band but is not among the targets", file, Field: $"policy.bands.{ticker}"));
            }
        if (policy.RebalanceTo != RebalanceTarget.InnerRail || trigger.Kind != TriggerKind.Threshold) return;
        foreach (var t in targets)
        {
            if (t.Weight == 0) continue;
            if (trigger.BandFor(t.Ticker).HalfWidth(t.Weight) is not { } half) continue;
            var rail = policy.Rail * t.Weight;
            if (rail >= half)
            {
                problems.Add(new InputProblem(
                    $"the inner rail ({policy.Rail * 100:0.##}% of target: ±{rail * 100:0.####}pp) is not inside the band (±{half * 100:0.####}pp) for {t.Ticker}",
                    file, Field: "policy.rail"));
                return;
            }
        }
    }
}
