using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Operations.Accounts;

/// <summary>What an account's restrictions make of its plan: the portfolio and request to plan, or why it is skipped.</summary>
/// <param name="Portfolio">The portfolio to plan: the account's, with a target above a maximum weight lowered to it.</param>
/// <param name="Request">The request with the restrictions' buy and sell limits (and a forced rebalance when a maximum weight is passed).</param>
/// <param name="Skip">Why the account is not planned (<c>hold: ...</c>, <c>restricted: ...</c>), or null.</param>
/// <param name="SkipKind">The skip's cause in a word: <see cref="Restrictions.Hold"/> or <see cref="Restrictions.Restricted"/>.</param>
/// <param name="Notes">The restrictions that bind the plan, in words (<c>do-not-buy VXUS</c>), for its verdict.</param>
public sealed record RestrictedPlanning(Portfolio Portfolio, PlanRequest Request, string? Skip, string? SkipKind, IReadOnlyList<string> Notes);

/// <summary>
/// Turns an account's restrictions into what the engine plans with, never editing a plan's output: a hold or an untradable
/// target skips the account; do-not-buy is a buy limit of 0 and do-not-sell a sell limit of 0; a maximum weight m of a ticker
/// is a buy limit of max(0, m × value after the plan's cash flow − its value), its target is lowered to m when above it
/// (the excess spread over the other targets pro rata), and an account already above m is rebalanced to target, so the excess
/// is sold down to m. An untradable ticker the account holds but does not target is neither bought nor sold.
/// </summary>
public static class Restrictions
{
    /// <summary>Skip kinds.</summary>
    public const string Hold = "hold", Restricted = "restricted";

    public static RestrictedPlanning Apply(Portfolio portfolio, AccountRestrictions restrictions, PlanRequest request, string? model)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(restrictions);
        ArgumentNullException.ThrowIfNull(request);
        if (restrictions.IsEmpty) return new(portfolio, request, null, null, []);
        if (restrictions.Hold is { } hold) return new(portfolio, request, $"{Hold}: {hold}", Hold, []);

        var targeted = portfolio.Targets.Where(t => t.Weight > 0).Select(t => t.Ticker).ToHashSet(StringComparer.Ordinal);
        var held = portfolio.Positions.Select(p => p.Ticker).ToHashSet(StringComparer.Ordinal);
        foreach (var r in restrictions.Restrictions)
        {
            if (r.Kind == RestrictionKind.Untradable && targeted.Contains(r.Ticker))
            {
                var owner = model is null ? "its targets need adjustment" : $"model {model} needs adjustment";
                return new(portfolio, request, $"{Restricted}: {owner}: {r.Ticker} is untradable", Restricted, []);
            }
        }

