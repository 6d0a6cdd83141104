using System.Data.Common;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>
    /// Where a proposal stands. Approved, sent, cancelled and expired are recorded by people (or, for expired, by a newer
    /// proposal for the same account); partly filled and filled follow from the fills recorded against its orders.
    /// </summary>
    public enum ProposalStatus
    {
        /// <summary>Saved by <c>plan --save</c>; nothing else has happened.</summary>
        Proposed,
        /// <summary>Approved by a person.</summary>
        Approved,
        /// <summary>Sent to the broker.</summary>
        Sent,
        /// <summary>Some but not all of its orders' quantities were filled.</summary>
        PartlyFilled,
        /// <summary>Every order was filled in full.</summary>
        Filled,
        /// <summary>Cancelled by a person: the look counts as done, what was filled stays filled.</summary>
        Cancelled,
        /// <summary>Superseded by a newer proposal for the same account before it was sent or filled.</summary>
        Expired,
        /// <summary>Rejected by a person before it went into a block, with a reason: no rebalance happened, the account is due again.</summary>
        Rejected,
    }

    /// <summary>Text forms of <see cref="ProposalStatus"/>.</summary>
    public static class ProposalStatuses
    {
        public static string ToText(this ProposalStatus status) => status switch
        {
            ProposalStatus.Proposed => "proposed",
            ProposalStatus.Approved => "approved",
            ProposalStatus.Sent => "sent",
            ProposalStatus.PartlyFilled => "partly filled",
            ProposalStatus.Filled => "filled",
            ProposalStatus.Cancelled => "cancelled",
            ProposalStatus.Expired => "expired",
            ProposalStatus.Rejected => "rejected",
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };

        /// <summary>Reads <c>proposed</c>, <c>partly filled</c> or <c>partly-filled</c>, ...; null when unknown.</summary>
        public static ProposalStatus? Parse(string text) =>
            Enum.GetValues<ProposalStatus>().Cast<ProposalStatus?>()
                .FirstOrDefault(s => s!.Value.ToText().Replace(' ', '-').Equals(text.Trim().Replace(' ', '-'), StringComparison.OrdinalIgnoreCase));

        /// <summary>True for the statuses in which fills may still arrive.</summary>
        public static bool IsOpen(this ProposalStatus status) => status is ProposalStatus.Proposed or ProposalStatus.Approved or ProposalStatus.Sent or ProposalStatus.PartlyFilled;
    }

    /// <summary>One order of a stored proposal with what has been filled against it.</summary>
    internal sealed record OrderState(long AccountId, long SecurityId, string Side, long Quantity)
    {
        public long Filled { get; set; }
    }

    /// <summary>A proposal's orders, fills and recorded events, and the status they make.</summary>
    internal sealed class ProposalState(long id, string createdAt)
    {
        public long Id { get; } = id;
        public string CreatedAt { get; } = createdAt;
        public List<OrderState> Orders { get; } = [];
        public string? LastFillDate { get; set; }
        public List<(string Status, string At)> Events { get; } = [];

        public bool AnyFill => Orders.Any(o => o.Filled > 0);
        public bool AllFilled => Orders.Count > 0 && Orders.All(o => o.Filled >= o.Quantity);

        public ProposalStatus Status
        {
            get
            {
                if (Events.Any(e => e.Status == "rejected")) return ProposalStatus.Rejected;
                if (Events.Any(e => e.Status == "cancelled")) return ProposalStatus.Cancelled;
                if (AllFilled) return ProposalStatus.Filled;
                if (AnyFill) return ProposalStatus.PartlyFilled;
                if (Events.Any(e => e.Status == "expired")) return ProposalStatus.Expired;
                if (Events.Any(e => e.Status == "sent")) return ProposalStatus.Sent;
                if (Events.Any(e => e.Status == "approved")) return ProposalStatus.Approved;
                return ProposalStatus.Proposed;
            }
        }

        /// <summary>
        /// The date the rebalance counts as done for the look schedule: the last fill's date once filled, the day a person
        /// cancelled it; null while it is open or when it expired.
        /// </summary>
        public string? DoneOn => Status switch
        {
            ProposalStatus.Filled => LastFillDate,
            ProposalStatus.Cancelled => Events.First(e => e.Status == "cancelled").At[..10],
            _ => null,
        };
    }

    public sealed partial class BallastStore
    {
        /// <summary>
        /// The state of the given proposals (all of the tenant's when null): orders summed per account, security and side, fills tied to them
        /// (by the same account, security and side) and events. Another tenant's proposals are left out, as if they did not exist.
        /// </summary>
        internal Dictionary<long, ProposalState> ProposalStates(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long>? ids) => ProposalStates(c, tx, ids, Tenant);

        /// <inheritdoc cref="ProposalStates(DbConnection, DbTransaction?, IReadOnlyCollection{long}?)"/>
        /// <param name="tenant">The tenant whose proposals these are: another tenant's are left out.</param>
        internal static Dictionary<long, ProposalState> ProposalStates(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long>? ids, long tenant)
        {
            var states = new Dictionary<long, ProposalState>();
            if (ids is { Count: 0 }) return states;
            var array = ids?.Distinct().ToArray();
            // Dapper expands IN @list for SQLite; Npgsql takes the array whole.
            var inArray = c is Npgsql.NpgsqlConnection ? "= ANY(@array)" : "IN @array";
            string Where(string column) => array is null ? $" WHERE {column} IN (SELECT id FROM proposals WHERE tenant_id = @tenant)" : $" WHERE {column} {inArray}";
            foreach (var p in c.Query("SELECT id, created_at FROM proposals WHERE tenant_id = @tenant" + (array is null ? "" : " AND id " + inArray), new { array, tenant }, r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1)), tx))
                states[p.Id] = new ProposalState(p.Id, p.CreatedAt);
            foreach (var o in c.Query(
                         "SELECT proposal_id, account_id, security_id, side, SUM(quantity) FROM proposal_orders" + Where("proposal_id")
                         + " GROUP BY proposal_id, account_id, security_id, side", new { array, tenant }, r => (ProposalId: r.GetInt64(0), AccountId: r.GetInt64(1), SecurityId: r.GetInt64(2), Side: r.GetString(3), Quantity: r.GetInt64(4)), tx))
                if (states.TryGetValue(o.ProposalId, out var s)) s.Orders.Add(new OrderState(o.AccountId, o.SecurityId, o.Side, o.Quantity));
            // "IS NOT NULL" lets SQLite use the partial index on transactions' proposal ids.
            var fillWhere = " WHERE proposal_id IS NOT NULL AND" + Where("proposal_id")[" WHERE".Length..];
            foreach (var f in c.Query(
                         "SELECT proposal_id, account_id, security_id, kind, SUM(quantity), MAX(trade_date) FROM transactions" + fillWhere
                         + " AND kind IN ('buy', 'sell') GROUP BY proposal_id, account_id, security_id, kind", new { array, tenant }, r => (ProposalId: r.GetInt64(0), AccountId: r.GetInt64(1), SecurityId: r.GetInt64(2), Kind: r.GetString(3), Quantity: r.GetInt64(4), Last: r.GetString(5)), tx))
            {
                if (!states.TryGetValue(f.ProposalId, out var s)) continue;
                var order = s.Orders.FirstOrDefault(o => o.AccountId == f.AccountId && o.SecurityId == f.SecurityId && o.Side == f.Kind);
                if (order is null) continue; // recorded before fills were reconciled; it executes no order of this proposal
                order.Filled += Math.Abs(f.Quantity);
                if (string.CompareOrdinal(f.Last, s.LastFillDate) > 0) s.LastFillDate = f.Last;
            }
            foreach (var e in c.Query(
                         "SELECT proposal_id, status, at FROM proposal_events" + Where("proposal_id") + " ORDER BY id", new { array, tenant }, r => (ProposalId: r.GetInt64(0), Status: r.GetString(1), At: r.GetString(2)), tx))
                if (states.TryGetValue(e.ProposalId, out var s)) s.Events.Add((e.Status, e.At));
            foreach (var e in c.Query("SELECT proposal_id, at FROM proposal_rejections" + Where("proposal_id"), new { array, tenant }, r => (ProposalId: r.GetInt64(0), At: r.GetString(1)), tx))
                if (states.TryGetValue(e.ProposalId, out var s)) s.Events.Add(("rejected", e.At));
            return states;
        }

        /// <summary>
        /// The orders of a plan for one account, exactly its trades. Every trade must have a quantity: a trade without one
        /// (no price) is refused naming the ticker, never dropped.
        /// </summary>
        /// <exception cref="InputException">A trade has no quantity.</exception>
        public static IReadOnlyList<ProposedOrder> OrdersFromPlan(string account, Plan plan)
        {
            ArgumentNullException.ThrowIfNull(plan);
            var problems = new List<InputProblem>();
            var orders = new List<ProposedOrder>(plan.Trades.Count);
            foreach (var t in plan.Trades)
            {
                if (t.Quantity is not { } q || q <= 0)
                {
                    problems.Add(new InputProblem($"{account}: the {t.Side.ToText()} of {t.Ticker} has no quantity (no price for {t.Ticker}); nothing was saved", Field: "--save"));
                    continue;
                }
                orders.Add(new ProposedOrder(account, t.Ticker, t.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell, q, t.Price));
            }
            if (problems.Count > 0) throw new InputException(problems);
            return orders;
        }

        /// <summary>Records that a person approved, sent or cancelled a proposal. Returns the resulting status.</summary>
        /// <exception cref="InputException">No such proposal, or the step does not apply to its status (a filled, cancelled or expired proposal cannot be cancelled).</exception>
        public ProposalStatus SetProposalStatus(long id, ProposalStatus status, string? note = null) => Write("proposal " + status.ToText(), scope =>
        {
            if (status is not (ProposalStatus.Approved or ProposalStatus.Sent or ProposalStatus.Cancelled))
                throw new InputException(new InputProblem($"a proposal can be approved, sent or cancelled by hand, not marked {status.ToText()}", Field: "STATUS"));
            var states = ProposalStates(scope.Connection, scope.Transaction, [id], scope.Tenant);
            if (!states.TryGetValue(id, out var state)) throw new InputException(new InputProblem($"proposal {id} does not exist", Field: "PROPOSAL"));
            var current = state.Status;
            var allowed = status switch
            {
                ProposalStatus.Approved => current is ProposalStatus.Proposed,
                ProposalStatus.Sent => current is ProposalStatus.Proposed or ProposalStatus.Approved,
                _ => current.IsOpen(),
            };
            if (!allowed)
                throw new InputException(new InputProblem($"proposal {id} is {current.ToText()}; it cannot be {status.ToText()}", Field: "PROPOSAL"));
            scope.Execute("INSERT INTO proposal_events (id, proposal_id, status, at, actor, note) VALUES (@eid, @id, @status, @at, @actor, @note)",
                new { eid = scope.NextId("proposal_events"), id, status = status.ToText(), at = scope.Now, actor = Options.Actor, note });
            scope.Event("proposal." + status.ToText(), Subject(id), EventJson.Of(("from", current.ToText()), ("note", note)));
            if (status == ProposalStatus.Cancelled) ReopenCashNeeds(scope, id);
            ApplyRunStages(scope);
            return (status, $"proposal {id}: {current.ToText()} -> {status.ToText()}{(note is null ? "" : ": " + note)}");
        });

        /// <summary>Marks the open, unfilled and unsent proposals for these accounts expired, superseded by <paramref name="newer"/>.</summary>
        /// <summary>As <see cref="ExpireSuperseded(WriteScope, IReadOnlyCollection{long}, long)"/> for many new proposals at once: <paramref name="newer"/> maps each account to its new proposal.</summary>
        private void ExpireSuperseded(WriteScope scope, IReadOnlyDictionary<long, long> newer)
        {
            if (newer.Count == 0) return;
            var fresh = newer.Values.ToHashSet();
            var pairs = scope.Query("SELECT DISTINCT proposal_id, account_id FROM proposal_orders WHERE account_id IN @accountIds", new { accountIds = newer.Keys.ToArray() },
                r => (Proposal: r.GetInt64(0), Account: r.GetInt64(1))).Where(p => !fresh.Contains(p.Proposal)).ToList();
            if (pairs.Count == 0) return;
            foreach (var state in ProposalStates(scope.Connection, scope.Transaction, pairs.Select(p => p.Proposal).Distinct().ToList(), scope.Tenant).Values.OrderBy(s => s.Id))
            {
                if (state.Status is not (ProposalStatus.Proposed or ProposalStatus.Approved)) continue;
                var by = pairs.Where(p => p.Proposal == state.Id).Max(p => newer[p.Account]);
                scope.Execute("INSERT INTO proposal_events (id, proposal_id, status, at, actor, note) VALUES (@eid, @id, 'expired', @at, @actor, @note)",
                    new { eid = scope.NextId("proposal_events"), id = state.Id, at = scope.Now, actor = Options.Actor, note = $"superseded by proposal {by}" });
                scope.Event(EventKinds.ProposalExpired, Subject(state.Id), EventJson.Of(("from", state.Status.ToText()), ("supersededBy", by)));
                ReopenCashNeeds(scope, state.Id);
            }
        }

        private void ExpireSuperseded(WriteScope scope, IReadOnlyCollection<long> accountIds, long newer) =>
            ExpireSuperseded(scope, accountIds.Distinct().ToDictionary(a => a, _ => newer));
    }
}
