using Ballast.Operations.Accounts;
using Ballast.Store;

namespace Ballast.Operations.Desk;

/// <summary>What kind of exception a desk item is, in the order the queue lists them (most urgent first).</summary>
public enum DeskExceptionKind
{
    /// <summary>A weight is outside its band: the policy says to rebalance.</summary>
    OutsideTolerance,
    /// <summary>The account cannot be checked (no model, no price, no FX rate).</summary>
    CannotCheck,
    /// <summary>The model targets an untradable security: the model needs adjustment before the account can trade.</summary>
    Untradable,
    /// <summary>A holding the account may not sell, or an untradable one it holds (it can neither be bought nor sold).</summary>
    RestrictedHolding,
    /// <summary>Cash above the reserve waits to be invested, or cash is below the reserve.</summary>
    HighCash,
    /// <summary>An account on a model that has never been rebalanced.</summary>
    FirstRebalanceDue,
    /// <summary>A proposal partly filled: its rest is still out.</summary>
    PartlyFilled,
    /// <summary>A proposal not filled yet: awaiting approval, approved outside a block, or sent.</summary>
    PendingOrders,
    /// <summary>A webhook's delivery failed and waits to be retried.</summary>
    FailedDelivery,
}

/// <summary>One item of the desk's exception queue.</summary>
/// <param name="Account">The account it is about, when one.</param>
/// <param name="ProposalId">The proposal it is about, when one.</param>
/// <param name="WebhookId">The webhook it is about, when one.</param>
/// <param name="Detail">What is wrong, in words (the engine's reason, the restriction, the error).</param>
/// <param name="MaxDrift">For an account checked: its largest absolute drift, as a fraction.</param>
public sealed record DeskException(DeskExceptionKind Kind, string? Account, long? ProposalId, long? WebhookId, string Detail, decimal? MaxDrift = null)
{
    /// <summary>The kind in words, for a person.</summary>
    public string KindText => ExceptionQueue.Words(Kind);
}

/// <summary>The queue: every exception, most urgent kind first; how many accounts were checked.</summary>
public sealed record ExceptionQueueResult(DateOnly AsOf, int Accounts, IReadOnlyList<DeskException> Items)
{
    /// <summary>Items per kind, in the queue's order, kinds without items included.</summary>
    public IReadOnlyList<(DeskExceptionKind Kind, int Count)> Counts =>
        [.. Enum.GetValues<DeskExceptionKind>().Select(k => (k, Items.Count(i => i.Kind == k)))];
}

/// <summary>
/// The desk's exception queue, a use case every host can show (the service's dashboard now; a command could print it): accounts
/// outside tolerance, with idle cash, due their first rebalance, that cannot be checked, restricted or untradable holdings,
/// pending or partly filled proposals, and failed webhook deliveries. Accounts are checked by the account use case
/// (<see cref="AccountPlanning.Check"/>) in batches, so the queue says exactly what <c>ballast check --all</c> says.
/// </summary>
public static class ExceptionQueue
{
    /// <summary>Accounts checked per batch (one read of their restrictions each).</summary>
    public const int BatchSize = 500;

    public static string Words(DeskExceptionKind kind) => kind switch
    {
        DeskExceptionKind.OutsideTolerance => "outside tolerance",
        DeskExceptionKind.CannotCheck => "cannot check",
        DeskExceptionKind.Untradable => "untradable target",
        DeskExceptionKind.RestrictedHolding => "restricted holding",
        DeskExceptionKind.HighCash => "high cash",
        DeskExceptionKind.FirstRebalanceDue => "first rebalance due",
        DeskExceptionKind.PartlyFilled => "partly filled",
        DeskExceptionKind.PendingOrders => "pending orders",
        _ => "failed delivery",
    };

