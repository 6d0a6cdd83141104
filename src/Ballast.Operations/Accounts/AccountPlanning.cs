using Ballast.Drift;
using Ballast.Planning;
using Ballast.Store;

namespace Ballast.Operations.Accounts;

/// <summary>One stored account planned under its restrictions.</summary>
/// <param name="Stored">The account as converted; its portfolio is the one planned (a target above a maximum weight lowered).</param>
/// <param name="Plan">The plan, or null when the account is skipped.</param>
/// <param name="Skip">Why it is not planned: it cannot be (no model, no price), a hold, or an untradable target.</param>
/// <param name="SkipKind"><see cref="AccountPlanning.CannotPlan"/>, <see cref="Restrictions.Hold"/> or <see cref="Restrictions.Restricted"/>.</param>
/// <param name="Notes">The restrictions that bound the plan, in words (<c>do-not-buy VXUS</c>).</param>
public sealed record StoredAccountPlan(StoredPortfolio Stored, Plan? Plan, string? Skip, string? SkipKind, IReadOnlyList<string> Notes)
{
    /// <summary>The notes as a verdict's tail: <c>; do-not-buy VXUS; max-weight VTI 25%</c>, or empty.</summary>
    public string NotesText => Notes.Count == 0 ? "" : "; " + string.Join("; ", Notes);
}

/// <summary>One stored account checked: its drift report (null when it cannot be checked) and a hold or untradable target that stops it.</summary>
public sealed record StoredAccountCheck(StoredPortfolio Stored, DriftReport? Report, string? Skip, string? SkipKind)
{
    /// <summary>Whether someone must act: a held account needs nothing now; one whose model targets an untradable security needs
    /// its model adjusted; otherwise what its drift report says (an account that cannot be checked needs action).</summary>
    public bool NeedsAction => SkipKind switch
    {
        Restrictions.Hold => false,
        Restrictions.Restricted => true,
        _ => Report?.NeedsAction ?? true,
    };
}

/// <summary>
/// The account use case every host calls: a stored account and its restrictions become the engine's request (through
/// <see cref="Restrictions"/>) and the plan, or the reason it is skipped. The window run and <c>ballast check</c> and
/// <c>ballast plan</c> over stored accounts plan through it, so they apply the same restrictions the same way.
/// </summary>
public static class AccountPlanning
{
    public const string CannotPlan = "cannot plan";

    /// <summary>Plans one account under its restrictions.</summary>
    public static StoredAccountPlan Plan(StoredPortfolio stored, AccountRestrictions restrictions, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Portfolio is not { } portfolio) return new(stored, null, stored.Error, CannotPlan, []);
        var r = Restrictions.Apply(portfolio, restrictions ?? AccountRestrictions.None, request, stored.Account.Model);
        if (r.Skip is not null) return new(stored, null, r.Skip, r.SkipKind, r.Notes);
        var planned = ReferenceEquals(r.Portfolio, portfolio) ? stored : stored with { Portfolio = r.Portfolio };
        return new(planned, Planner.Create(r.Portfolio, r.Request), null, null, r.Notes);
    }

    /// <summary>Checks one account: its drift as it stands, and whether a hold or an untradable target stops it.</summary>
    public static StoredAccountCheck Check(StoredPortfolio stored, AccountRestrictions restrictions)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Portfolio is not { } portfolio) return new(stored, null, null, null);
        var r = Restrictions.Apply(portfolio, restrictions ?? AccountRestrictions.None, PlanRequest.None, stored.Account.Model);
        return new(stored, DriftEvaluator.Evaluate(portfolio), r.Skip, r.SkipKind);
    }
}

/// <summary>
/// Stored accounts streamed in batches (<see cref="BatchSize"/>): one read of their restrictions per batch, then each account
/// planned or checked by <see cref="AccountPlanning"/>. Memory stays flat however many accounts there are.
/// </summary>
public sealed class StoredAccounts(BallastStore store, StoredPortfolios converter)
{
    /// <summary>Accounts per batch.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Every account of <paramref name="query"/>, planned under its restrictions, in account order.</summary>
    public IEnumerable<StoredAccountPlan> Plan(SnapshotQuery query, PlanRequest request) =>
        Batches(query, (stored, restrictions) => AccountPlanning.Plan(stored, restrictions, request));

    /// <summary>Every account of <paramref name="query"/>, checked, in account order.</summary>
    public IEnumerable<StoredAccountCheck> Check(SnapshotQuery query) => Batches(query, AccountPlanning.Check);

    private IEnumerable<T> Batches<T>(SnapshotQuery query, Func<StoredPortfolio, AccountRestrictions, T> each)
    {
        var batch = new List<AccountSnapshot>(BatchSize);
        foreach (var snapshot in store.ReadAccounts(query))
        {
            batch.Add(snapshot);
            if (batch.Count < BatchSize) continue;
            foreach (var x in Flush()) yield return x;
        }
        foreach (var x in Flush()) yield return x;

        List<T> Flush()
        {
            var results = new List<T>(batch.Count);
            if (batch.Count == 0) return results;
            var restrictions = store.RestrictionsOfAccounts([.. batch.Select(a => a.AccountId)]);
            foreach (var a in batch) results.Add(each(converter.Convert(a), restrictions.GetValueOrDefault(a.AccountId, AccountRestrictions.None)));
            batch.Clear();
            return results;
        }
    }
}
