using Ballast.Drift;
using Ballast.Operations.Accounts;
using Ballast.Portfolios;
using Ballast.Store;
using Ballast.Store.Ledger;

namespace Ballast.Operations.Desk;

/// <summary>A lot with its value at the latest close and its unrealized gain (null without a price or a cost).</summary>
public sealed record DeskLot(LotInfo Lot, decimal? Price, decimal? Value, decimal? Cost, decimal? UnrealizedGain);

/// <summary>One account as the desk shows it: its drift check, lots, ledger history and proposals.</summary>
public sealed record AccountView(StoredAccountCheck Check, AccountRestrictions Restrictions, IReadOnlyList<DeskLot> Lots, IReadOnlyList<LedgerEntry> History,
    IReadOnlyList<ProposalInfo> Proposals);

/// <summary>An account on a model: its check against the model's latest version, and whether it breached under the version before.</summary>
/// <param name="BreachedBefore">Whether it was outside its bands against the previous version's targets; null when there is none.</param>
public sealed record ModelAccount(StoredAccountCheck Check, bool? BreachedBefore)
{
    /// <summary>Outside its bands now but not under the previous version: the change made it breach.</summary>
    public bool BreachesAfterChange => Check.Report is { NeedsRebalancing: true } && BreachedBefore == false;
}

/// <summary>A model as the desk shows it: its versions and its accounts checked against the latest one.</summary>
public sealed record ModelView(ModelListing Model, IReadOnlyList<ModelAccount> Accounts);

/// <summary>The desk's read use cases over the store (as one tenant sees it): an account, a model.</summary>
public static class DeskViews
{
    /// <summary>One account checked as of <paramref name="asOf"/> with its lots, history and proposals; null when it does not exist.</summary>
    public static AccountView? Account(BallastStore store, string name, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(store);
        var snapshot = store.ReadAccounts(new SnapshotQuery(asOf, Account: name)).FirstOrDefault();
        if (snapshot is null) return null;
        var restrictions = store.RestrictionsOfAccounts([snapshot.AccountId]).GetValueOrDefault(snapshot.AccountId, AccountRestrictions.None);
        var check = AccountPlanning.Check(new StoredPortfolios(asOf).Convert(snapshot), restrictions);
        var prices = snapshot.Holdings.Where(h => h.Price is not null).ToDictionary(h => h.Ticker, h => h.Price!.Value, StringComparer.Ordinal);
        var lots = store.Lots(name).Where(l => l.Remaining != 0).Select(l =>
        {
            decimal? price = prices.TryGetValue(l.Ticker, out var p) ? p : null;
            decimal? value = price * l.Remaining;
            decimal? cost = l.Cost is { } c && l.Quantity != 0 ? Math.Round(c * l.Remaining / l.Quantity, 2, MidpointRounding.AwayFromZero) : null;
            return new DeskLot(l, price, value is null ? null : Math.Round(value.Value, 2, MidpointRounding.AwayFromZero), cost,
                value is { } v && cost is { } k ? Math.Round(v, 2, MidpointRounding.AwayFromZero) - k : null);
        }).ToList();
        var history = store.Transactions(name).OrderByDescending(t => t.Date).ThenByDescending(t => t.Id).ToList();
        return new AccountView(check, restrictions, lots, history, store.Proposals(name));
    }

    /// <summary>A model with its versions and every account on it checked against its latest version (and the version before); null when it does not exist.</summary>
    public static ModelView? Model(BallastStore store, string name, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(store);
        var model = store.ListModels(name).FirstOrDefault();
        if (model is null) return null;
        var previous = model.Versions.Count > 1 ? model.Versions[^2].Targets : null;
        var accounts = new StoredAccounts(store, new StoredPortfolios(asOf)).Check(new SnapshotQuery(asOf, Model: name))
            .Select(c => new ModelAccount(c, previous is null || c.Stored.Portfolio is not { } p ? null
                : DriftEvaluator.Evaluate(p with { Targets = [.. previous.Select(t => new TargetWeight(t.Key, t.Value))] }).NeedsRebalancing))
            .ToList();
        return new ModelView(model, accounts);
    }
}
