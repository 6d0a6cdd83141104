using System.Globalization;
using Ballast.Drift;
using Ballast.Input;
using Ballast.Operations.Accounts;
using Ballast.Operations.Documents;
using Ballast.Operations.Monitoring;
using Ballast.Planning;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Operations.Windows;

/// <summary>What one window run did, or found already done.</summary>
/// <param name="Run">The run as recorded (status, counts).</param>
/// <param name="AlreadyDone">True when the window had been run to its end before: nothing was added.</param>
/// <param name="Resumed">True when an earlier run of the window stopped midway and this one completed it.</param>
/// <param name="Counts">Accounts by outcome and reason kind: the schedule's decision, or a skip's cause.</param>
/// <param name="Proposals">The proposals of the run (all of them, also those of an earlier, interrupted attempt), by account.</param>
public sealed record WindowRunResult(WindowRunInfo Run, bool AlreadyDone, bool Resumed, IReadOnlyList<(string Outcome, string Kind, long Count)> Counts,
    IReadOnlyList<(string Account, long ProposalId)> Proposals);

/// <summary>
/// Runs one trading window over every stored account: gathers each account's facts, asks its effective schedule whether it is
/// evaluated, plans those evaluated with the engine, and saves one proposal per account that trades. The run is a durable
/// record: the window id is unique, verdicts and proposals are written in batches inside transactions, and a run stopped
/// midway completes when run again without evaluating again the accounts it recorded.
/// </summary>
public sealed class WindowRunner
{
    /// <summary>Verdict words of the run beside the schedule's (<see cref="MonitoringVerdict"/>).</summary>
    public const string OpenProposal = "open proposal", Hold = Restrictions.Hold, Restricted = Restrictions.Restricted, UnsettledCash = "unsettled cash",
        NoFxRate = "no fx rate", CannotPlan = AccountPlanning.CannotPlan;

    private readonly BallastStore _store;
    private readonly string _engineVersion;

