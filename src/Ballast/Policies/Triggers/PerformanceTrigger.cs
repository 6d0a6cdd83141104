using System.Numerics;
using Ballast.Drift;
using Ballast.Input;
using Ballast.Portfolios;

namespace Ballast.Policies.Triggers;

/// <summary>
/// What a performance trigger compares: the return since the last rebalance of <see cref="Leader"/> (a ticker or an
/// asset class), or its spread over <see cref="Laggard"/>'s, against <see cref="Level"/>.
/// </summary>
/// <remarks>
/// A group's return is the average of its members' price returns weighted by their target weights (a fixed mix, so
/// cash flows and trades between rebalances do not move it). The trigger fires when the return, or the spread,
/// is strictly beyond the level in either direction: stocks beating bonds by 15 pp, or trailing them by 15 pp, both
/// move the mix.
/// </remarks>
public sealed record PerformanceRule
{
    /// <summary>The highest level: a return or spread of 1,000%.</summary>
    public const decimal MaxLevel = 10m;

    /// <param name="leader">A target ticker or asset class.</param>
    /// <param name="laggard">Another ticker or asset class to compare with, or null to judge the leader's own return.</param>
    /// <param name="level">The return or spread (a fraction: 0.15 = 15 pp) beyond which the trigger fires; above 0, at most 10.</param>
    public PerformanceRule(string leader, string? laggard, decimal level)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(leader);
        if (laggard is not null) ArgumentException.ThrowIfNullOrWhiteSpace(laggard);
        if (level <= 0 || level > MaxLevel) throw new ArgumentOutOfRangeException(nameof(level), level, $"a performance level is above 0 and at most {MaxLevel}");
        if (laggard is not null && string.Equals(leader, laggard, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("a spread compares two different groups", nameof(laggard));
        Leader = leader;
        Laggard = laggard;
        Level = level;
    }

    public string Leader { get; }
    public string? Laggard { get; }
    public decimal Level { get; }

    public override string ToString() =>
        Laggard is null ? $"{Leader} return beyond ±{Level * 100:0.##}%" : $"{Leader} against {Laggard} beyond ±{Level * 100:0.##}pp";
}

/// <summary>
/// Rebalances when an asset's or asset class's return since the last rebalance, or the spread between two of them,
/// passes a level (<see cref="PerformanceRule"/>). Needs the prices at the last rebalance:
/// <see cref="MarketInputs.PricesAtLastRebalance"/> live, the series' closes in a backtest.
/// </summary>
internal sealed class PerformanceTrigger : TriggerRule
{
    public override TriggerKind Kind => TriggerKind.Performance;
    public override string Word => "performance";

    public override string Describe(Trigger trigger) =>
        trigger.Performance is { } p ? $"rebalance when {p}" : "rebalance on performance";

    public override void Validate(Trigger trigger, IReadOnlyList<TargetWeight> targets, IReadOnlyDictionary<string, Security>? securities, string? file, List<InputProblem> problems)
    {
        if (trigger.Performance is not { } rule)
        {
            problems.Add(new InputProblem("a performance trigger needs performance: { leader: ..., level: ... }", file, Field: "policy.performance"));
            return;
        }
        Check(rule.Leader, "policy.performance.leader");
        if (rule.Laggard is { } lag) Check(lag, "policy.performance.laggard");

        void Check(string group, string field)
        {
            foreach (var t in targets)
            {
                if (t.Ticker == Portfolio.CashTicker) continue;
                if (IsMember(group, t.Ticker, securities is not null && securities.TryGetValue(t.Ticker, out var s) ? s.AssetClass : null)) return;
            }
            problems.Add(new InputProblem($"'{group}' is neither a target ticker nor the asset class of one", file, Field: field));
        }
    }

    private static bool IsMember(string group, string ticker, string? assetClass) =>
        string.Equals(group, ticker, StringComparison.OrdinalIgnoreCase)
        || (assetClass is not null && string.Equals(group, assetClass, StringComparison.OrdinalIgnoreCase));