    /// <summary>The queue of <paramref name="store"/> (as its tenant sees it) with prices on or before <paramref name="asOf"/>.</summary>
    public static ExceptionQueueResult Build(BallastStore store, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(store);
        var items = new List<DeskException>();
        var open = store.DeskOpenProposals();
        var withOpen = open.SelectMany(p => p.Accounts).ToHashSet(StringComparer.Ordinal);
        var converter = new StoredPortfolios(asOf);
        var accounts = 0;
        var batch = new List<AccountSnapshot>(BatchSize);
        foreach (var snapshot in store.ReadAccounts(new SnapshotQuery(asOf)))
        {
            batch.Add(snapshot);
            if (batch.Count == BatchSize) Flush();
        }
        Flush();

        foreach (var p in open)
        {
            var who = string.Join(", ", p.Accounts);
            if (p.Status == ProposalStatus.PartlyFilled)
                items.Add(new(DeskExceptionKind.PartlyFilled, p.Accounts.FirstOrDefault(), p.Id, null,
                    $"proposal {p.Id} ({p.Scope}): {p.Filled:#,0.######} of {p.Ordered:#,0.######} shares filled; {who}"));
            else
                items.Add(new(DeskExceptionKind.PendingOrders, p.Accounts.FirstOrDefault(), p.Id, null,
                    $"proposal {p.Id} ({p.Scope}) is {p.Status.ToText()}{(p.InBlock ? ", in a block" : p.Status == ProposalStatus.Proposed ? ", awaiting approval" : "")}: {p.Orders} orders; {who}"));
        }
        foreach (var d in store.DeskFailedDeliveries())
            items.Add(new(DeskExceptionKind.FailedDelivery, null, null, d.WebhookId,
                $"webhook {d.WebhookId} ({d.Url}): event {d.EventId} failed after {d.Attempts} attempts at {d.At:yyyy-MM-dd HH:mm} UTC: {d.Error ?? "no answer"}"));

        // Most urgent kind first; within a kind, the largest drift first, then by account.
        var ordered = items.OrderBy(i => i.Kind).ThenByDescending(i => i.MaxDrift ?? 0).ThenBy(i => i.Account ?? "", StringComparer.Ordinal).ThenBy(i => i.ProposalId ?? 0).ToList();
        return new ExceptionQueueResult(asOf, accounts, ordered);

        void Flush()
        {
            if (batch.Count == 0) return;
            var restrictions = store.RestrictionsOfAccounts([.. batch.Select(a => a.AccountId)]);
            foreach (var a in batch)
            {
                accounts++;
                var r = restrictions.GetValueOrDefault(a.AccountId, AccountRestrictions.None);
                Account(AccountPlanning.Check(converter.Convert(a), r), r, withOpen.Contains(a.Name));
            }
            batch.Clear();
        }

        void Account(StoredAccountCheck check, AccountRestrictions restrictions, bool hasOpenProposal)
        {
            var a = check.Stored.Account;
            var report = check.Report;
            if (report is null)
            {
                items.Add(new(DeskExceptionKind.CannotCheck, a.Name, null, null, check.Stored.Error ?? "cannot be checked"));
                return;
            }
            var drift = report.MaxAbsoluteDrift;
            if (check.SkipKind == Restrictions.Restricted)
                items.Add(new(DeskExceptionKind.Untradable, a.Name, null, null, check.Skip!, drift));
            if (report.NeedsRebalancing)
                items.Add(new(DeskExceptionKind.OutsideTolerance, a.Name, null, null, string.Join("; ", report.Reasons.Take(2)), drift));
            if (report.IdleCash > 0 || report.CashShortfall > 0)
                items.Add(new(DeskExceptionKind.HighCash, a.Name, null, null,
                    report.IdleCash > 0 ? $"{report.IdleCash:#,0.00} {a.Currency} of cash waits to be invested ({report.Cash / Math.Max(report.TotalValue, 0.01m):0.0%} of the account)"
                        : $"cash is {report.CashShortfall:#,0.00} {a.Currency} below the reserve", drift));
            var held = a.Holdings.Where(h => h.Quantity != 0).Select(h => h.Ticker).ToHashSet(StringComparer.Ordinal);
            foreach (var r in restrictions.Restrictions.Where(r => held.Contains(r.Ticker) && r.Kind is RestrictionKind.DoNotSell or RestrictionKind.Untradable))
                items.Add(new(DeskExceptionKind.RestrictedHolding, a.Name, null, null,
                    $"holds {r.Ticker}: {r.Describe()} ({r.Owner}{(r.Reason is null ? "" : ": " + r.Reason)})", drift));
            if (a.Model is not null && a.LastRebalance is null && !hasOpenProposal && a.Holdings.Count + (a.Cash != 0 ? 1 : 0) > 0)
                items.Add(new(DeskExceptionKind.FirstRebalanceDue, a.Name, null, null,
                    $"on model {a.Model} v{a.ModelVersion} and never rebalanced; largest drift {drift:0.00%}", drift));
        }
    }
}