        var buy = request.BuyLimits is null ? new Dictionary<string, decimal>(StringComparer.Ordinal) : new Dictionary<string, decimal>(request.BuyLimits, StringComparer.Ordinal);
        var sell = request.SellLimits is null ? new Dictionary<string, decimal>(StringComparer.Ordinal) : new Dictionary<string, decimal>(request.SellLimits, StringComparer.Ordinal);
        var notes = new List<string>();
        var force = request.ForceRebalance;
        var targets = portfolio.Targets;
        var after = portfolio.InvestedValue + portfolio.Cash + request.Deposit - request.Withdraw;
        // The tightest maximum weight of each ticker, of the account, its household or the firm.
        var maxWeights = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var r in restrictions.Restrictions)
        {
            if (!targeted.Contains(r.Ticker) && !held.Contains(r.Ticker)) continue;
            switch (r.Kind)
            {
                case RestrictionKind.DoNotBuy:
                    Limit(buy, r.Ticker, 0);
                    Note(notes, r.Describe());
                    break;
                case RestrictionKind.DoNotSell:
                    Limit(sell, r.Ticker, 0);
                    Note(notes, r.Describe());
                    break;
                case RestrictionKind.Untradable:
                    Limit(buy, r.Ticker, 0);
                    Limit(sell, r.Ticker, 0);
                    Note(notes, r.Describe());
                    break;
                case RestrictionKind.MaxWeight when r.MaxWeight is { } m:
                    maxWeights[r.Ticker] = maxWeights.TryGetValue(r.Ticker, out var other) ? Math.Min(other, m) : m;
                    break;
            }
        }
        foreach (var (ticker, m) in maxWeights.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            var value = portfolio.Positions.Where(p => p.Ticker == ticker).Sum(p => p.Value);
            // The one rule of a maximum weight: what may be bought is the room below m × the value after the cash flow.
            Limit(buy, ticker, Math.Max(0, m * after - value));
            targets = LowerTarget(targets, ticker, m);
            var note = $"max-weight {ticker} {m * 100:0.####}%";
            if (after > 0 && value > m * after)
            {
                force = true;
                note += " (above it: sold down)";
            }
            Note(notes, note);
        }
        var planned = portfolio;
        if (!ReferenceEquals(targets, portfolio.Targets)) planned = planned with { Targets = targets };
        if (force && !request.ForceRebalance && maxWeights.Count > 0)
            planned = planned with { Policy = planned.Policy with { RebalanceTo = RebalanceTarget.Target } };
        var limited = request with
        {
            BuyLimits = buy.Count == 0 ? request.BuyLimits : buy,
            SellLimits = sell.Count == 0 ? request.SellLimits : sell,
            ForceRebalance = force,
        };
        return new(planned, limited, null, null, notes);
    }

    /// <summary>The models whose latest targets name a firm-wide untradable security: they need adjustment, and their
    /// accounts are skipped until then. One row per model and ticker, by model name.</summary>
    public static IReadOnlyList<(string Model, string Ticker)> ModelsNeedingAdjustment(BallastStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var untradable = store.Restrictions().Where(r => r.Kind == RestrictionKind.Untradable).Select(r => r.Ticker).ToHashSet(StringComparer.Ordinal);
        if (untradable.Count == 0) return [];
        var result = new List<(string, string)>();
        foreach (var listing in store.ListModels().OrderBy(m => m.Name, StringComparer.Ordinal))
            if (store.GetModel(listing.Name) is { } model)
                foreach (var (ticker, weight) in model.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
                    if (weight > 0 && untradable.Contains(ticker)) result.Add((listing.Name, ticker));
        return result;
    }

    private static void Limit(Dictionary<string, decimal> limits, string ticker, decimal limit) =>
        limits[ticker] = limits.TryGetValue(ticker, out var other) ? Math.Min(other, limit) : limit;

    private static void Note(List<string> notes, string note)
    {
        if (!notes.Contains(note)) notes.Add(note);
    }

    /// <summary>The targets with <paramref name="ticker"/>'s weight at most <paramref name="max"/>, the excess spread over the
    /// other non-zero targets in proportion to their weights (the last takes the rounding remainder); unchanged when within.</summary>
    private static IReadOnlyList<TargetWeight> LowerTarget(IReadOnlyList<TargetWeight> targets, string ticker, decimal max)
    {
        var index = -1;
        for (var i = 0; i < targets.Count; i++)
            if (targets[i].Ticker == ticker) index = i;
        if (index < 0 || targets[index].Weight <= max) return targets;
        var excess = targets[index].Weight - max;
        var others = targets.Where((t, i) => i != index && t.Weight > 0).Sum(t => t.Weight);
        if (others <= 0) return targets;
        var result = targets.ToArray();
        result[index] = result[index] with { Weight = max };
        var last = Array.FindLastIndex(result, t => t.Ticker != ticker && t.Weight > 0);
        var given = 0m;
        for (var i = 0; i < result.Length; i++)
        {
            if (i == index || result[i].Weight <= 0 || i == last) continue;
            var share = Math.Round(excess * result[i].Weight / others, 10, MidpointRounding.ToZero);
            result[i] = result[i] with { Weight = result[i].Weight + share };
            given += share;
        }
        result[last] = result[last] with { Weight = result[last].Weight + excess - given };
        return result;
    }
}
