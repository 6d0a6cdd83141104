using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ballast.Drift;
using Ballast.Input;
using Ballast.Portfolios;

namespace Ballast.Policies.Triggers;

/// <summary>
/// What one kind of trigger does: its words in policy text, its checks, whether it fires, and how it explains
/// itself. One class per <see cref="TriggerKind"/> lives in this folder; <see cref="For"/> finds it. The drift report,
/// the planner (before and after a cash flow), households, stored accounts and both backtest steps decide through
/// the same <see cref="Fires{T}"/>.
/// </summary>
/// <remarks>
/// Adding a kind: a value in <see cref="TriggerKind"/>, a class here deriving from this one, its line in
/// <see cref="All"/>, and any settings it reads in <see cref="PolicyReader"/> and <see cref="PortfolioWriter"/>.
/// </remarks>
public abstract class TriggerRule
{
    /// <summary>Every trigger kind, in <see cref="TriggerKind"/> order.</summary>
    public static IReadOnlyList<TriggerRule> All { get; } =
        [new NeverTrigger(), new AlwaysTrigger(), new ThresholdTrigger(), new VolatilityTrigger(), new PerformanceTrigger()];

    /// <summary>The rules of <paramref name="kind"/>.</summary>
    public static TriggerRule For(TriggerKind kind) => All[(int)kind];

    /// <summary>Finds the kind named <paramref name="word"/> (its name or an alias, any case).</summary>
    public static bool TryParse(string word, out TriggerKind kind)
    {
        var w = word.Trim().ToLowerInvariant();
        foreach (var rule in All)
        {
            if (rule.Word == w || rule.Aliases.Contains(w))
            {
                kind = rule.Kind;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>The words policy text accepts, for messages.</summary>
    public static string Words => string.Join(", ", All.Select(r => r.Word));

    public abstract TriggerKind Kind { get; }

    /// <summary>The kind's name in policy text.</summary>
    public abstract string Word { get; }

    /// <summary>Other names accepted for it.</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>A phrase for the policy's description: "rebalance outside 5pp/25% bands".</summary>
    public abstract string Describe(Trigger trigger);

    /// <summary>Checks the settings this kind needs, against the targets (and securities, for asset classes).</summary>
    public virtual void Validate(Trigger trigger, IReadOnlyList<TargetWeight> targets, IReadOnlyDictionary<string, Security>? securities, string? file, List<InputProblem> problems)
    {
    }

    /// <summary>Whether the trigger fires on <paramref name="values"/> (per book entry) and <paramref name="cash"/>.</summary>
    internal bool Fires<T>(TriggerFacts<T> facts, ReadOnlySpan<T> values, T cash) where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
    {
        // The JIT keeps one branch per number type, so the two virtual calls below cost what one does.
        if (typeof(T) == typeof(double))
            return Fires(Unsafe.As<TriggerFacts<double>>(facts), MemoryMarshal.Cast<T, double>(values), Unsafe.As<T, double>(ref cash));
        if (typeof(T) == typeof(decimal))
            return Fires(Unsafe.As<TriggerFacts<decimal>>(facts), MemoryMarshal.Cast<T, decimal>(values), Unsafe.As<T, decimal>(ref cash));
        throw new NotSupportedException($"no trigger arithmetic in {typeof(T).Name}");
    }

    /// <summary>Whether the trigger fires, in decimal. Implementations forward to one generic evaluation.</summary>
    private protected abstract bool Fires(TriggerFacts<decimal> facts, ReadOnlySpan<decimal> values, decimal cash);

    /// <summary>Whether the trigger fires, in double. Implementations forward to the same generic evaluation.</summary>
    private protected abstract bool Fires(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash);

    /// <summary>
    /// True when the trigger surely does not fire on these double values, with <paramref name="margin"/> (a fraction
    /// of the basis) to spare, so the exact decimal verdict must agree: the simulation may then skip the planner.
    /// False when unsure.
    /// </summary>
    internal virtual bool SurelyQuiet(TriggerFacts<double> facts, ReadOnlySpan<double> values, double cash, double margin) => false;

    /// <summary>Adds the reasons for the verdict of a look that is due (and the warnings of missing market facts).</summary>
    internal abstract void Explain(TriggerFacts<decimal> facts, TriggerExplanation explanation);
}

/// <summary>What a trigger explains itself with: the verdict, the band breaches found, and where reasons and warnings go.</summary>
internal sealed class TriggerExplanation(List<Reason> reasons, List<string> warnings, List<Reason>? breaches, bool intervalExceeded, bool fires)
{
    public List<Reason> Reasons { get; } = reasons;
    public List<string> Warnings { get; } = warnings;
    /// <summary>Assets outside their bands (or held without a target), as reasons; null when none.</summary>
    public List<Reason>? Breaches { get; } = breaches;
    public bool IntervalExceeded { get; } = intervalExceeded;
    public bool Fires { get; } = fires;
}
