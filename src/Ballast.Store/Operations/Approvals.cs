using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>A stored firm setting as text (Ballast.Operations' <c>FirmSettings</c> reads and validates it) and who set it when.</summary>
    public sealed record FirmSettingText(string Key, string Value, DateTimeOffset SetAt, string Actor);

    /// <summary>A proposal's rejection: who rejected it, when, and why.</summary>
    public sealed record ProposalRejection(long ProposalId, DateTimeOffset At, string Actor, string Reason);

    /// <summary>A cash need (a withdrawal request): an amount in the account's currency needed by a date.</summary>
    /// <param name="Status">open (waiting for a window), raised (a window saved the proposal that raises it, or the cash was there), cancelled.</param>
    /// <param name="ProposalId">The window proposal that raises it, once raised.</param>
    public sealed record CashNeedInfo(long Id, string Account, string Currency, decimal Amount, DateOnly NeededBy, string? Note, DateTimeOffset CreatedAt, string Actor,
        string Status, long? ProposalId, DateTimeOffset? ClosedAt);

    public sealed partial class BallastStore
    {
        /// <summary>The firm setting keys the store keeps.</summary>
        public static IReadOnlyList<string> FirmSettingKeys { get; } = ["approval", "unfilled", "netting"];

        /// <summary>
        /// Stores firm settings (key and text value; the caller validates the values), replacing those set before, in one audited write.
        /// </summary>
        public void SetFirmSettings(IReadOnlyList<(string Key, string Value)> settings) => Write("firm settings", scope =>
        {
            ArgumentNullException.ThrowIfNull(settings);
            var changes = new List<string>();
            foreach (var (key, value) in settings)
            {
                if (!FirmSettingKeys.Contains(key)) throw new ArgumentException($"unknown firm setting '{key}'", nameof(settings));
                var old = scope.Query("SELECT value FROM firm_settings WHERE tenant_id = @tenant AND key = @key", new { tenant = scope.Tenant, key }, r => r.GetString(0)).FirstOrDefault();
                scope.Execute("DELETE FROM firm_settings WHERE tenant_id = @tenant AND key = @key", new { tenant = scope.Tenant, key });
                scope.Execute("INSERT INTO firm_settings (key, value, set_at, actor, tenant_id) VALUES (@key, @value, @at, @actor, @tenant)",
                    new { key, value, at = scope.Now, actor = Options.Actor, tenant = scope.Tenant });
                changes.Add(old is null ? $"{key} = {value}" : $"{key} = {value} (was {old})");
            }
            return (0, changes.Count == 0 ? "no firm setting changed" : "firm " + string.Join("; ", changes));
        });

        /// <summary>Every stored firm setting (a key never set is absent: its default applies).</summary>
        public IReadOnlyList<FirmSettingText> FirmSettingTexts() => Read(c => c.Query("SELECT key, value, set_at, actor FROM firm_settings WHERE tenant_id = @tenant ORDER BY key", new { tenant = Tenant },
            r => new FirmSettingText(r.GetString(0), r.GetString(1), ParseInstant(r.GetString(2)), r.GetString(3))));

        /// <summary>
        /// Rejects a proposal that is proposed or approved and in no block: it takes no fill and joins no block, and it does not count as a
        /// rebalance. The window that proposed it no longer counts as the account's look, so the account is due again at the next window;
        /// a cash need it raised is open again. Returns the status it had.
        /// </summary>
        /// <exception cref="InputException">No such proposal, no reason, or the proposal is past approval (sent, in a block, filled, closed).</exception>
        public ProposalStatus RejectProposal(long id, string reason) => Write("proposal rejected", scope =>
        {
            if (string.IsNullOrWhiteSpace(reason)) throw new InputException(new InputProblem("give the reason of the rejection", Field: "--reason"));
            var states = ProposalStates(scope.Connection, scope.Transaction, [id], scope.Tenant);
            if (!states.TryGetValue(id, out var state)) throw new InputException(new InputProblem($"proposal {id} does not exist", Field: "PROPOSAL"));
            var current = state.Status;
            if (current is not (ProposalStatus.Proposed or ProposalStatus.Approved))
                throw new InputException(new InputProblem($"proposal {id} is {current.ToText()}; only a proposed or approved proposal can be rejected", Field: "PROPOSAL"));
            if (scope.ScalarLong("SELECT MIN(block_id) FROM block_orders WHERE proposal_id = @id", new { id }) is { } block)
                throw new InputException(new InputProblem($"proposal {id} is in block {block}; cancel it instead (ballast proposals cancel {id})", Field: "PROPOSAL"));
            scope.Execute("INSERT INTO proposal_rejections (proposal_id, at, actor, reason) VALUES (@id, @at, @actor, @reason)",
                new { id, at = scope.Now, actor = Options.Actor, reason = reason.Trim() });
            var reopened = ReopenCashNeeds(scope, id);
            ApplyRunStages(scope);
            return (current, $"proposal {id}: {current.ToText()} -> rejected: {reason.Trim()}{(reopened > 0 ? $"; {reopened} cash needs open again" : "")}");
        });

        /// <summary>The rejection of a proposal, or null.</summary>
        public ProposalRejection? Rejection(long id) => Read(c => c.Query("SELECT x.proposal_id, x.at, x.actor, x.reason FROM proposal_rejections x JOIN proposals p ON p.id = x.proposal_id WHERE x.proposal_id = @id AND p.tenant_id = @tenant",
            new { id, tenant = Tenant },
            r => new ProposalRejection(r.GetInt64(0), ParseInstant(r.GetString(1)), r.GetString(2), r.GetString(3))).FirstOrDefault());

        /// <summary>Records a cash need of <paramref name="amount"/> (the account's currency) needed by <paramref name="neededBy"/>. Returns its id.</summary>
        /// <exception cref="InputException">No such account, or an amount that is not positive or has more than 4 decimals.</exception>
        public long AddCashNeed(string account, decimal amount, DateOnly neededBy, string? note = null) => Write("cash need", scope =>
        {
            var problems = new List<InputProblem>();
            var accountId = scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = scope.Tenant, account });
            if (accountId is null) problems.Add(new($"account '{account}' does not exist", Field: "ACCOUNT"));
            long stored = 0;
            if (amount <= 0) problems.Add(new($"amount {amount} must be positive", Field: "AMOUNT"));
            else if (Import.ScaledInput.Exact(amount, Scaled.MoneyScale, "amount", out stored) is { } bad) problems.Add(new(bad, Field: "AMOUNT"));
            if (problems.Count > 0) throw new InputException(problems);
            var id = scope.NextId("cash_needs");
            scope.Execute("""
                INSERT INTO cash_needs (id, account_id, amount, needed_by, note, created_at, actor, status)
                VALUES (@id, @accountId, @stored, @by, @note, @at, @actor, 'open')
                """, new { id, accountId, stored, by = FormatDate(neededBy), note, at = scope.Now, actor = Options.Actor });
            return (id, $"cash need {id}: {account} needs {Scaled.Format(Scaled.Money(stored))} by {FormatDate(neededBy)}");
        });

        /// <summary>Every cash need (or only the open ones), oldest first.</summary>
        public IReadOnlyList<CashNeedInfo> CashNeeds(bool openOnly = false) => Read(c => c.Query($"""
            SELECT n.id, a.name, a.currency, n.amount, n.needed_by, n.note, n.created_at, n.actor, n.status, n.proposal_id, n.closed_at
            FROM cash_needs n JOIN accounts a ON a.id = n.account_id WHERE a.tenant_id = @tenant {(openOnly ? "AND n.status = 'open'" : "")} ORDER BY n.id
            """, new { tenant = Tenant }, r => new CashNeedInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), Scaled.Money(r.GetInt64(3)), ParseDate(r.GetString(4)), r.TextOrNull(5),
            ParseInstant(r.GetString(6)), r.GetString(7), r.GetString(8), r.LongOrNull(9), r.TextOrNull(10) is { } t ? ParseInstant(t) : null)));

        /// <summary>Cancels an open cash need (one already raised is done: cancel or reject its proposal instead).</summary>
        public void CancelCashNeed(long id) => Write("cash need cancelled", scope =>
        {
            var status = scope.Query("SELECT n.status FROM cash_needs n JOIN accounts a ON a.id = n.account_id WHERE n.id = @id AND a.tenant_id = @tenant", new { id, tenant = scope.Tenant }, r => r.GetString(0)).FirstOrDefault()
                ?? throw new InputException(new InputProblem($"cash need {id} does not exist", Field: "ID"));
            if (status != "open") throw new InputException(new InputProblem($"cash need {id} is {status}; only an open one can be cancelled", Field: "ID"));
            scope.Execute("UPDATE cash_needs SET status = 'cancelled', closed_at = @at WHERE id = @id", new { id, at = scope.Now });
            return (0, $"cash need {id} cancelled");
        });

        /// <summary>The cash needs raised by a proposal that will not execute (rejected, cancelled, expired) are open again. Returns how many.</summary>
        internal static int ReopenCashNeeds(WriteScope scope, long proposalId) =>
            scope.Execute("UPDATE cash_needs SET status = 'open', proposal_id = NULL, closed_at = NULL WHERE proposal_id = @proposalId AND status = 'raised'", new { proposalId });

        /// <summary>Marks cash needs raised by a window's proposal (or, with no proposal, covered by the cash already there).</summary>
        private static void RaiseCashNeeds(WriteScope scope, IReadOnlyList<long> needs, long? proposal) =>
            scope.Execute("UPDATE cash_needs SET status = 'raised', proposal_id = @proposal, closed_at = @at WHERE id IN @needs AND status = 'open'",
                new { proposal, at = scope.Now, needs = needs.ToArray() });

        /// <summary>
        /// Open cash needs recorded at or before <paramref name="cutOff"/> of some accounts: their sum (account currency) and ids.
        /// </summary>
        private static Dictionary<long, (long Sum, List<long> Ids)> OpenCashNeeds(DbConnection c, string accountIn, long[] ids, long lo, long hi, DateTimeOffset cutOff)
        {
            var result = new Dictionary<long, (long Sum, List<long> Ids)>();
            foreach (var n in c.Query($"SELECT account_id, id, amount FROM cash_needs WHERE {accountIn} AND status = 'open' AND created_at <= @cutOff ORDER BY id",
                         new { ids, lo, hi, cutOff = FormatInstant(cutOff) }, r => (Account: r.GetInt64(0), Id: r.GetInt64(1), Amount: r.GetInt64(2))))
            {
                var (sum, list) = result.TryGetValue(n.Account, out var x) ? x : (0L, new List<long>());
                list.Add(n.Id);
                result[n.Account] = (checked(sum + n.Amount), list);
            }
            return result;
        }

        /// <summary>
        /// Brings the order stage of every finished run with proposals up to date (see <see cref="RunStageChanges"/>); writes (and audits)
        /// only when a stage changes. Block creation, fills and cancels call it; a rejection does in its own write.
        /// </summary>
        public void RefreshWindowRuns()
        {
            if (Read(c => RunStageChanges(c, null, Tenant)).Count == 0) return;
            Write("window runs", scope => (0, string.Join("; ", ApplyRunStages(scope))));
        }

        private static List<string> ApplyRunStages(WriteScope scope)
        {
            var changes = RunStageChanges(scope.Connection, scope.Transaction, scope.Tenant);
            foreach (var (id, _, stage) in changes) scope.Execute("UPDATE window_runs SET stage = @stage WHERE id = @id", new { stage, id });
            return [.. changes.Select(x => $"window {x.Window}: {x.Stage ?? "proposed"}")];
        }

        /// <summary>
        /// A finished run with proposals (status proposed) moves on with its proposals: <c>sent</c> once none is waiting outside a block
        /// (each is in a block, sent, or closed); <c>completed</c> once every one is closed and none was cancelled (filled in full, or
        /// rejected or expired before it went out); <c>completed-adjusted</c> once every one is closed and some were cancelled (a block's
        /// unfilled rest cancelled, or a person cancelled it). Returns the runs whose stage changes.
        /// </summary>
        private static List<(long Id, string Window, string? Stage)> RunStageChanges(DbConnection c, DbTransaction? tx, long tenant)
        {
            var changes = new List<(long, string, string?)>();
            var inIds = c is Npgsql.NpgsqlConnection ? "= ANY(@proposals)" : "IN @proposals";
            var runs = c.Query("SELECT id, window_id, stage FROM window_runs WHERE tenant_id = @tenant AND status = 'proposed' AND (stage IS NULL OR stage = 'sent')", new { tenant },
                r => (Id: r.GetInt64(0), Window: r.GetString(1), Stage: r.TextOrNull(2)), tx);
            foreach (var run in runs)
            {
                var proposals = c.Query("SELECT proposal_id FROM window_run_accounts WHERE run_id = @id AND proposal_id IS NOT NULL", new { id = run.Id }, r => r.GetInt64(0), tx).ToArray();
                if (proposals.Length == 0) continue;
                var inBlock = c.Query($"SELECT DISTINCT proposal_id FROM block_orders WHERE proposal_id {inIds}", new { proposals }, r => r.GetInt64(0), tx).ToHashSet();
                var statuses = ProposalStates(c, tx, proposals, tenant).Values.Select(s => (s.Status, InBlock: inBlock.Contains(s.Id))).ToList();
                string? stage;
                if (statuses.Any(s => s.Status is ProposalStatus.Proposed or ProposalStatus.Approved && !s.InBlock)) stage = null;
                else if (statuses.All(s => !s.Status.IsOpen()))
                    stage = statuses.Any(s => s.Status == ProposalStatus.Cancelled) ? "completed-adjusted" : "completed";
                else stage = "sent";
                if (stage != run.Stage) changes.Add((run.Id, run.Window, stage));
            }
            return changes;
        }

        /// <summary>The proposals of a run that are approved or sent and in no block yet (what <c>window blocks</c> gathers).</summary>
        public IReadOnlyList<long> WindowRunProposalsToGather(long runId) => Read(c =>
        {
            var proposals = c.Query("SELECT w.proposal_id FROM window_run_accounts w JOIN window_runs r ON r.id = w.run_id WHERE w.run_id = @runId AND r.tenant_id = @tenant AND w.proposal_id IS NOT NULL",
                new { runId, tenant = Tenant }, r => r.GetInt64(0)).ToArray();
            if (proposals.Length == 0) return (IReadOnlyList<long>)[];
            var inIds = c is Npgsql.NpgsqlConnection ? "= ANY(@proposals)" : "IN @proposals";
            var inBlock = c.Query($"SELECT DISTINCT proposal_id FROM block_orders WHERE proposal_id {inIds}", new { proposals }, r => r.GetInt64(0)).ToHashSet();
            return [.. ProposalStates(c, null, proposals, Tenant).Values
                .Where(s => s.Status is ProposalStatus.Approved or ProposalStatus.Sent && !inBlock.Contains(s.Id)).Select(s => s.Id).Order()];
        });
    }
}
