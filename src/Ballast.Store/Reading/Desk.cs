using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>An open proposal as the desk lists it: no plan document, only what a person scans.</summary>
    /// <param name="Accounts">The accounts it trades, by name.</param>
    /// <param name="Ordered">Shares ordered over all its orders.</param>
    /// <param name="Filled">Shares filled against them.</param>
    /// <param name="InBlock">Whether some order of it is in a block order already.</param>
    public sealed record DeskProposal(long Id, DateTimeOffset CreatedAt, string Actor, string Scope, ProposalStatus Status, IReadOnlyList<string> Accounts,
        int Orders, decimal Ordered, decimal Filled, bool InBlock);

    /// <summary>A webhook whose delivery failed and waits to be retried.</summary>
    public sealed record DeskFailedDelivery(long WebhookId, string Url, long EventId, int Attempts, string? Error, DateTimeOffset At);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Every open proposal (proposed, approved, sent, partly filled), newest first, with its accounts and how much of it has filled:
        /// the desk's queue and approval list read this instead of every proposal's stored plan.
        /// </summary>
        public IReadOnlyList<DeskProposal> DeskOpenProposals() => Read(c =>
        {
            var open = ProposalStates(c, null, null, Tenant).Values.Where(s => s.Status.IsOpen()).ToDictionary(s => s.Id);
            if (open.Count == 0) return (IReadOnlyList<DeskProposal>)[];
            var ids = open.Keys.ToArray();
            var inArray = c is Npgsql.NpgsqlConnection ? "= ANY(@ids)" : "IN @ids";
            var heads = c.Query($"SELECT id, created_at, actor, scope FROM proposals WHERE tenant_id = @tenant AND id {inArray}", new { ids, tenant = Tenant },
                r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1), Actor: r.GetString(2), Scope: r.GetString(3)));
            var accounts = c.Query($"SELECT DISTINCT o.proposal_id, a.name FROM proposal_orders o JOIN accounts a ON a.id = o.account_id WHERE o.proposal_id {inArray}",
                    new { ids }, r => (Id: r.GetInt64(0), Name: r.GetString(1)))
                .OrderBy(a => a.Name, StringComparer.Ordinal).ToLookup(a => a.Id, a => a.Name);
            var lines = c.Query($"SELECT proposal_id, COUNT(*) FROM proposal_orders WHERE proposal_id {inArray} GROUP BY proposal_id", new { ids },
                r => (Id: r.GetInt64(0), Count: r.GetInt64(1))).ToDictionary(l => l.Id, l => (int)l.Count);
            var blocked = c.Query($"SELECT DISTINCT proposal_id FROM block_orders WHERE proposal_id {inArray}", new { ids }, r => r.GetInt64(0)).ToHashSet();
            return heads.OrderByDescending(h => h.Id).Select(h =>
            {
                var s = open[h.Id];
                return new DeskProposal(h.Id, ParseInstant(h.CreatedAt), h.Actor, h.Scope, s.Status, accounts[h.Id].ToList(), lines.GetValueOrDefault(h.Id),
                    Scaled.Quantity(checked(s.Orders.Sum(o => o.Quantity))), Scaled.Quantity(checked(s.Orders.Sum(o => Math.Min(o.Filled, o.Quantity)))), blocked.Contains(h.Id));
            }).ToList();
        });

        /// <summary>The failing delivery of each active webhook (the oldest event it has not delivered), with its URL's secret parts hidden.</summary>
        public IReadOnlyList<DeskFailedDelivery> DeskFailedDeliveries() =>
            Webhooks().Where(w => w.Failure is not null)
                .Select(w => new DeskFailedDelivery(w.Id, RedactedUrl(w.Url), w.Failure!.EventId, w.Failure.Attempts, w.Failure.LastError, w.Failure.LastAttemptAt))
                .ToList();
    }
}
