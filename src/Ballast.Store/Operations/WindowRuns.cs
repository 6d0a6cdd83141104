using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>Whose schedule: the firm's, a model's override, or an account's override.</summary>
    public enum ScheduleKind
    {
        Firm,
        Model,
        Account,
    }

    /// <summary>A stored schedule text (YAML) and who set it when.</summary>
    /// <param name="Name">The model's or account's name; empty for the firm's.</param>
    public sealed record StoredSchedule(ScheduleKind Kind, string Name, string Text, DateTimeOffset SetAt, string Actor);

    /// <summary>A window run as recorded: the window, its status and its counts.</summary>
    /// <param name="Status">running, proposed (finished with proposals), completed (finished without), failed; a run with proposals then
    /// follows them (<see cref="BallastStore.RefreshWindowRuns"/>): sent, completed, completed-adjusted.</param>
    public sealed record WindowRunInfo(long Id, string WindowId, DateOnly Date, DateTimeOffset CutOff, string Status, DateTimeOffset StartedAt,
        DateTimeOffset? FinishedAt, string Actor, long Accounts, long Evaluated, long Rebalanced, long Skipped, string? Error);

    /// <summary>One account's verdict in a window run.</summary>
    /// <param name="Decision">What the schedule decided (look, model change, cash flow, paused, cooling down, not due, below minimum), or <c>none</c>.</param>
    /// <param name="Outcome">rebalanced, no trades, not evaluated, or skipped.</param>
    public sealed record WindowRunAccount(long AccountId, string Account, string Decision, string Outcome, string Reason, long? ProposalId);

    /// <summary>A verdict to record, with the proposal to save for it (outcome rebalanced).</summary>
    /// <param name="Kind">The reason in a word or two, for counting: the decision, or for a skip its cause (open proposal, hold, unsettled cash, no fx rate, cannot plan).</param>
    /// <param name="AutoApproval">When set, the proposal is approved as it is saved, by the firm's approval rule (this text is the event's note).</param>
    /// <param name="CashNeeds">Open cash needs this verdict raises: linked to the proposal (or, with no trades, covered by the cash there) and marked raised.</param>
    public sealed record NewWindowRunAccount(long AccountId, string Decision, string Outcome, string Kind, string Reason, NewProposal? Proposal = null,
        string? AutoApproval = null, IReadOnlyList<long>? CashNeeds = null);

    /// <summary>What a window run needs to know about one account beyond its snapshot, from the store's records.</summary>
    /// <param name="LastLook">The window date of the last run that evaluated it (rebalanced or no trades).</param>
    /// <param name="LastRun">The window date of the last run that made a proposal for it.</param>
    /// <param name="LastEvaluatedCutOff">The cut-off of the last window that evaluated it.</param>
    /// <param name="LastCashFlowRecorded">When its latest deposit or withdrawal recorded at or before the window's cut-off was recorded.</param>
    /// <param name="LastCashInDate">The trade date of its latest deposit or sale in the month before the window (for settlement).</param>
    /// <param name="OpenProposal">An open proposal (proposed, approved, sent, partly filled) with orders for it.</param>
    /// <param name="CashNeed">The sum of its open cash needs (withdrawal requests) recorded at or before the window's cut-off, in its currency.</param>
    /// <param name="CashNeedIds">Those cash needs.</param>
    public sealed record WindowAccountFacts(DateOnly? LastLook, DateOnly? LastRun, DateTimeOffset? LastEvaluatedCutOff, DateTimeOffset? LastCashFlowRecorded,
        DateOnly? LastCashInDate, long? OpenProposal, decimal CashNeed = 0m, IReadOnlyList<long>? CashNeedIds = null);

    public sealed partial class BallastStore
    {
        private static string KindText(ScheduleKind kind) => kind switch { ScheduleKind.Model => "model", ScheduleKind.Account => "account", _ => "firm" };

        /// <summary>
        /// Stores a schedule text for the firm, a model or an account (replacing one set before). The caller validates the text
        /// (Ballast.Operations' schedule reader is the one gate); the store checks the model or account exists.
        /// </summary>
        public void SetSchedule(ScheduleKind kind, string? name, string text) => Write("schedule set", scope =>
        {
            var key = CheckScheduleOwner(scope, kind, name);
            scope.Execute("DELETE FROM schedules WHERE tenant_id = @tenant AND kind = @kind AND name = @key", new { tenant = scope.Tenant, kind = KindText(kind), key });
            scope.Execute("INSERT INTO schedules (kind, name, text, set_at, actor, tenant_id) VALUES (@kind, @key, @text, @at, @actor, @tenant)",
                new { kind = KindText(kind), key, text, at = scope.Now, actor = Options.Actor, tenant = scope.Tenant });
            return (0, $"schedule of {Describe(kind, key)} set");
        });

        /// <summary>Removes the schedule of the firm, a model or an account. Returns false when none was stored.</summary>
        public bool ClearSchedule(ScheduleKind kind, string? name) => Write("schedule clear", scope =>
        {
            var key = CheckScheduleOwner(scope, kind, name);
            var n = scope.Execute("DELETE FROM schedules WHERE tenant_id = @tenant AND kind = @kind AND name = @key", new { tenant = scope.Tenant, kind = KindText(kind), key });
            return (n > 0, n > 0 ? $"schedule of {Describe(kind, key)} cleared" : $"no schedule of {Describe(kind, key)} to clear");
        });

        /// <summary>Every stored schedule (the firm's, the models' and the accounts' overrides).</summary>
        public IReadOnlyList<StoredSchedule> Schedules() => Read(c => c.Query("SELECT kind, name, text, set_at, actor FROM schedules WHERE tenant_id = @tenant ORDER BY kind, name", new { tenant = Tenant },
            r => new StoredSchedule(r.GetString(0) switch { "model" => ScheduleKind.Model, "account" => ScheduleKind.Account, _ => ScheduleKind.Firm },
                r.GetString(1), r.GetString(2), ParseInstant(r.GetString(3)), r.GetString(4))));

        /// <summary>The model an account follows, or null (for showing an account's effective schedule).</summary>
        /// <exception cref="InputException">No such account.</exception>
        public string? ModelOfAccount(string account) => Read(c =>
        {
            var rows = c.Query("SELECT m.name FROM accounts a LEFT JOIN models m ON m.id = a.model_id WHERE a.tenant_id = @tenant AND a.name = @account", new { tenant = Tenant, account }, r => r.TextOrNull(0));
            return rows.Count == 0 ? throw new InputException(new InputProblem($"no account named '{account}'", Field: "--account")) : rows[0];
        });

        /// <summary>Puts a hold on an account (a window run skips it, naming the reason), or lifts it with null.</summary>
        public void SetHold(string account, string? reason) => Write(reason is null ? "hold lifted" : "hold", scope =>
        {
            var n = scope.Execute("UPDATE accounts SET hold = @reason WHERE tenant_id = @tenant AND name = @account", new { reason, tenant = scope.Tenant, account });
            if (n == 0) throw new InputException(new InputProblem($"no account named '{account}'", Field: "ACCOUNT"));
            return (0, reason is null ? $"hold on {account} lifted" : $"hold on {account}: {reason}");
        });

        private static string Describe(ScheduleKind kind, string key) => kind == ScheduleKind.Firm ? "the firm" : $"{KindText(kind)} '{key}'";

        private static string CheckScheduleOwner(WriteScope scope, ScheduleKind kind, string? name)
        {
            if (kind == ScheduleKind.Firm) return "";
            if (string.IsNullOrWhiteSpace(name)) throw new InputException(new InputProblem($"name the {KindText(kind)}", Field: "--" + KindText(kind)));
            var table = kind == ScheduleKind.Model ? "models" : "accounts";
            if (scope.ScalarLong($"SELECT id FROM {table} WHERE tenant_id = @tenant AND name = @name", new { tenant = scope.Tenant, name }) is null)
                throw new InputException(new InputProblem($"no {KindText(kind)} named '{name}'", Field: "--" + KindText(kind)));
            return name;
        }

        /// <summary>
        /// Starts the run of a window, or returns the run already recorded for it (<c>Existing</c> true): finished, or
        /// running/failed to be resumed. The window id is unique: a window has one run.
        /// </summary>
        public (WindowRunInfo Run, bool Existing) BeginWindowRun(string windowId, DateOnly date, DateTimeOffset cutOff) => Write("window run", scope =>
        {
            var found = scope.ScalarLong("SELECT id FROM window_runs WHERE tenant_id = @tenant AND window_id = @windowId", new { tenant = scope.Tenant, windowId });
            if (found is { } existing)
            {
                if (scope.Execute("UPDATE window_runs SET status = 'running', error = NULL WHERE id = @existing AND status = 'failed'", new { existing }) > 0)
                    scope.Event(EventKinds.WindowStarted, windowId, EventJson.Of(("run", existing), ("resumed", true)));
                return ((ReadRun(scope.Connection, scope.Transaction, existing), true), $"window {windowId}: run {existing} found");
            }
            var id = scope.NextId("window_runs");
            scope.Execute("""
                INSERT INTO window_runs (id, window_id, window_date, cut_off, status, started_at, actor, tenant_id)
                VALUES (@id, @windowId, @date, @cutOff, 'running', @at, @actor, @tenant)
                """, new { id, windowId, date = FormatDate(date), cutOff = FormatInstant(cutOff), at = scope.Now, actor = Options.Actor, tenant = scope.Tenant });
            scope.Event(EventKinds.WindowStarted, windowId, EventJson.Of(("run", id), ("date", FormatDate(date)), ("cutOff", FormatInstant(cutOff)), ("resumed", false)));
            return ((ReadRun(scope.Connection, scope.Transaction, id), false), $"window {windowId}: run {id} started");
        });

        /// <summary>The accounts a run has recorded already (a rerun of a killed run does not evaluate them again).</summary>
        public HashSet<long> WindowRunRecorded(long runId) => Read(c =>
            c.Query("SELECT w.account_id FROM window_run_accounts w JOIN window_runs r ON r.id = w.run_id WHERE w.run_id = @runId AND r.tenant_id = @tenant",
                new { runId, tenant = Tenant }, r => r.GetInt64(0)).ToHashSet());

        /// <summary>
        /// The facts a run needs about a batch of accounts, from earlier windows' records (ids before <paramref name="windowId"/>),
        /// the ledger and the proposals. <paramref name="cashSince"/> bounds the look for unsettled deposits and sales.
        /// </summary>
        public Dictionary<long, WindowAccountFacts> WindowFacts(string windowId, DateTimeOffset cutOff, DateOnly cashSince, IReadOnlyCollection<long> accountIds) => Read(c =>
        {
            var result = new Dictionary<long, WindowAccountFacts>();
            if (accountIds.Count == 0) return result;
            var ids = accountIds.Distinct().ToArray();
            // A window reads accounts in id order, so a batch is (nearly) a range of ids, or a few (a partition's batch: runs of
            // consecutive ids, AccountPartition): a range scan of each index per range instead of a lookup per id. Facts of ids in
            // the ranges but not in the batch are read and left out.
            long lo = ids.Min(), hi = ids.Max();
            var inIds = IdRanges(Location.Provider, ids);
            var history = c.Query($"""
                SELECT w.account_id,
                  MAX(CASE WHEN w.outcome IN ('rebalanced', 'no trades') THEN r.window_date END),
                  MAX(CASE WHEN w.proposal_id IS NOT NULL THEN r.window_date END),
                  MAX(CASE WHEN w.outcome IN ('rebalanced', 'no trades') THEN r.cut_off END)
                FROM window_run_accounts w JOIN window_runs r ON r.id = w.run_id
                WHERE {inIds("w.account_id")} AND r.tenant_id = @tenant AND r.window_id < @windowId
                  AND NOT EXISTS (SELECT 1 FROM proposal_rejections x WHERE x.proposal_id = w.proposal_id)
                GROUP BY w.account_id
                """, new { ids, lo, hi, windowId, tenant = Tenant }, r => (Id: r.GetInt64(0), Look: r.TextOrNull(1), Run: r.TextOrNull(2), CutOff: r.TextOrNull(3)))
                .ToDictionary(x => x.Id);
            var cash = c.Query(CashMovementsSql(inIds("account_id")), new { ids, lo, hi, cutOff = FormatInstant(cutOff), since = FormatDate(cashSince) },
                r => (Id: r.GetInt64(0), At: r.TextOrNull(1), Date: r.TextOrNull(2)));
            var flows = cash.Where(x => x.At is not null).ToDictionary(x => x.Id, x => x.At!);
            var cashIn = cash.Where(x => x.Date is not null).ToDictionary(x => x.Id, x => x.Date!);
            var proposalAccounts = c.Query($"SELECT DISTINCT proposal_id, account_id FROM proposal_orders WHERE {inIds("account_id")}", new { ids, lo, hi },
                r => (Proposal: r.GetInt64(0), Account: r.GetInt64(1))).ToList();
            var states = ProposalStates(c, null, proposalAccounts.Select(p => p.Proposal).Distinct().ToList(), Tenant);
            var needs = OpenCashNeeds(c, inIds("account_id"), ids, lo, hi, cutOff);
            var open = new Dictionary<long, long>();
            foreach (var (proposal, account) in proposalAccounts)
                if (states.TryGetValue(proposal, out var s) && s.Status.IsOpen() && (!open.TryGetValue(account, out var o) || proposal > o)) open[account] = proposal;
            foreach (var id in ids)
            {
                history.TryGetValue(id, out var h);
                result[id] = new WindowAccountFacts(
                    h.Look is null ? null : ParseDate(h.Look), h.Run is null ? null : ParseDate(h.Run), h.CutOff is null ? null : ParseInstant(h.CutOff),
                    flows.TryGetValue(id, out var f) ? ParseInstant(f) : null, cashIn.TryGetValue(id, out var d) ? ParseDate(d) : null,
                    open.TryGetValue(id, out var p) ? p : null,
                    needs.TryGetValue(id, out var n) ? Scaled.Money(n.Sum) : 0m, needs.TryGetValue(id, out var ni) ? ni.Ids : null);
            }
            return result;
        });

        /// <summary>
        /// Per account of a batch (<paramref name="accountIn"/>, a condition on <c>account_id</c>): the last cash flow recorded by the cut-off
        /// (<c>@cutOff</c>), and the last day cash came in (<c>@since</c> or later: unsettled). One read of the partial index of cash movements
        /// (schema version 16), never of the batch's whole ledger: the query repeats the index's condition exactly, so the database uses it.
        /// </summary>
        internal static string CashMovementsSql(string accountIn) => $"""
            SELECT account_id,
              MAX(CASE WHEN kind IN ('deposit', 'withdrawal') AND recorded_at <= @cutOff THEN recorded_at END),
              MAX(CASE WHEN kind IN ('deposit', 'sell') AND trade_date >= @since THEN trade_date END)
            FROM transactions
            WHERE {accountIn} AND kind IN ('deposit', 'withdrawal', 'sell')
            GROUP BY account_id
            """;

        /// <summary>Most id ranges a batch's facts are read by in one query; a batch spread wider is read by its ids.</summary>
        internal const int MaxIdRanges = 64;

        /// <summary>
        /// How a batch of account ids (distinct) is selected over an id column: <c>BETWEEN @lo AND @hi</c> when the ids are
        /// (nearly) one range; an OR of a few ranges when they are runs of consecutive ids (a partition's, whose blocks of ids
        /// are <see cref="AccountPartition.BlockSize"/> long), written as numbers; else the list of ids (<c>@ids</c>). A range
        /// may hold ids not in the batch (gaps, other tenants' accounts): their facts are read and left out.
        /// </summary>
        internal static Func<string, string> IdRanges(StoreProvider provider, long[] ids)
        {
            long lo = ids.Min(), hi = ids.Max();
            if (hi - lo < 4L * ids.Length) return column => column + " BETWEEN @lo AND @hi";
            var sorted = ids.Order().ToArray();
            var ranges = new List<(long Lo, long Hi)>();
            var span = 0L;
            var (from, to) = (sorted[0], sorted[0]);
            foreach (var id in sorted.Skip(1))
            {
                // A gap of a few ids stays inside the range: fewer ranges, a few ids read for nothing.
                if (id - to <= 16) { to = id; continue; }
                ranges.Add((from, to));
                span += to - from + 1;
                (from, to) = (id, id);
            }
            ranges.Add((from, to));
            span += to - from + 1;
            if (ranges.Count <= MaxIdRanges && span < 4L * ids.Length)
                return column => "(" + string.Join(" OR ", ranges.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{column} BETWEEN {r.Lo} AND {r.Hi}"))) + ")";
            var list = provider == StoreProvider.Postgres ? "= ANY(@ids)" : "IN @ids";
            return column => column + " " + list;
        }

        /// <summary>
        /// Records a batch of verdicts of a run, and saves the proposals of those rebalanced, in one transaction. Accounts the run
        /// has already recorded are left out (with their proposals): a window adds one proposal per account at most, and each
        /// of its orders is entered in <c>window_orders</c>, unique per (run, account, security, side).
        /// Returns the proposal ids saved, by account id.
        /// </summary>
        public Dictionary<long, long> RecordWindowAccounts(long runId, IReadOnlyList<NewWindowRunAccount> entries)
        {
            // With BALLAST_STORE_TRACE=1: how long the batch waited for the write lock, and how long it held it.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var waited = 0L;
            var saved = Write("window run accounts", scope =>
            {
                waited = clock.ElapsedMilliseconds;
                return RecordWindowAccounts(scope, runId, entries);
            });
            if (Tracing)
                Console.Error.WriteLine(FormattableString.Invariant($"trace window batch of {entries.Count}: lock waited {waited} ms, held {clock.ElapsedMilliseconds - waited} ms"));
            return saved;
        }

        private (Dictionary<long, long>, string) RecordWindowAccounts(WriteScope scope, long runId, IReadOnlyList<NewWindowRunAccount> entries)
        {
            var saved = new Dictionary<long, long>();
            CheckRun(scope, runId);
            if (entries.Count == 0) return (saved, $"window run {runId}: nothing to record");
            var ids = entries.Select(e => e.AccountId).Distinct().ToArray();
            // A batch is (nearly) a range of ids, read by ranges of the keys (IdRanges): one read of its accounts (each must be the
            // tenant's) gives their names for all its proposals, and one the run's verdicts already recorded for them.
            var inIds = IdRanges(scope.Provider, ids);
            var (lo, hi) = (ids.Min(), ids.Max());
            var batch = ids.ToHashSet();
            // "+tenant_id": not by the tenant's index (SQLite would walk all the tenant's accounts through it), by the key's range.
            var names = scope.Query($"SELECT name, id FROM accounts WHERE +tenant_id = @tenant AND {inIds("id")}", new { tenant = scope.Tenant, ids, lo, hi },
                r => (Name: r.GetString(0), Id: r.GetInt64(1))).Where(a => batch.Contains(a.Id)).ToDictionary(a => a.Name, a => a.Id, StringComparer.Ordinal);
            if (names.Count < batch.Count)
            {
                var ours = names.Values.ToHashSet();
                var stranger = ids.First(a => !ours.Contains(a));
                throw new InputException(new InputProblem($"account {stranger} does not exist", Field: "account"));
            }
            var already = scope.Query($"SELECT account_id FROM window_run_accounts WHERE run_id = @runId AND {inIds("account_id")}",
                new { runId, ids, lo, hi }, r => r.GetInt64(0)).Where(batch.Contains).ToHashSet();
            var written = 0;
            var approved = 0;
            var rows = new List<object?[]>(entries.Count);
            // One read of the securities for all the batch's proposals; older proposals they supersede are expired once per batch.
            var securities = scope.SecurityIds();
            var newer = new Dictionary<long, long>();
            foreach (var e in entries)
            {
                if (!already.Add(e.AccountId)) continue;
                long? proposal = null;
                if (e.Proposal is not null)
                {
                    proposal = SaveProposal(scope, e.Proposal, out _, securities, names, expire: false);
                    saved[e.AccountId] = proposal.Value;
                    newer[e.AccountId] = proposal.Value;
                    if (e.AutoApproval is { } rule)
                    {
                        // Approved by the firm's rule, in the same transaction as the proposal: a run never leaves one half approved.
                        scope.Append("proposal_events", ProposalEventColumns, [scope.NextId("proposal_events"), proposal.Value, "approved", scope.Now, FirmPolicyActor, rule]);
                        scope.Event(EventKinds.ProposalApproved, Subject(proposal.Value), EventJson.Of(("from", "proposed"), ("note", rule), ("actor", FirmPolicyActor)));
                        approved++;
                    }
                }
                if (e.CashNeeds is { Count: > 0 } needs && e.Outcome is "rebalanced" or "no trades") RaiseCashNeeds(scope, needs, proposal);
                rows.Add([runId, e.AccountId, e.Decision, e.Outcome, e.Reason, e.Kind, proposal]);
                if (e.Outcome == "skipped" && e.Kind is "cannot plan" or "no fx rate") scope.Event(EventKinds.AccountSkipped, AccountName(scope, e.AccountId), EventJson.Of(("run", runId), ("kind", e.Kind), ("reason", e.Reason)));
                written++;
            }
            ExpireSuperseded(scope, newer);
            scope.Insert("window_run_accounts", ["run_id", "account_id", "decision", "outcome", "reason", "reason_kind", "proposal_id"], rows);
            // The window's order book: its primary key (run, account, security, side) lets the database refuse a doubled order.
            if (saved.Count > 0)
            {
                var proposals = saved.Values.ToArray();
                scope.Execute("""
                    INSERT INTO window_orders (run_id, account_id, security_id, side, proposal_id, line)
                    SELECT @runId, account_id, security_id, side, proposal_id, line FROM proposal_orders WHERE proposal_id IN @proposals
                    """, new { runId, proposals });
            }
            return (saved, $"window run {runId}: {written} accounts recorded, {saved.Count} proposals" + (approved > 0 ? $", {approved} approved by the firm's approval rule" : ""));
        }

        private static readonly string[] ProposalEventColumns = ["id", "proposal_id", "status", "at", "actor", "note"];

        /// <summary>Finishes a run: its counts from its recorded accounts, and status proposed (any proposal), completed, or failed with <paramref name="error"/>.</summary>
        public WindowRunInfo FinishWindowRun(long runId, string? error = null) => Write("window run finished", scope =>
        {
            CheckRun(scope, runId);
            var counts = scope.Query("""
                SELECT COUNT(*),
                  COALESCE(SUM(CASE WHEN outcome IN ('rebalanced', 'no trades') THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(CASE WHEN outcome = 'rebalanced' THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(CASE WHEN outcome = 'skipped' THEN 1 ELSE 0 END), 0)
                FROM window_run_accounts WHERE run_id = @runId
                """, new { runId }, r => (All: r.GetInt64(0), Evaluated: r.GetInt64(1), Rebalanced: r.GetInt64(2), Skipped: r.GetInt64(3)))[0];
            var status = error is not null ? "failed" : counts.Rebalanced > 0 ? "proposed" : "completed";
            scope.Execute("""
                UPDATE window_runs SET status = @status, finished_at = @at, accounts = @all, evaluated = @evaluated, rebalanced = @rebalanced, skipped = @skipped, error = @error
                WHERE id = @runId
                """, new { status, at = error is null ? scope.Now : null, all = counts.All, evaluated = counts.Evaluated, rebalanced = counts.Rebalanced, skipped = counts.Skipped, error, runId });
            var run = ReadRun(scope.Connection, scope.Transaction, runId);
            scope.Event(error is null ? EventKinds.WindowFinished : EventKinds.WindowFailed, run.WindowId, EventJson.Of(("run", runId), ("status", status), ("accounts", counts.All), ("evaluated", counts.Evaluated), ("rebalanced", counts.Rebalanced), ("skipped", counts.Skipped), ("error", error)));
            return (run, $"window {run.WindowId}: {status}, {counts.All} accounts, {counts.Evaluated} evaluated, {counts.Rebalanced} rebalanced, {counts.Skipped} skipped");
        });

        /// <summary>Refuses a run id that is not one of the tenant's runs, as if it did not exist.</summary>
        private static void CheckRun(WriteScope scope, long runId)
        {
            if (scope.ScalarLong("SELECT id FROM window_runs WHERE id = @runId AND tenant_id = @tenant", new { runId, tenant = scope.Tenant }) is null)
                throw new InputException(new InputProblem($"no window run {runId}", Field: "run"));
        }

        /// <summary>How many accounts the tenant holds (the total of a window run's progress).</summary>
        public long CountAccounts() => Read(c => c.ScalarLong("SELECT COUNT(*) FROM accounts WHERE tenant_id = @tenant", new { tenant = Tenant }) ?? 0);

        /// <summary>Every window run of the tenant, newest window first.</summary>
        public IReadOnlyList<WindowRunInfo> WindowRuns() => Read(c => c.Query(RunSql + " WHERE tenant_id = @tenant ORDER BY window_id DESC", new { tenant = Tenant }, ReadRun));

        /// <summary>The run of a window, by window id (<c>2026-03-02T10:00</c>) or run number, or null.</summary>
        public WindowRunInfo? FindWindowRun(string idOrWindow) => Read(c =>
        {
            var byNumber = long.TryParse(idOrWindow, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
            return c.Query(RunSql + " WHERE tenant_id = @tenant AND (window_id = @idOrWindow OR id = @byNumber)", new { tenant = Tenant, idOrWindow, byNumber }, ReadRun).FirstOrDefault();
        });

        /// <summary>A run's verdicts with their accounts' names (of this tenant); a condition may follow.</summary>
        private const string RunAccountsFrom = "FROM window_run_accounts w JOIN accounts a ON a.id = w.account_id WHERE w.run_id = @runId AND a.tenant_id = @tenant";

        private const string RunAccountsSql =
            "SELECT w.account_id, a.name, w.decision, w.outcome, w.reason, w.proposal_id " + RunAccountsFrom + " ORDER BY a.name";

        private static WindowRunAccount ReadRunAccount(DbDataReader r) =>
            new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.LongOrNull(5));

        /// <summary>The verdicts a run recorded, in account order; <paramref name="limit"/> bounds how many are read (by the database).</summary>
        public IReadOnlyList<WindowRunAccount> WindowRunAccounts(long runId, int limit = int.MaxValue) => Read(c => c.Query(
            RunAccountsSql + " LIMIT @limit", new { runId, tenant = Tenant, limit = (long)limit }, ReadRunAccount));

        /// <summary>
        /// The same verdicts streamed from one query, for a run too large to hold (a million accounts' verdicts are 300 MB): the caller
        /// enumerates once and disposes the enumerator, which holds a connection meanwhile.
        /// </summary>
        public IEnumerable<WindowRunAccount> StreamWindowRunAccounts(long runId)
        {
            using var c = Guard(Connect);
            using var reader = Guard(() => c.ExecuteReader(RunAccountsSql, new { runId, tenant = Tenant }));
            while (reader.Read()) yield return ReadRunAccount(reader);
        }

        /// <summary>
        /// The proposals a run saved, with their accounts' names, in account name order: only the verdicts with a proposal are read, so
        /// a run's result costs memory for its proposals, not for every account it looked at (a million accounts' verdicts took 300 MB).
        /// </summary>
        public IReadOnlyList<(string Account, long ProposalId)> WindowRunProposals(long runId) => Read(c => c.Query(
            "SELECT a.name, w.proposal_id " + RunAccountsFrom + " AND w.proposal_id IS NOT NULL ORDER BY a.name",
            new { runId, tenant = Tenant }, r => (r.GetString(0), r.GetInt64(1))));

        /// <summary>Counts of a run's verdicts by outcome and reason kind (the decision; a skip's cause).</summary>
        public IReadOnlyList<(string Outcome, string Kind, long Count)> WindowRunCounts(long runId) => Read(c => c.Query("""
            SELECT w.outcome, w.reason_kind, COUNT(*) FROM window_run_accounts w JOIN window_runs r ON r.id = w.run_id
            WHERE w.run_id = @runId AND r.tenant_id = @tenant GROUP BY w.outcome, w.reason_kind ORDER BY w.outcome, w.reason_kind
            """, new { runId, tenant = Tenant }, r => (r.GetString(0), r.GetString(1), r.GetInt64(2))));

        /// <summary>When each model's latest version was made, by model name.</summary>
        public Dictionary<string, DateTimeOffset> LatestModelVersionTimes() => Read(c => c.Query(
            "SELECT m.name, MAX(v.created_at) FROM models m JOIN model_versions v ON v.model_id = m.id WHERE m.tenant_id = @tenant GROUP BY m.name", new { tenant = Tenant },
            r => (Name: r.GetString(0), At: r.GetString(1))).ToDictionary(x => x.Name, x => ParseInstant(x.At), StringComparer.Ordinal));

        /// <summary>The actor of a proposal's approval by the firm's approval rule.</summary>
        public const string FirmPolicyActor = "firm policy";

        private const string RunSql = "SELECT id, window_id, window_date, cut_off, COALESCE(stage, status), started_at, finished_at, actor, accounts, evaluated, rebalanced, skipped, error FROM window_runs";

        private static WindowRunInfo ReadRun(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), ParseDate(r.GetString(2)), ParseInstant(r.GetString(3)), r.GetString(4),
            ParseInstant(r.GetString(5)), r.TextOrNull(6) is { } f ? ParseInstant(f) : null, r.GetString(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.TextOrNull(12));

        private static WindowRunInfo ReadRun(DbConnection c, DbTransaction tx, long id) =>
            c.Query(RunSql + " WHERE id = @id", new { id }, ReadRun, tx)[0];
    }
}