    /// <summary>Each entry's weight in the leading and lagging groups: target weights, normalized to sum to 1 within a group.</summary>
    internal static void PrepareGroups<T>(TriggerFacts<T> f, PerformanceRule? rule, Func<string, string?>? assetClass)
        where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = f.Book;
        f.HasLaggard = rule?.Laggard is not null;
        f.PerformanceLevel = rule is null ? T.Zero : T.CreateChecked(rule.Level);
        Weigh(f.LeaderWeights, rule?.Leader);
        Weigh(f.LaggardWeights, rule?.Laggard);

        void Weigh(T[] weights, string? group)
        {
            var n = book.Count;
            var sum = T.Zero;
            var members = 0;
            for (var i = 0; i < n; i++)
            {
                weights[i] = T.Zero;
                if (group is null || !book.InTargets[i] || !IsMember(group, book.Tickers[i], assetClass?.Invoke(book.Tickers[i]))) continue;
                weights[i] = book.Targets[i];
                sum += weights[i];
                members++;
            }
            for (var i = 0; i < n; i++)
            {
                if (group is null || !book.InTargets[i] || !IsMember(group, book.Tickers[i], assetClass?.Invoke(book.Tickers[i]))) continue;
                // Members with no target weight at all share equally.
                weights[i] = sum > T.Zero ? weights[i] / sum : T.One / T.CreateTruncating(members);
            }
        }
    }

    private protected override bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash) =>
        Spread(facts, out var s) && Math.Abs(s) > facts.PerformanceLevel;

    private protected override bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash) =>
        Spread(facts, out var s) && Math.Abs(s) > facts.PerformanceLevel;

    /// <summary>The leader's return minus the laggard's (or the leader's alone) since the last rebalance; false when a price is missing.</summary>
    internal static bool Spread<T>(TriggerFacts<T> f, out T spread) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        spread = T.Zero;
        if (!Return(f, f.LeaderWeights, out var lead)) return false;
        var lag = T.Zero;
        if (f.HasLaggard && !Return(f, f.LaggardWeights, out lag)) return false;
        spread = lead - lag;
        return true;
    }

    private static bool Return<T>(TriggerFacts<T> f, T[] weights, out T r) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        var book = f.Book;
        r = T.Zero;
        var any = false;
        for (var i = 0; i < book.Count; i++)
        {
            if (weights[i] == T.Zero) continue;
            var then = f.PricesThen[i];
            var now = book.Prices[i];
            if (then <= T.Zero || now <= T.Zero) return false;
            r += weights[i] * (now / then - T.One);
            any = true;
        }
        return any;
    }

    internal override void Explain(TriggerFacts<decimal> f, TriggerExplanation e)
    {
        var rule = f.Policy.Trigger.Performance;
        if (rule is null) return;
        if (!Spread(f, out var spread))
        {
            e.Warnings.Add("the performance trigger needs the prices at the last rebalance (pricesAtLastRebalance or priceHistory in the file, or --prices) and today's price of every asset it compares; it cannot fire without them");
            return;
        }
        Return(f, f.LeaderWeights, out var lead);
        var level = rule.Level;
        string Text()
        {
            if (rule.Laggard is null) return $"{rule.Leader} returned {lead * 100:0.00}% since the last rebalance";
            Return(f, f.LaggardWeights, out var lag);
            return $"{rule.Leader} returned {lead * 100:0.00}% and {rule.Laggard} {lag * 100:0.00}% since the last rebalance: a spread of {spread * 100:0.00}pp";
        }
        if (Math.Abs(spread) > level) e.Reasons.Add(new Reason(() => $"{Text()}, beyond ±{level * 100:0.00}{(rule.Laggard is null ? "%" : "pp")}"));
        else if (!e.IntervalExceeded) e.Reasons.Add(new Reason(() => $"{Text()}, within ±{level * 100:0.00}{(rule.Laggard is null ? "%" : "pp")}"));
    }
}
