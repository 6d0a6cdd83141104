using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>One write to the store: when (UTC), by whom, what kind and a one-line summary.</summary>
    public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Summary);

    /// <summary>One line of an account's history: a ledger transaction or a proposal that has orders for it.</summary>
    /// <param name="Kind">A <see cref="TransactionKind"/> name, or <c>proposal</c>.</param>
    /// <param name="Id">Transaction id or proposal id.</param>
    public sealed record HistoryEntry(DateOnly Date, string Kind, long Id, string Description);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// The tenant's audit trail, newest first, at most <paramref name="limit"/> entries: the rows written for the tenant; the
        /// <c>default</c> tenant also sees the rows without a tenant (written before tenants, and the migrations).
        /// </summary>
        public IReadOnlyList<AuditEntry> Audit(int limit = 100) => Read(c => c.Query(
                "SELECT id, at, actor, action, summary FROM audit WHERE tenant_id = @tenant OR (tenant_id IS NULL AND @tenant = (SELECT id FROM tenants WHERE name = @name)) ORDER BY id DESC LIMIT @limit",
                new { limit, tenant = Tenant, name = DefaultTenantName },
                    r => (Id: r.GetInt64(0), At: r.GetString(1), Actor: r.GetString(2), Action: r.GetString(3), Summary: r.GetString(4)))
            .Select(a => new AuditEntry(a.Id, ParseInstant(a.At), a.Actor, a.Action, a.Summary)).ToList());

        /// <summary>Transactions and proposals of an account, oldest first.</summary>
        public IReadOnlyList<HistoryEntry> History(string account)
        {
            var entries = Transactions(account).Select(t => new HistoryEntry(t.Date, t.Kind.ToText(), t.Id, Describe(t))).ToList();
            entries.AddRange(Proposals(account).Select(p => new HistoryEntry(DateOnly.FromDateTime(p.CreatedAt.UtcDateTime), "proposal", p.Id,
                $"proposal {p.Id} ({p.Scope}, engine {p.EngineVersion}): " +
                string.Join(", ", p.Orders.Where(o => o.Account == account).Select(o => $"{o.Side.ToText()} {Scaled.Format(o.Quantity)} {o.Ticker}")))));
            return entries.OrderBy(e => e.Date).ThenBy(e => e.Kind == "proposal" ? 0 : 1).ThenBy(e => e.Id).ToList();
        }

        private static string Describe(LedgerEntry t) => t.Kind switch
        {
            TransactionKind.Buy or TransactionKind.Sell => $"{t.Kind.ToText()} {Scaled.Format(Math.Abs(t.Quantity))} {t.Ticker} at {Scaled.Format(t.Price ?? 0)}, cash {Scaled.Format(t.Cash)}" +
                (t.ExecutionId is null ? "" : $" (execution {t.ExecutionId})"),
            TransactionKind.Adjustment when t.Ticker is not null => $"adjust {t.Ticker} by {Scaled.Format(t.Quantity)}",
            _ => $"{t.Kind.ToText()} {Scaled.Format(t.Cash)}" + (t.Ticker is null ? "" : $" {t.Ticker}"),
        };
    }
}