    public WindowRunner(BallastStore store, string engineVersion)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _engineVersion = engineVersion;
    }

    /// <summary>Accounts per batch: one read of their facts and one write transaction of their verdicts and proposals.</summary>
    public int BatchSize { get; init; } = 2000;

    /// <summary>
    /// Called after each batch is written, on the thread that wrote it, before the next batch's write starts (tests stop a run there to
    /// see it resume: an exception thrown here fails the run, and no later batch is written).
    /// </summary>
    public Action<int>? AfterBatch { get; init; }

    /// <summary>The latest window of <paramref name="calendar"/> that opened at or before <paramref name="at"/>.</summary>
    /// <exception cref="InputException">No window opened in the eight weeks before it.</exception>
    public static TradingWindow WindowAt(TradingCalendar calendar, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return calendar.Latest(at) ?? throw new InputException(new InputProblem(
            $"no trading window opened in the eight weeks up to {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)}", Field: "--at"));
    }

    /// <summary>What a run abandoned at <see cref="Run"/>'s cancellation records as its error: it stays resumable.</summary>
    public const string Abandoned = "abandoned between batches (the host stopped); run the window again to resume it";

    /// <summary>
    /// Runs <paramref name="window"/> (or reports its finished run). <paramref name="cancellationToken"/> is looked at between batches:
    /// when it is cancelled the batches written stay written, the run is recorded failed (<see cref="Abandoned"/>) and an
    /// <see cref="OperationCanceledException"/> is thrown; running the window again resumes from the accounts recorded.
    /// </summary>
    public WindowRunResult Run(TradingCalendar calendar, TradingWindow window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var (run, resumed, done) = Begin(window);
        if (done is not null) return done;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            Evaluate(calendar, window, run.Id, null, cancellationToken);
        }
        catch (Exception e)
        {
            Fail(run, e, e is OperationCanceledException && cancellationToken.IsCancellationRequested, started);
            throw;
        }
        return Finish(run, resumed, started);
    }

    /// <summary>
    /// The first step of <see cref="Run"/>, for a host that evaluates the window in partitions (a cluster): records the run
    /// as started (or finds it: a failed or running one is resumed), or, when the window was run to its end before, returns
    /// its result as <see cref="Run"/> reports it (<c>Done</c>: nothing is left to do).
    /// </summary>
    /// <returns>The run; <c>Resumed</c> when an earlier attempt had begun it.</returns>
    public (WindowRunInfo Run, bool Resumed, WindowRunResult? Done) Begin(TradingWindow window)
    {
        var (run, existing) = _store.BeginWindowRun(window.Id, window.Date, window.CutOff);
        if (existing && run.Status is not ("running" or "failed"))
            return (run, false, Result(run, alreadyDone: true, resumed: false));
        return (run, existing, null);
    }

    /// <summary>
    /// Evaluates the accounts of one partition of a begun run (<see cref="Begin"/>), exactly as <see cref="Run"/> evaluates
    /// every account: the same facts, decisions, plans and batched records. Accounts the run has recorded are skipped, so a
    /// partition run twice (or at once on two machines: each batch's write checks again under the store's write lock) adds nothing.
    /// Returns how many accounts it evaluated and handed to the store (0 when the run had recorded them all; an account another
    /// attempt recorded in the meantime is counted here but left out by the store).
    /// </summary>
    public long RunPartition(TradingCalendar calendar, TradingWindow window, long runId, AccountPartition partition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(partition);
        return Evaluate(calendar, window, runId, partition, cancellationToken);
    }

    /// <summary>The last step of <see cref="Run"/>: the run's counts and status from its recorded accounts (<see cref="BallastStore.FinishWindowRun"/>).</summary>
    /// <param name="started">When the run started (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for its duration.</param>
    public WindowRunResult Finish(WindowRunInfo run, bool resumed, long started)
    {
        ArgumentNullException.ThrowIfNull(run);
        var finished = _store.FinishWindowRun(run.Id);
        Telemetry.WindowDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", finished.Status));
        return Result(finished, alreadyDone: false, resumed);
    }

    /// <summary>What <see cref="Run"/> does when its evaluation fails: the run is recorded failed (resumable), when the store can still be written.</summary>
    /// <param name="abandoned">The host stopped it between batches: recorded as <see cref="Abandoned"/>.</param>
    public void Fail(WindowRunInfo run, Exception error, bool abandoned, long started)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(error);
        try { _store.FinishWindowRun(run.Id, abandoned ? Abandoned : error.Message); }
        catch (Exception) { /* the original failure is the one to report */ }
        Telemetry.WindowDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", "failed"));
    }

    private WindowRunResult Result(WindowRunInfo run, bool alreadyDone, bool resumed) =>
        new(run, alreadyDone, resumed, _store.WindowRunCounts(run.Id),
            _store.WindowRunProposals(run.Id));

    private long Evaluate(TradingCalendar calendar, TradingWindow window, long runId, AccountPartition? partition, CancellationToken cancellationToken)
    {
        var schedules = StoredSchedules.Load(_store);
        var recorded = _store.WindowRunRecorded(runId);
        var rates = _store.LatestFxRates(window.Date);
        var converter = new StoredPortfolios(window.Date);
        var modelChanges = _store.LatestModelVersionTimes();
        var firm = FirmSettings.Load(_store);
        // Deposits and sales of the last month are enough to find cash that has not settled (settlement is T+10 at most).
        var cashSince = window.Date.AddDays(-31);
        var batch = new List<AccountSnapshot>(BatchSize);
        var batches = 0;
        var total = _store.Options.Steps is null ? 0 : _store.CountAccounts();
        var done = (long)recorded.Count;
        var written = 0L;
        // Two stages overlap: while one batch's verdicts are written (one transaction, under the store's write lock), the next
        // batch's accounts and facts are read and planned on this thread. A batch's facts are its own accounts' and a batch writes
        // only its own accounts' rows, so what a batch reads does not depend on the write still running. One write runs at a
        // time, in batch order; a failed write stops the run before the next one starts, and a cancellation is seen before each.
        Task? writing = null;
        // Phases, printed with BALLAST_STORE_TRACE=1: where a large window's time goes (record runs beside the others; waited is
        // the time this thread waited for the previous batch's write).
        var phases = new long[5];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long Lap() { var t = clock.ElapsedTicks; clock.Restart(); return t; }
        try
        {
            foreach (var snapshot in _store.ReadAccounts(new SnapshotQuery(window.Date, Partition: partition)))
            {
                if (recorded.Contains(snapshot.AccountId)) continue;
                batch.Add(snapshot);
                if (batch.Count < BatchSize) continue;
                Flush();
            }
            if (batch.Count > 0) Flush();
            phases[0] += Lap();
        }
        catch (Exception)
        {
            // A failure here waits for the write in flight, so that the run is recorded failed after it; this failure is the one reported.
            try { writing?.Wait(CancellationToken.None); }
            catch (AggregateException) { /* reported by the failure above */ }
            throw;
        }
        Complete(writing);
        phases[4] += Lap();
        if (BallastStore.Tracing)
        {
            long Ms(long ticks) => ticks * 1000 / System.Diagnostics.Stopwatch.Frequency;
            Console.Error.WriteLine(FormattableString.Invariant(
                $"trace window{(partition is null ? "" : " " + partition)}: read accounts {Ms(phases[0])} ms, facts {Ms(phases[1])} ms, decide and plan {Ms(phases[2])} ms, record {Ms(phases[3])} ms (beside them; waited {Ms(phases[4])} ms)"));
        }
        return written;

        void Flush()
        {
            cancellationToken.ThrowIfCancellationRequested();
            phases[0] += Lap();
            var facts = _store.WindowFacts(window.Id, window.CutOff, cashSince, [.. batch.Select(a => a.AccountId)]);
            var restrictions = _store.RestrictionsOfAccounts([.. batch.Select(a => a.AccountId)]);
            phases[1] += Lap();
            var entries = new List<NewWindowRunAccount>(batch.Count);
            foreach (var a in batch) entries.Add(Decide(calendar, window, schedules, rates, converter, modelChanges, a, facts[a.AccountId], restrictions[a.AccountId]));
            for (var i = 0; i < entries.Count; i++) entries[i] = ApplyFirm(entries[i], batch[i], facts[batch[i].AccountId], firm, rates);
            batch.Clear();
            phases[2] += Lap();
            Complete(writing);
            writing = null;
            phases[4] += Lap();
            cancellationToken.ThrowIfCancellationRequested();
            writing = Task.Run(() => Record(entries), CancellationToken.None);
        }

        void Record(List<NewWindowRunAccount> entries)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _store.RecordWindowAccounts(runId, entries);
            phases[3] += System.Diagnostics.Stopwatch.GetTimestamp() - started;
            foreach (var outcome in entries.GroupBy(e => e.Outcome))
                Telemetry.WindowAccounts.Add(outcome.Count(), new KeyValuePair<string, object?>("outcome", outcome.Key));
            Telemetry.AccountsEvaluated.Add(entries.Count(e => e.Outcome is "rebalanced" or "no trades"));
            done += entries.Count;
            written += entries.Count;
            _store.Options.Steps?.Invoke("window", done, Math.Max(done, total));
            AfterBatch?.Invoke(++batches);
        }

        // Waits for a batch's write and throws its own exception (not an AggregateException) when it failed.
        static void Complete(Task? write) => write?.GetAwaiter().GetResult();
    }

    private NewWindowRunAccount Decide(TradingCalendar calendar, TradingWindow window, StoredSchedules schedules, IReadOnlyDictionary<string, FxRate> rates,
        StoredPortfolios converter, Dictionary<string, DateTimeOffset> modelChanges, AccountSnapshot a, WindowAccountFacts f,
        AccountRestrictions restrictions)
    {
        const string none = "none";
        var stored = converter.Convert(a);
        if (stored.Portfolio is not { } portfolio) return new(a.AccountId, none, "skipped", CannotPlan, CannotPlan + ": " + stored.Error);
        var schedule = schedules.For(a.Model, a.Name);
        var value = portfolio.InvestedValue + portfolio.Cash;
        if (Convert(value, a.Currency, schedule.Currency, rates) is not { } inScheduleCurrency)
            return new(a.AccountId, none, "skipped", NoFxRate, $"{NoFxRate}: no {a.Currency}/{schedule.Currency} rate on or before {window.Date:yyyy-MM-dd} to value it in the schedule's currency");

        // A model change: a version of its model made after the cut-off of the window that last evaluated it and at or
        // before this window's (one made later waits for the next window, as cash does); never evaluated: a version newer
        // than its last done proposal, as a check sees it.
        var modelChanged = f.LastEvaluatedCutOff is { } lastCutOff
            ? a.Model is not null && modelChanges.TryGetValue(a.Model, out var changed) && changed > lastCutOff && changed <= window.CutOff
            : a.ModelChangedOn is not null;
        // A cash flow: a deposit or withdrawal recorded after the cut-off of the window that last evaluated it (never
        // evaluated: after the day of its last rebalance) and before this window's cut-off.
        var cashFlow = f.CashNeed > 0 || f.LastCashFlowRecorded is { } flow && (f.LastEvaluatedCutOff is { } since ? flow > since
            : a.LastRebalance is not { } done || DateOnly.FromDateTime(flow.UtcDateTime) > done);
        var decision = schedule.Decide(new MonitoringFacts(window.Date, inScheduleCurrency, a.LastRebalance, f.LastLook, f.LastRun, modelChanged, cashFlow));
        var word = Word(decision.Verdict);
        if (!decision.Evaluate) return new(a.AccountId, word, "not evaluated", word, decision.Reason);
        // A hold (the account's, else its household's) comes first; restrictions are read with it, once per batch.
        if (restrictions.Hold is { } hold) return new(a.AccountId, word, "skipped", Hold, $"{Hold}: {hold}");
        if (f.OpenProposal is { } open) return new(a.AccountId, word, "skipped", OpenProposal, $"{OpenProposal}: proposal {open} is still open");
        if (f.LastCashInDate is { } cashIn && calendar.SettlementDate(cashIn) > window.Date)
            return new(a.AccountId, word, "skipped", UnsettledCash, $"{UnsettledCash}: cash from {cashIn:yyyy-MM-dd} settles on {calendar.SettlementDate(cashIn):yyyy-MM-dd}, after the window");

        if (schedule.MinimumOrderValue > 0 && Convert(schedule.MinimumOrderValue, schedule.Currency, a.Currency, rates) is { } minOrder
            && minOrder > portfolio.Execution.MinTrade)
        {
            portfolio = portfolio with { Execution = portfolio.Execution with { MinTrade = minOrder } };
            stored = stored with { Portfolio = portfolio };
        }
        // The account's restrictions (its own, its household's, the firm's) through the one account use case.
        var planned = AccountPlanning.Plan(stored, restrictions, f.CashNeed > 0 ? new PlanRequest { Withdraw = f.CashNeed } : PlanRequest.None);
        if (planned.Plan is not { } plan) return new(a.AccountId, word, "skipped", planned.SkipKind!, planned.Skip!);
        stored = planned.Stored;
        if (!plan.HasTrades)
            return new(a.AccountId, word, "no trades", word, decision.Reason + "; " + (plan.Drift.Reasons.FirstOrDefault() ?? "no trades needed") + planned.NotesText);
        IReadOnlyList<ProposedOrder> orders;
        try { orders = BallastStore.OrdersFromPlan(a.Name, plan); }
        catch (InputException e) { return new(a.AccountId, word, "skipped", CannotPlan, CannotPlan + ": " + e.Problems[0].Message); }
        var proposal = new NewProposal($"window {window.Id}: account {a.Name}", _engineVersion, a.Policy, 
            PlanJson.Stored(stored.Portfolio!, plan, includeAfter: false, fx: stored.Conversions), PlanJson.Stored(stored.Portfolio!, plan, includeAfter: true, fx: stored.Conversions), orders);
        return new(a.AccountId, word, "rebalanced", word, decision.Reason + $"; {orders.Count} orders" + planned.NotesText, proposal);
    }

    /// <summary>
    /// The firm's part of a verdict: a proposal is approved as it is saved, or waits for approval with the reason (the approval rule,
    /// <see cref="FirmSettings.Decide"/>, on its gross traded value in the account's currency); the account's open cash needs are raised
    /// by its proposal, or covered by the cash already there when the plan (withdrawing them) needs no trade.
    /// </summary>
    private static NewWindowRunAccount ApplyFirm(NewWindowRunAccount e, AccountSnapshot a, WindowAccountFacts f, FirmSettings firm, IReadOnlyDictionary<string, FxRate> rates)
    {
        if (f.CashNeedIds is { Count: > 0 } needs && e.Outcome is "rebalanced" or "no trades")
            e = e with
            {
                CashNeeds = needs,
                Reason = e.Reason + $"; cash need {FirmSettings.Money(f.CashNeed)} {a.Currency} " + (e.Proposal is null ? "covered by its cash" : "raised by this proposal"),
            };
        if (e.Proposal is not { } p) return e;
        var gross = p.Orders.Any(o => o.Price is null) ? (decimal?)null : p.Orders.Sum(o => o.Quantity * o.Price!.Value);
        var (approved, waiting) = firm.Decide(gross, a.Currency, (amount, from, to) => Convert(amount, from, to, rates));
        return approved is not null ? e with { AutoApproval = approved } : e with { Reason = e.Reason + "; " + waiting };
    }

    /// <summary>The word recorded for a schedule's verdict.</summary>
    public static string Word(MonitoringVerdict verdict) => verdict switch
    {
        MonitoringVerdict.Look => "look",
        MonitoringVerdict.ModelChange => "model change",
        MonitoringVerdict.CashFlow => "cash flow",
        MonitoringVerdict.Paused => "paused",
        MonitoringVerdict.CoolingDown => "cooling down",
        MonitoringVerdict.NotDue => "not due",
        _ => "below minimum",
    };

    /// <summary>An amount in another currency through the latest stored rate (either pair), or null without one.</summary>
    private static decimal? Convert(decimal amount, string from, string to, IReadOnlyDictionary<string, FxRate> rates)
    {
        return BallastStore.ConvertAmount(amount, from, to, rates).Value;
    }
}
